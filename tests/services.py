"""Access to real services for tests.

In CI (CI=true) a missing service is a failure; elsewhere the test is skipped
with a reason that says how to provide it.
"""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
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


def redis_url(environ=None):
    """The Redis the user named in REDIS_URL (CI does; tests.isolation gives each
    pytest-xdist worker its own database of it), or None: then the tests start their own."""
    return (os.environ if environ is None else environ).get("REDIS_URL") or None


def need_redis(url):
    """A client of `url`, or the test is skipped (failed under CI) naming the URL."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
    try:
        client.ping()
    except Exception:  # noqa: BLE001
        unavailable(f"Redis is not reachable at {url}: start it, or unset REDIS_URL to use a private redis-server")
    return client


@contextmanager
def redis_for_tests(environ=None):
    """Yields the URL of the one Redis the tests may use; never a server the user did not name.

    REDIS_URL when set. Otherwise a private `redis-server` (memory only, in a temporary
    directory, on a free port of 127.0.0.1), stopped on exit. Without `redis-server` the
    test is skipped with the reason (failed under CI). Never 127.0.0.1:6379 by guesswork:
    a developer's Redis there holds someone's data.
    """
    environ = os.environ if environ is None else environ
    url = redis_url(environ)
    if url:
        need_redis(url)
        yield url
        return
    binary = shutil.which("redis-server", path=environ.get("PATH", os.defpath))
    if not binary:
        unavailable("needs Redis: install redis-server (the tests start a private one) or set REDIS_URL")
    with private_redis_server(binary) as url:
        yield url


def free_port():
    """A TCP port of 127.0.0.1 that was free a moment ago (another process may take it first)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


try:  # looked up now: the child between fork and exec should do as little as possible
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux
    _prctl = None


def _die_with_parent():
    # In the child before exec: if the test process is killed outright, the kernel stops
    # its redis-server too, instead of leaving it running on the machine.
    if _prctl is not None:
        _prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@contextmanager
def private_redis_server(binary, attempts=5):
    """A `redis-server` of this test process only; yields its URL, stops and reaps it on exit.

    redis refuses `--port 0`, so the port is a free one picked beforehand; when another
    process took it meanwhile, the server exits at once and another port is tried.
    """
    import redis

    with tempfile.TemporaryDirectory(prefix="hamla-test-redis-") as directory:
        log = Path(directory) / "redis.log"
        for _ in range(attempts):
            port = free_port()
            args = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
            args += ["--dir", directory, "--logfile", str(log), "--daemonize", "no"]
            proc = subprocess.Popen(  # preexec_fn only calls prctl
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
            )
            client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5, socket_timeout=0.5)

            def serving(proc=proc, client=client):
                if proc.poll() is not None:
                    return "exited"
                try:
                    return client.ping() and "serving"
                except redis.RedisError:
                    return None

            state = wait_for(serving, timeout=10, interval=0.05)
            client.close()
            if state == "serving":
                break
            _stop(proc)
        else:
            tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
            unavailable(f"a private redis-server did not start after {attempts} ports:\n{tail}")
        try:
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            _stop(proc)


class RestartableRedis:
    """A private `redis-server` that a test stops and starts again on the same port and
    directory: with `persist`, an append-only file keeps its queues across the restart;
    without, a restart empties it. Never a Redis other tests use."""

    def __init__(self, binary, directory, persist):
        self.binary, self.directory, self.persist = binary, Path(directory), persist
        self.port = free_port()
        self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        import redis

        args = [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.directory)]
        args += ["--save", "", "--appendonly", "yes" if self.persist else "no", "--appendfsync", "always"]
        args += ["--logfile", str(self.directory / "redis.log"), "--daemonize", "no"]
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)

        def serving():
            try:
                return client.ping()
            except redis.RedisError:
                return self.proc.poll() is not None and "exited"

        state = wait_for(serving, timeout=10, interval=0.05)
        client.close()
        if state is not True:
            unavailable(f"a private redis-server did not start on port {self.port}")

    def stop(self):
        if self.proc is not None:
            _stop(self.proc)

    def restart(self, down_for=0.0):
        self.stop()
        time.sleep(down_for)
        self.start()


