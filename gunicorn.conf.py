"""gunicorn's settings for Hamla's web process. gunicorn reads ./gunicorn.conf.py by itself;
`manage.py bench signatures` starts it with this file."""

import multiprocessing
import os

wsgi_app = "hamla.wsgi:application"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count())
