"""The contacts tables as the importer reads and writes them, in bulk.

What is specific to contacts lives here; the generic bulk writer is ``core.db.copy``.
``contact_values`` gives a batch's rows as Contact columns (CONTACT_COLUMNS), already
encrypted (the city and neighbourhood blind-indexed too); ``contacts_where`` finds
existing contacts by blind index in one query;
``insert_for_contacts`` writes one membership or consent row per contact;
``refresh_statistics`` keeps PostgreSQL's planner right after a large load.
"""

from django.db import connection

from core.db.copy import copy_lines, driver_cursor, insert_rows

from ..labels import clean_label, label_index
from ..models import ConsentEvent, Contact, Membership

CONTACT_COLUMNS = (
    "given_name_enc",
    "family_name_enc",
    "email_enc",
    "phone_enc",
    "notes_enc",
    "email_hash",
    "phone_hash",
    "phone_verified",
    "city_enc",
    "neighbourhood_enc",
    "city_hash",
    "neighbourhood_hash",
    "language",
    "status",
    "source",
    "created",
    "updated",
)
# What deciding about an existing contact needs: its keys and which fields are empty.
LOOKUP_COLUMNS = ("id", "email_hash", "phone_hash", "phone_enc", "given_name_enc", "family_name_enc", "status")


def contact_values(rows, ring, now):
    """The rows as tuples of CONTACT_COLUMNS: new contacts from an import, with the status
    the file gave them (subscribed, or unsubscribed, bounced… where it says they opted out),
    encrypted with `ring` (a generator: the caller formats or lists them)."""
    encrypt = ring.encrypt
    places = {}  # (kind, as written) -> (as stored, blind index): a file names few places

    def place(kind, value):
        found = places.get((kind, value))
        if found is None:
            clean = clean_label(value)
            found = places[kind, value] = (clean, label_index(clean, kind, ring))
        return found

    return (
        (
            encrypt(r.given_name),
            encrypt(r.family_name),
            encrypt(r.email),
            encrypt(r.phone),
            encrypt(r.notes),
            r.email_hash,
            r.phone_hash,
            r.phone_verified,
            encrypt((city := place("city", r.city))[0]),
            encrypt((hood := place("neighbourhood", r.neighbourhood))[0]),
            city[1],
            hood[1],
            r.language,
            r.status,
            "import",
            now,
            now,
        )
        for r in rows
    )


def contacts_where(column, hashes, email_is_null=False):
    """Contacts whose `column` is one of `hashes` (only the LOOKUP_COLUMNS)."""
    hashes = list(set(hashes))
    if not hashes:
        return []
    # Column and table names are constants of this module, never input.
    if connection.vendor == "postgresql":
        where, params = f"{column} = ANY(%s)", [hashes]  # one array parameter, not thousands
    else:
        where, params = f"{column} IN ({', '.join(['%s'] * len(hashes))})", hashes
    if email_is_null:
        where += " AND email_hash IS NULL"
    sql = f"SELECT {', '.join(LOOKUP_COLUMNS)} FROM {Contact._meta.db_table} WHERE {where}"  # noqa: S608
    with driver_cursor() as cursor:
        cursor.execute(sql, params)
        values = cursor.fetchall()
    return [Contact(**dict(zip(LOOKUP_COLUMNS, v, strict=True))) for v in values]


def insert_for_contacts(model, contact_ids, shared):
    """Insert one `model` row per contact id, all rows alike but for the contact:
    the shared columns are formatted once, not once a row."""
    if not contact_ids:
        return
    columns = ("contact_id", *shared)
    if connection.vendor != "postgresql":
        insert_rows(model, columns, [(cid, *shared.values()) for cid in contact_ids])
        return
    (suffix,) = copy_lines(model, tuple(shared), [tuple(shared.values())])
    insert_rows(model, columns, lines=[f"{cid}\t{suffix}" for cid in contact_ids])


def refresh_statistics():
    """Update PostgreSQL's statistics for the tables an import fills (no-op elsewhere)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in (Contact, Membership, ConsentEvent):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
