"""The embedded default (`make run`: SQLite and the folder broker, no server) survives
killed processes: a worker killed with SIGKILL twenty times during sends and imports
leaves a database that passes `PRAGMA integrity_check`, every send complete and every
import finished; and nothing in a process that has the database open reads its file
behind SQLite's back (what left the shared test database "malformed")."""

import sqlite3
import subprocess
import sys

from tests.services import sqlite_file_bytes

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
