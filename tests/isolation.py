"""Loaded before Django's settings (`python -m pytest -p tests.isolation`, as `make test` runs it).

Under pytest-xdist every worker gets a var directory (embedded broker, SQLite test
database, caches) of its own and, when REDIS_URL names a Redis, a database of its own
there, so the Celery worker processes one test starts never take the tasks another test
sends to its own test database. Without REDIS_URL each test process starts a private
redis-server instead (tests/broker.py); no test touches a Redis the user did not name.
Every test process also gets a Celery default queue of its own (HAMLA_CELERY_QUEUE),
which the worker and beat processes it starts inherit: two test runs on one machine
(sharing Redis) never take each other's tasks.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("HAMLA_CELERY_QUEUE", f"hamla-test-{os.getpid()}")

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw"):
    _index = int(_worker[2:])
    _var = Path(os.environ.get("HAMLA_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
    os.environ["HAMLA_VAR_DIR"] = str(_var / f"xdist-{_worker}")
    if os.environ.get("REDIS_URL"):
        _url = urlsplit(os.environ["REDIS_URL"])
        _db = (int(_url.path.strip("/") or 0) + 1 + _index) % 16
        os.environ["REDIS_URL"] = urlunsplit(_url._replace(path=f"/{_db}"))
