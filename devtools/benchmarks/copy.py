"""`manage.py bench copy`: core.db.copy's bulk writer against psycopg's own ``copy()`` API.

Writes the importer's two shapes of rows into the real tables, each run in a
transaction that is rolled back (the database is left as it was):

* ``contacts``: new contacts as an import writes them (encrypted names, email, phone
  and notes as bytes, blind-index hashes, Arabic cities, timestamps), with their ids
  drawn from the sequence and returned in order (``with_ids=True``);
* ``events``: one consent event per contact, alike but for the contact (a JSON
  detail, nullable foreign keys), as ``insert_for_contacts`` writes them.

Each shape is written by
(a) ``hamla``: ``insert_rows`` (rows formatted by Hamla in COPY's text format, sent
    with ``copy.write`` in chunks), its two halves timed apart too (``format``: what
    the import's reading thread does; ``send``: what its writer thread does);
(b) ``write_row``: psycopg's ``copy.write_row`` on the same statement (psycopg adapts
    each value, in C with psycopg-binary);
(c) ``write_row_binary``: ``write_row`` in COPY's binary format with ``set_types``.

Figures are rows/s, the best of ``repeat`` runs (the least disturbed by the other
processes on the machine). PostgreSQL only: elsewhere ``run`` says so and measures
nothing.
"""

import os
import random
import time
from datetime import UTC, datetime

from django.db import connection, transaction
from psycopg.types.json import Jsonb

from contacts.importing.writer import CONTACT_COLUMNS
from contacts.models import ConsentEvent, Contact
from core.db.copy import copy_lines, driver_cursor, insert_rows

DEFAULT_ROWS = 200_000
DEFAULT_REPEAT = 3
CITIES = ["حلب", "إدلب", "غازي عنتاب", "Gaziantep", "اعزاز", "الباب", "Istanbul"]
EVENT_COLUMNS = ("contact_id", "kind", "method", "contact_list_id", "actor_id", "detail", "created")
PG_NAMES = {"bigint": "int8", "integer": "int4", "timestamp with time zone": "timestamptz", "boolean": "bool"}


class _Rollback(Exception):
    """Raised to leave a timed transaction without committing it."""


def contact_rows(count, seed=1):
    """Rows of CONTACT_COLUMNS shaped like an import's: ciphertexts of realistic length
    (AES-GCM adds 28 bytes and a key byte to each value), 64-hex hashes, phones on half."""
    rng = random.Random(seed)
    now = datetime.now(tz=UTC)
    rows = []
    # One value per column, in CONTACT_COLUMNS order (a test checks the lengths agree).
    for i in range(count):
        has_phone = i % 2 == 0
        rows.append(
            (
                os.urandom(29 + rng.randrange(4, 12)),
                os.urandom(29 + rng.randrange(4, 14)),
                os.urandom(29 + rng.randrange(18, 30)),
                os.urandom(29 + 13) if has_phone else b"",
                b"",
                os.urandom(32).hex(),
                os.urandom(32).hex() if has_phone else None,
                True,
                os.urandom(29 + len(rng.choice(CITIES).encode())),
                b"",
                os.urandom(32).hex(),
                "",
                rng.choice(["ar", "ar", "en", "tr"]),
                "subscribed",
                "import",
                now,
                now,
            )
        )
    return rows


def event_rows(contact_ids, list_id=None):
    """One subscribed event per contact, as an import records them."""
    now = datetime.now(tz=UTC)
    detail = {"file": "مؤيدون.csv", "job": 42}
    return [(pk, "subscribed", "import", list_id, None, detail, now) for pk in contact_ids]


def _new_ids(cursor, model, count):
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [model._meta.db_table, count],
    )
    return [r[0] for r in cursor.fetchall()]


def _statement(model, columns, binary=False):
    fields = {f.attname: f for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    names = ", ".join(quote(fields[c].column) for c in columns)
    return f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")


def _db_types(model, columns):
    """PostgreSQL type names for set_types (binary COPY needs them)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    kinds = []
    for column in columns:
        field = fields[column]
        kind = (field.target_field if field.is_relation else field).rel_db_type(connection)
        kinds.append(PG_NAMES.get(kind, kind).split("(")[0])
    return kinds


def psycopg_write_row(model, columns, rows, with_ids=False, binary=False):
    """The same insert as core.db.copy.insert_rows, through psycopg's write_row."""
    adapt = _adapter(model, columns)
    with driver_cursor() as cursor:
        ids = []
        if with_ids:
            ids = _new_ids(cursor, model, len(rows))
            columns = ("id", *columns)
        with cursor.copy(_statement(model, columns, binary)) as copy:
            if binary:
                copy.set_types(_db_types(model, columns))
            if with_ids:
                for pk, row in zip(ids, rows, strict=True):
                    copy.write_row((pk, *adapt(row)))
            else:
                for row in rows:
                    copy.write_row(adapt(row))
    return ids


def _adapter(model, columns):
    """psycopg adapts dicts only when told they are JSON: wrap those columns."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    json_at = [i for i, c in enumerate(columns) if fields[c].get_internal_type() == "JSONField"]
    if not json_at:
        return lambda row: row

    def adapt(row):
        row = list(row)
        for i in json_at:
            row[i] = Jsonb(row[i])
        return row

    return adapt


def _timed(write):
    """(wall, client CPU) seconds `write()` takes inside a transaction then rolled back.
    The CPU time is this process's: what the import's threads compete for."""
    try:
        with transaction.atomic():
            start, cpu = time.perf_counter(), time.process_time()
            write()
            elapsed = (time.perf_counter() - start, time.process_time() - cpu)
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


def _best(write, repeat):
    """The least disturbed of `repeat` runs: the smallest wall time and CPU time."""
    runs = [_timed(write) for _ in range(repeat)]
    return min(wall for wall, _cpu in runs), min(cpu for _wall, cpu in runs)


def run(options):
    """Figures in rows/s (best of `repeat`), or a reason when not on PostgreSQL."""
    if connection.vendor != "postgresql":
        return {"skipped": "bench copy needs PostgreSQL: set DATABASE_URL=postgres://…"}
    count = options.get("copy_rows") or DEFAULT_ROWS
    repeat = options.get("repeat") or DEFAULT_REPEAT
    contacts = contact_rows(count)
    events = event_rows(range(1, count + 1))  # foreign keys are checked at commit: never, here

    figures = {"rows": count, "repeat": repeat}
    figures |= _measure("contacts", Contact, CONTACT_COLUMNS, contacts, True, repeat)
    figures |= _measure("events", ConsentEvent, EVENT_COLUMNS, events, False, repeat)
    return figures


def _measure(name, model, columns, rows, with_ids, repeat):
    lines = copy_lines(model, columns, rows)
    seconds = {
        "hamla": _best(lambda: insert_rows(model, columns, rows, with_ids=with_ids), repeat),
        "hamla_format": _best(lambda: copy_lines(model, columns, rows), repeat),
        "hamla_send": _best(lambda: insert_rows(model, columns, lines=lines, with_ids=with_ids), repeat),
        "write_row": _best(lambda: psycopg_write_row(model, columns, rows, with_ids), repeat),
        "write_row_binary": _best(lambda: psycopg_write_row(model, columns, rows, with_ids, binary=True), repeat),
    }
    figures = {}
    for way, (wall, cpu) in seconds.items():
        figures[f"{name}_{way}_rows_per_s"] = round(len(rows) / wall)
        figures[f"{name}_{way}_client_cpu_us_per_row"] = round(cpu / len(rows) * 1e6, 2)
    return figures
