"""Bulk writes for any Django model: COPY on PostgreSQL, prepared INSERTs elsewhere.

Generic: callers pass a model class and attribute names; nothing here knows an app.

Guarantees:
- ``insert_rows`` writes every row or raises (the caller's transaction decides what
  survives); with ``with_ids=True`` it returns the new primary keys in row order.
- Values are written as the model's fields would store them: NULLs, bytes, booleans,
  numbers, timestamps, JSON and any text (tabs, newlines, backslashes, Arabic) come
  back unchanged.
- Statements go through the driver's own cursor (``driver_cursor``), so a large load
  does not fill Django's DEBUG query log, while errors still arrive as Django's.

On PostgreSQL the rows are formatted here, in COPY's text format, one formatter per
column type, and sent in chunks with ``copy.write``, each chunk formatted while the
server parses the one before. Measured against psycopg's own ``copy.write_row`` on the
same statement (devtools/benchmarks/copy.py: 200,000 rows into the real tables in a
rolled-back transaction, best of 3, three runs, PostgreSQL 15 on a shared 2-core
machine), this writer is as fast or faster and costs less client CPU, so it stays:

- contacts as an import writes them (five ciphertexts, hashes, timestamps, ids
  returned): 49,000-53,000 rows/s against 46,000-47,000, and 4.4-5.4 µs of client CPU
  a row against 4.7-5.3 (the server's index upkeep dominates both);
- consent events (JSON detail, nullable keys): 260,000-286,000 rows/s against
  268,000-279,000, and 1.15 µs of client CPU a row against 3.2-3.3 (2.8 times less).

The importer gains more than these figures show: it formats on its reading thread
(``copy_lines``) and its writing thread then spends 0.15 µs a row sending the lines,
which ``write_row`` cannot split. psycopg's binary COPY (``write_row`` after
``set_types``) spent less CPU on contacts (about 2 µs a row: bytes go unencoded) but
more on events (2.1 µs), and needs a PostgreSQL type name for every column.
"""

import json
from contextlib import contextmanager
from itertools import islice

from django.db import connection

# Lines sent to COPY per write(): large enough that the per-call cost vanishes, small
# enough that the joined string stays a few hundred kilobytes.
CHUNK = 1000
NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NUMBERS = ("AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField")
_NUMBERS += ("PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField")


@contextmanager
def driver_cursor():
    """The database driver's own cursor, under Django's connection handling but outside
    its DEBUG query log: with DEBUG on, the log would keep every batch's SQL (tens of
    megabytes of hashes and values for a large file) until the process ends. Its errors
    still arrive as Django's (IntegrityError, OperationalError), which callers handle."""
    with connection.cursor() as cursor, connection.wrap_database_errors:
        yield cursor.cursor


def insert_rows(model, columns, rows=(), with_ids=False, lines=None):
    """Insert tuples of `columns` (attribute names) into `model`'s table; return the new
    ids, in row order, when asked. On PostgreSQL this is COPY with ids drawn from the
    sequence in one query: several times faster than INSERT. On PostgreSQL `lines` may
    stand in for `rows`: the rows already in COPY's text format (from copy_lines), so a
    caller can format on one thread and write on another. Elsewhere (SQLite) it is a
    prepared INSERT per row. The ORM's bulk_create would spend most of a large load
    building model instances."""
    if not rows and not lines:
        return []
    if connection.vendor != "postgresql":
        return _insert_plain(model, columns, rows, with_ids)
    if lines is None:
        rows = rows if isinstance(rows, list | tuple) else list(rows)
        # Formatted a chunk at a time while the server parses the chunk before.
        lines = map(_row_formatter(model, columns), rows)
        count = len(rows)
    else:
        count = len(lines)
    ids = []
    with driver_cursor() as cursor:
        if with_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            ids = [r[0] for r in cursor.fetchall()]
            lines = (f"{pk}\t{line}" for pk, line in zip(ids, lines, strict=True))
            columns = ("id", *columns)
        _copy(cursor, model, columns, lines)
    return ids


def _insert_plain(model, columns, rows, with_ids):
    fields = {f.attname: f for f in model._meta.concrete_fields}
    prepare = [fields[c].get_db_prep_save for c in columns]
    quote = connection.ops.quote_name
    names = ", ".join(quote(fields[c].column) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({placeholders})"  # noqa: S608 - model names
    prepared = ([p(v, connection) for p, v in zip(prepare, row, strict=True)] for row in rows)
    with driver_cursor() as cursor:
        if not with_ids:
            cursor.executemany(sql, prepared)
            return []
        ids = []
        for values in prepared:
            cursor.execute(sql + " RETURNING id", values)
            ids.append(cursor.fetchone()[0])
        return ids


def copy_lines(model, columns, rows):
    """`rows` (tuples of `columns`) in COPY's text format, one string a row, no newline.
    Formatting here, one formatter per column type, costs less client CPU than psycopg's
    per-value adaptation (see the module docstring)."""
    return list(map(_row_formatter(model, columns), rows))


def _row_formatter(model, columns):
    fields = {f.attname: f for f in model._meta.concrete_fields}
    formatters = [_formatter(fields[c]) for c in columns]

    def format_row(row):
        return "\t".join([fmt(v) for fmt, v in zip(formatters, row, strict=True)])

    return format_row


def _copy(cursor, model, columns, lines):
    """Send `lines` (any iterable) in chunks of CHUNK."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    names = ", ".join(quote(fields[c].column) for c in columns)
    lines = iter(lines)
    with cursor.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN") as copy:
        while chunk := list(islice(lines, CHUNK)):
            copy.write("\n".join(chunk) + "\n")


def _copy_text(value):
    if value is None:
        return NULL
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def _copy_bytes(value):
    return NULL if value is None else "\\\\x" + bytes(value).hex()


def _copy_number(value):
    return NULL if value is None else str(int(value))


def _copy_bool(value):
    return NULL if value is None else ("t" if value else "f")


def _memoised(encode):
    """A formatter for values a batch shares (its timestamp, its detail dict): each
    distinct object is encoded once."""
    last = [None, None]

    def format_value(value):
        if value is None:
            return NULL
        if value is not last[0]:
            last[0], last[1] = value, encode(value)
        return last[1]

    return format_value


def _formatter(field):
    kind = field.get_internal_type()
    if kind == "BinaryField":
        return _copy_bytes
    if kind in ("CharField", "TextField", "SlugField"):
        return _copy_text
    if kind == "BooleanField":
        return _copy_bool
    if kind in _NUMBERS or field.is_relation:
        return _copy_number
    if kind == "DateTimeField":
        return _memoised(lambda value: value.isoformat())
    if kind == "JSONField":
        return _memoised(lambda value: json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES))
    raise TypeError(f"insert_rows cannot COPY a {kind}")
