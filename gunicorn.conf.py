"""gunicorn's settings for Hamla's web process. gunicorn reads ./gunicorn.conf.py by itself;
`manage.py bench signatures` starts it with this file."""

import multiprocessing
import os

wsgi_app = "hamla.wsgi:application"
# Sync workers, two per core (four on the 2-core machine), WEB_CONCURRENCY to change it. A
# sync worker serves one request at a time, and a petition POST spends a good part of its
# time waiting on PostgreSQL and Redis round trips, so one worker per core leaves the cores
# idle meanwhile; more than two per core adds processes (and PostgreSQL backends) competing
# for the same cores. `bench signatures` on 2 cores, with other work loading the machine
# (load average 4.5-6.5), runs alternated: 4 workers 65 and 61 signatures/s, p99 0.78 and
# 0.84 s; 8 workers 88 and 70 signatures/s but p99 1.24 and 1.26 s and 10-20% more CPU per
# signature. The tail is what a signer waits for, so four.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count())
