"""A copy of the database alone must reveal no supporter's name, email or phone."""

import subprocess

import pytest
from django.db import connection

from contacts.importing import import_file
from tests.services import need_tool, sqlite_file_bytes

from .helpers import ARABIC_ROWS, a_list, make_contact, write_csv

SECRETS = [
    "أحمد",
    "الحلبي",
    "ahmad.halabi",
    "944123456",
    "فاطمة",
    "fatima.shami",
    "933222111",
    "Haddad",
    "lina.haddad",
    "Zainab",
    "zainab.secret",
    "955444333",
]


def plaintext_variants(value):
    return [value.encode("utf-8"), value.encode("utf-16-le")]


def database_bytes():
    if connection.vendor == "sqlite":
        from pathlib import Path

        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(FULL)")
        name = Path(connection.settings_dict["NAME"])
        # Read by a child process: reading it here would drop our connection's locks.
        return b"".join(sqlite_file_bytes(p) for p in (name, Path(f"{name}-wal")))
    pg_dump = need_tool("pg_dump", "postgresql-client")
    db = connection.settings_dict
    env = {"PGPASSWORD": db.get("PASSWORD") or ""}
    result = subprocess.run(
        [pg_dump, "-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432), "-U", db["USER"], db["NAME"]],
        capture_output=True,
        env=env,
        check=True,
    )
    return result.stdout


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_contains_no_supporter_name_email_or_phone(tmp_path):
    if connection.vendor not in ("sqlite", "postgresql"):
        pytest.skip("dump check written for SQLite and PostgreSQL")
    contact_list = a_list()
    path = write_csv(tmp_path / "s.csv", ["name,email,phone"] + [",".join(r) for r in ARABIC_ROWS], "cp1256")
    result = import_file(path, contact_list)
    assert result.created == 3
    make_contact(email="zainab.secret@example.org", given="Zainab", family="X", phone="0955 444 333", notes="x")
    dump = database_bytes()
    assert b"contacts_contact" in dump or connection.vendor == "sqlite"
    leaks = [s for s in SECRETS for v in plaintext_variants(s) if v in dump]
    assert leaks == []