@contextmanager
def restartable_redis(persist):
    """A started RestartableRedis, stopped on exit; skipped (failed under CI) without redis-server."""
    binary = shutil.which("redis-server")
    if not binary:
        unavailable("needs redis-server (the test starts and restarts a private one)")
    with tempfile.TemporaryDirectory(prefix="hamla-test-redis-restart-") as directory:
        server = RestartableRedis(binary, directory, persist)
        server.start()
        try:
            yield server
        finally:
            server.stop()


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def postgres_binaries():
    """The directory holding PostgreSQL's initdb, pg_ctl and postgres (the newest of
    /usr/lib/postgresql/*/bin, else wherever PATH has initdb), or None."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _version(p.parent.name))
    for directory in reversed(candidates):
        if all((directory / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return directory
    initdb = shutil.which("initdb")
    if initdb:
        directory = Path(initdb).resolve().parent
        if (directory / "pg_ctl").exists() and (directory / "postgres").exists():
            return directory
    return None


def _version(name):
    return tuple(int(part) for part in name.split(".") if part.isdigit())


class PrivateCluster:
    """A PostgreSQL cluster of this test process only, in a temporary data directory, on a
    free port of 127.0.0.1, with trust authentication for user postgres and no fsync (its
    data is thrown away). `restart(down_for=…)` stops it (fast: open sessions are cut, as
    when the server restarts) and starts it again; never the shared server of other tests.

    PostgreSQL refuses to run as root: when the tests run as root, the cluster runs as the
    `postgres` system user (the data directory is handed to it)."""

    def __init__(self, binaries, directory):
        self.bin = Path(binaries)
        self.data = Path(directory) / "data"
        self.log = Path(directory) / "postgres.log"
        self.port = None
        self.user = None
        if os.geteuid() == 0:
            import pwd

            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                unavailable("PostgreSQL cannot run as root and there is no `postgres` user to run it as")
            os.chown(directory, self.user.pw_uid, self.user.pw_gid)

    def _run(self, *args, check=True):
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            check=check,
            user=self.user.pw_uid if self.user else None,
            group=self.user.pw_gid if self.user else None,
            cwd=self.data.parent,
        )

    def init(self):
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")

    def start(self, attempts=5):
        for _ in range(attempts if self.port is None else 1):
            port = self.port or free_port()
            options = f"-p {port} -k {self.data.parent} -c listen_addresses=127.0.0.1 -c fsync=off"
            options += " -c synchronous_commit=off -c full_page_writes=off"
            ctl = ("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "30")
            result = self._run(*ctl, "start", check=False)
            if result.returncode == 0:
                self.port = port
                return
        tail = self.log.read_text(errors="replace")[-800:] if self.log.exists() else result.stderr
        unavailable(f"a private PostgreSQL did not start:\n{tail}")

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop", check=False)

    def restart(self, down_for=0.0):
        self.stop()
        time.sleep(down_for)
        self.start()

    def url(self, name="postgres"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name):
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def private_postgres():
    """A PrivateCluster, started; stopped and its directory removed on exit. Skipped (failed
    under CI) without PostgreSQL's server binaries."""
    binaries = postgres_binaries()
    if binaries is None:
        unavailable("needs PostgreSQL's server binaries (initdb, pg_ctl): apt-get install postgresql")
    with tempfile.TemporaryDirectory(prefix="hamla-test-pg-") as directory:
        cluster = PrivateCluster(binaries, directory)
        cluster.init()
        cluster.start()
        try:
            yield cluster
        finally:
            cluster.stop(mode="immediate")


def sqlite_file_bytes(path):
    """The bytes of an SQLite database file (or its -wal), read by a child process.

    Never open() and close() a database file in a process that has it open through SQLite:
    closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's
    included. The process keeps using its connection without the shared lock that tells
    others it is there, so the next process to close its last connection checkpoints and
    deletes the write-ahead log under it, and the two go on writing to different logs:
    "database disk image is malformed" (https://sqlite.org/howtocorrupt.html, 2.2). A child
    process's descriptors carry no lock of ours. Returns b"" when the file does not exist."""
    if not Path(path).exists():
        return b""
    return subprocess.run(["cat", "--", str(path)], capture_output=True, check=True).stdout


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
