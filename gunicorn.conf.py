"""gunicorn's settings for Hamla's web process. gunicorn reads ./gunicorn.conf.py by itself;
`manage.py bench signatures` starts it with this file."""

import multiprocessing
import os

wsgi_app = "hamla.wsgi:application"
# Sync workers, two per core (four on the 2-core machine), WEB_CONCURRENCY to change it. A
# sync worker serves one request at a time, and a petition POST spends about half of its
# time waiting on PostgreSQL and Redis round trips, so one worker per core leaves the cores
# idle half the time; more than two per core only adds processes (and PostgreSQL backends)
# competing for the same cores and memory. `bench signatures` on 2 cores: 2 workers 36-43
# signatures/s, 4 workers 41-116, 6 workers 67, 8 workers 40-43 (with other work loading
# the machine to a load average of 6-8, hence the spread).
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count())
