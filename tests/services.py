"""Access to real services for tests.

In CI (CI=true) a missing service is a failure; elsewhere the test is skipped
with a reason that says how to provide it.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() == "true"
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def unavailable(reason):
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def redis_url():
    """The Redis the tests use: REDIS_URL, else a local server's database 15 (14, 13, …
    for further pytest-xdist workers)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return os.environ.get("REDIS_URL") or f"redis://127.0.0.1:6379/{15 - int(worker[2:]) % 8}"


def need_redis():
    import redis

    url = redis_url()
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
    except Exception:  # noqa: BLE001
        unavailable(f"Redis is not reachable at {url}: start `redis-server` or set REDIS_URL")
    return client


def need_postgres():
    if connection.vendor != "postgresql":
        unavailable("needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/hamla")


def need_tool(name, package):
    path = shutil.which(name)
    if not path:
        unavailable(f"needs `{name}`: apt-get install {package}")
    return path


def need_chromium():
    if not Path(CHROMIUM).exists():
        unavailable("needs Debian's Chromium: apt-get install chromium (or set CHROMIUM=/path)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("needs the playwright package: make test installs it from requirements-dev.txt")
    return CHROMIUM


def test_database_url():
    """A DATABASE_URL naming the test database, for processes the tests start."""
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def process_env(**extra):
    env = dict(os.environ)
    env["DATABASE_URL"] = test_database_url()
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    env.update({k: str(v) for k, v in extra.items()})
    return env


@contextmanager
def celery_process(*args, env=None, log_path=None):
    """A real `celery -A hamla ...` process; stopped (and reaped) on exit."""
    log = open(log_path or os.devnull, "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "hamla", *args],
        cwd=ROOT,
        env=env or process_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        log.close()


def wait_for(predicate, timeout=20.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()
