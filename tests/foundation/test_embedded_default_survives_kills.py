"""The embedded default (`make run`: SQLite and the folder broker, no server) survives
killed processes: a worker killed with SIGKILL twenty times during sends and imports
leaves a database that passes `PRAGMA integrity_check`, every send complete and every
import finished; and nothing in a process that has the database open reads its file
behind SQLite's back (what left the shared test database "malformed")."""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest

from devtools.sink import Sink
from tests.services import ROOT, celery_process, process_env, sqlite_file_bytes, wait_for

WRITER = """
import sqlite3, sys, time
for n in range(15):  # a worker process: a connection per task, closed after it
    b = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
    for i in range(150):
        b.execute("INSERT INTO t (v) VALUES (?)", (f"worker {n} {i} " * 6,))
    b.close()
"""


def connect(path):
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    return db


def test_reading_the_live_database_file_for_a_dump_leaves_it_intact_while_other_processes_write(tmp_path):
    # As tests/contacts/test_database_dump.py does with the test database, whose Django
    # connection stays open, while worker processes open and close theirs.
    path = tmp_path / "live.sqlite3"
    ours = connect(path)
    ours.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    ours.execute("CREATE INDEX t_v ON t (v)")
    for i in range(1000):
        ours.execute("INSERT INTO t (v) VALUES (?)", (f"ours {i} " * 6,))
    assert b"SQLite format 3" in sqlite_file_bytes(path)

    worker = subprocess.Popen([sys.executable, "-c", WRITER, str(path)])
    n = 0
    while worker.poll() is None or n < 1000:
        ours.execute("INSERT INTO t (v) VALUES (?)", (f"ours again {n} " * 6,))
        n += 1
    ours.close()
    check = sqlite3.connect(path)
    try:
        state = (check.execute("PRAGMA integrity_check").fetchall(), check.execute("SELECT count(*) FROM t").fetchone())
    except sqlite3.DatabaseError as exc:  # what the old read gave: the database is malformed
        state = str(exc)
    finally:
        check.close()
    assert worker.returncode == 0 and state == ([("ok",)], (1000 + 15 * 150 + n,)), state


# --- Twenty SIGKILLs of the worker on the embedded default --------------------------

KILLS = 20
SENDS, PER_SEND = 5, 30  # newsletters, recipients each; one falls due every SPACING s
SPACING = 8
IMPORTS, ROWS = 4, 2000  # CSV imports (all queued at the start), rows each
CONCURRENCY = 2

SETUP = """
import json, sys
from datetime import timedelta
import django
django.setup()
from django.conf import settings
from django.utils import timezone
from contacts.models import ContactList, ImportJob
from contacts.tasks import run_import
from tests.messaging.helpers import make_list, make_message

sends, per_send, spacing, imports, rows = map(int, sys.argv[1:6])
now = timezone.now()
out = {"messages": [], "imports": []}
for k in range(sends):
    contact_list, contacts = make_list(name=f"send {k}", count=per_send, start=k * per_send)
    message = make_message(contact_list)
    message.schedule(at=now + timedelta(seconds=k * spacing))
    out["messages"].append([message.pk, [c.email for c in contacts]])
folder = settings.VAR_DIR / "imports"
folder.mkdir(parents=True, exist_ok=True)
for k in range(imports):
    path = folder / f"upload-{k}.csv"
    lines = ["name,email"] + [f"Imported {k}-{i},imported{k}-{i}@example.org" for i in range(rows)]
    path.write_text("\\n".join(lines) + "\\n", encoding="utf-8")
    job = ImportJob.objects.create(
        contact_list=ContactList.objects.create(name=f"imported {k}"),
        file_name=path.name, path=str(path), size=path.stat().st_size,
    )
    run_import.delay(job.pk)
    out["imports"].append(job.pk)
print(json.dumps(out))
"""


