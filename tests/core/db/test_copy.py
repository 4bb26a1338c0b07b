"""core.db.copy: what goes in comes back unchanged, on SQLite and (with DATABASE_URL) PostgreSQL.

The writer is generic; these tests use existing models only for their field types:
Contact (bytes, nullable text, timestamps), ConsentEvent (JSON, nullable foreign keys
and big integers), Membership (booleans) and ImportJob (free text, positive integers).
"""

from datetime import UTC, datetime

import pytest
from django.db import connection

from contacts.models import ConsentEvent, Contact, ContactList, ImportJob, Membership
from core.db.copy import copy_lines, driver_cursor, insert_rows
from tests.services import need_postgres

pytestmark = pytest.mark.django_db

WHEN = datetime(2024, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
AWKWARD = [
    "plain",
    "tab\there",
    "new\nline",
    "carriage\rreturn\r\n",
    "back\\slash \\N \\t \\\\",
    "حلب، الشهباء\tحي\nالسلام",
    "",
    "\\",
    "ends with a backslash\\",
    "emoji 🌿 and زخرفة",
]


def _columns(model, values):
    """Every column of `model` but the id, as attribute names, and one row of values:
    `values` where given, else the field's default (a raw insert applies none)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return tuple(f.attname for f in fields), tuple(values.get(f.attname, f.get_default()) for f in fields)


def _contacts(count, **overrides):
    rows = []
    for i in range(count):
        values = {
            "city_hash": f"row {i}",
            "source": AWKWARD[i % len(AWKWARD)],
            "email_hash": f"{i:064x}" if i % 2 else None,
            "phone_hash": None,
            "notes_enc": bytes([i % 256, 0, 255, 92, 9, 10]),
            "created": WHEN,
            "updated": WHEN,
        }
        columns, row = _columns(Contact, values | overrides)
        rows.append(row)
    return columns, rows


def test_text_bytes_nulls_and_timestamps_come_back_unchanged():
    columns, rows = _contacts(len(AWKWARD) * 2)
    assert insert_rows(Contact, columns, rows) == []
    stored = [
        tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)  # PostgreSQL's bytea is a memoryview
        for row in Contact.objects.values_list(*columns)
    ]
    assert sorted(stored) == sorted(rows)


def test_with_ids_returns_the_new_ids_in_row_order():
    Contact.objects.create(city="before")  # ids do not start at 1
    columns, rows = _contacts(250)
    ids = insert_rows(Contact, columns, rows, with_ids=True)
    assert len(ids) == len(set(ids)) == 250
    by_id = dict(Contact.objects.filter(pk__in=ids).values_list("pk", "city_hash"))
    assert [by_id[pk] for pk in ids] == [f"row {i}" for i in range(250)]
    # The table's own sequence moved past them: the next ordinary insert does not collide.
    assert Contact.objects.create(city="after").pk not in ids


def test_booleans_numbers_json_and_null_foreign_keys():
    contact_list = ContactList.objects.create(name="L")
    contact_ids = insert_rows(Contact, *_contacts(3), with_ids=True)
    insert_rows(
        Membership,
        ("contact_id", "contact_list_id", "subscribed", "created"),
        [(pk, contact_list.pk, i % 2 == 0, WHEN) for i, pk in enumerate(contact_ids)],
    )
    assert sorted(Membership.objects.values_list("contact_id", "subscribed")) == [
        (contact_ids[0], True),
        (contact_ids[1], False),
        (contact_ids[2], True),
    ]
    details = [{"file": "قائمة\t1.csv", "job": 7, "nested": {"a": [1, None, "x\\y\nz"]}}, {}, {"quote": '"'}]
    big = 2**53 + 1
    insert_rows(
        ConsentEvent,
        ("contact_id", "kind", "method", "contact_list_id", "actor_id", "message_id", "detail", "created"),
        [
            (contact_ids[0], "subscribed", "import", contact_list.pk, None, big, details[0], WHEN),
            (contact_ids[1], "subscribed", "import", None, None, None, details[1], WHEN),
            (None, "erased", "", None, None, -5, details[2], WHEN),
        ],
    )
    stored = ConsentEvent.objects.order_by("id").values_list("contact_id", "contact_list_id", "message_id", "detail")
    assert list(stored) == [
        (contact_ids[0], contact_list.pk, big, details[0]),
        (contact_ids[1], None, None, details[1]),
        (None, None, -5, details[2]),
    ]


def test_free_text_and_positive_integers_in_another_model():
    contact_list = ContactList.objects.create(name="L")
    rows = []
    for i, (name, text) in enumerate(zip(AWKWARD, reversed(AWKWARD), strict=True)):
        values = {"contact_list_id": contact_list.pk, "file_name": name, "path": "/tmp/x", "size": 10**12, "line": i}
        values |= {"failure": text, "finished": None if i % 2 else WHEN, "errors": [{"line": i}], "created": WHEN}
        columns, row = _columns(ImportJob, values)
        rows.append(row)
    ids = insert_rows(ImportJob, columns, rows, with_ids=True)
    assert len(ids) == len(AWKWARD)
    by_id = {job.pk: job for job in ImportJob.objects.all()}
    for pk, row in zip(ids, rows, strict=True):
        stored = tuple(getattr(by_id[pk], column) for column in columns)
        assert stored == row


def test_nothing_to_insert_is_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_rows(Contact, ("city",), [], with_ids=True) == []


def test_copy_lines_escape_what_copy_would_read_as_structure():
    (line,) = copy_lines(ImportJob, ("failure", "finished", "line"), [("a\tb\\c\nd\re", None, 3)])
    assert line == "a\\tb\\\\c\\nd\\re\t\\N\t3"
    (line,) = copy_lines(Contact, ("notes_enc", "email_hash"), [(b"\x00\xff", None)])
    assert line == "\\\\x00ff\t\\N"


def test_a_field_type_copy_cannot_format_is_refused_not_guessed():
    from campaigns.models import Campaign

    with pytest.raises(TypeError):
        copy_lines(Campaign, ("start_date",), [(WHEN.date(),)])


def test_driver_cursor_errors_are_djangos():
    from django.db import IntegrityError

    columns, rows = _contacts(1, email_hash="f" * 64)
    insert_rows(Contact, columns, rows)
    with pytest.raises(IntegrityError):
        insert_rows(Contact, columns, rows)


def test_on_postgresql_preformatted_lines_are_copied_as_they_are():
    need_postgres()
    columns, rows = _contacts(20)
    lines = copy_lines(Contact, columns, rows)
    ids = insert_rows(Contact, columns, lines=lines, with_ids=True)
    by_id = {c.pk: c for c in Contact.objects.all()}
    index, source, notes = (columns.index(c) for c in ("city_hash", "source", "notes_enc"))
    assert [(by_id[pk].city_hash, by_id[pk].source, bytes(by_id[pk].notes_enc)) for pk in ids] == [
        (r[index], r[source], r[notes]) for r in rows
    ]
    with driver_cursor() as cursor:  # the driver's own cursor, outside Django's query log
        cursor.execute("SELECT count(*) FROM " + connection.ops.quote_name(Contact._meta.db_table))  # noqa: S608
        assert cursor.fetchone()[0] == 20