def embedded_env(var, sink):
    """`make run`'s configuration (SQLite and the folder broker under `var`, no Redis),
    mail to the sink, batches of 30 in two lanes. The sweep runs every 2 s and restarts a
    send only after 20 s without progress: each restart queues batches behind the ones
    already queued, most of them empty by the time they are taken, and a worker of the
    folder broker takes tasks one folder listing at a time (core/celery_folder.py). A
    restarted worker gives back its predecessor's rows at once anyway."""
    return process_env(
        HAMLA_VAR_DIR=var,
        DATABASE_URL="",
        REDIS_URL="",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=sink.port,
        HAMLA_SEND_RATE="0",
        HAMLA_DISPATCH_BATCH="30",
        HAMLA_DISPATCH_LANES="2",
        HAMLA_SWEEP_SECONDS="2",
        HAMLA_STALL_SECONDS="20",
        HAMLA_LEASE_SECONDS="3",
        HAMLA_CELERY_QUEUE="celery",
    )


def wait_ready(log_path, timeout=60):
    assert wait_for(lambda: log_path.exists() and b" ready." in log_path.read_bytes(), timeout=timeout), (
        f"the worker did not start: see {log_path}"
    )


def manage(env, *args):
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def state(db_path):
    """(messages not sent yet, imports not done yet), read without Django."""
    db = sqlite3.connect(db_path, timeout=30)
    try:
        sending = db.execute("SELECT count(*) FROM messaging_message WHERE status != 'sent'").fetchone()[0]
        importing = db.execute("SELECT count(*) FROM contacts_importjob WHERE state != 'done'").fetchone()[0]
        return sending, importing
    finally:
        db.close()


@pytest.mark.waits
def test_a_worker_killed_twenty_times_during_sends_and_imports_leaves_an_intact_database_and_finishes_everything(
    tmp_path,
):
    var = tmp_path / "var"
    db_path = var / "hamla.sqlite3"
    with Sink(delay=0.03) as sink:  # a batch takes about a second: kills land mid-batch
        env = embedded_env(var, sink)
        manage(env, "manage.py", "migrate", "--noinput", "-v", "0")
        plan = json.loads(manage(env, "-c", SETUP, *map(str, (SENDS, PER_SEND, SPACING, IMPORTS, ROWS))))
        worker_args = ("worker", f"--concurrency={CONCURRENCY}", "--pool=prefork", "-n", "embedded@%h", "-l", "INFO")
        worker_args += ("--without-gossip", "--without-mingle")
        logs = tmp_path / "logs"
        logs.mkdir()
        rng = random.Random()
        with celery_process("beat", "-s", str(tmp_path / "beat-schedule"), env=env, log_path=logs / "beat.log"):
            for kill in range(KILLS):
                log_path = logs / f"worker-{kill}.log"
                with celery_process(*worker_args, env=env, log_path=log_path) as worker:
                    wait_ready(log_path)
                    time.sleep(rng.uniform(0.1, 1.5))
                    os.killpg(worker.pid, signal.SIGKILL)
                    worker.wait(10)
            log_path = logs / "worker-last.log"
            with celery_process(*worker_args, env=env, log_path=log_path):
                wait_ready(log_path)
                finished = wait_for(lambda: state(db_path) == (0, 0), timeout=60, interval=0.5)

        db = sqlite3.connect(db_path, timeout=30)
        integrity = db.execute("PRAGMA integrity_check").fetchall()
        jobs = db.execute("SELECT id, state, created_count, error_count FROM contacts_importjob ORDER BY id").fetchall()
        counts = dict(db.execute("SELECT status, count(*) FROM messaging_delivery GROUP BY status").fetchall())
        db.close()
        received = Counter(sink.recipients())

    assert integrity == [("ok",)], integrity[:5]
    assert finished, {
        "messages and imports left": state(db_path),
        "deliveries": counts,
        "imports": jobs,
        "last worker's log": (logs / "worker-last.log").read_text(errors="replace")[-3000:],
    }
    everyone = [email for _pk, emails in plan["messages"] for email in emails]
    assert set(received) == set(everyone) and counts == {"sent": SENDS * PER_SEND}, counts
    duplicates = sum(n - 1 for n in received.values())
    assert duplicates <= CONCURRENCY * KILLS  # only what was in flight at each kill
    assert jobs == [(pk, "done", ROWS, 0) for pk in plan["imports"]]
