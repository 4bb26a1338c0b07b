"""Bulk actions on a selection of contacts (every one matching the list's filters, not a
page of them): tag, add to a list, remove from a list.

Each is one statement whatever the selection's size — an INSERT … SELECT of the rows
that are missing, or one DELETE — so 100k supporters cost what 3 do, and nothing is
decrypted. Returns the number of contacts actually changed (those already tagged or
already on the list are left as they are).

Adding to a list never brings back someone who left it themselves (their membership is
kept with subscribed=False, as on the contact's own page); removing deletes the
organizer's membership rows, so it is undone by adding again, while a supporter's own
leaving stays recorded.
"""

from django.db import connection, transaction
from django.db.models import BooleanField, DateTimeField, Exists, IntegerField, OuterRef, Value
from django.utils import timezone

from .models import Contact, Membership


def _insert_select(model, columns, rows):
    """INSERT INTO model (columns) SELECT … from the values_list queryset `rows` (its
    values in the order of `columns`); a row that exists meanwhile is skipped."""
    sql, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    # `rows` always has a WHERE (the NOT EXISTS), which SQLite needs before ON CONFLICT.
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql} ON CONFLICT DO NOTHING", params)
        return max(cursor.rowcount, 0)


def _ids(contacts):
    return contacts.order_by().values("pk")


def add_tag(contacts, tag):
    through = Contact.tags.through
    rows = (
        Contact.objects.filter(pk__in=_ids(contacts))
        .exclude(Exists(through.objects.filter(contact_id=OuterRef("pk"), tag_id=tag.pk)))
        .order_by()
        .annotate(bulk_tag=Value(tag.pk, output_field=IntegerField()))
        .values_list("pk", "bulk_tag")
    )
    return _insert_select(through, ("contact", "tag"), rows)


def add_to_list(contacts, contact_list):
    rows = (
        Contact.objects.filter(pk__in=_ids(contacts))
        .exclude(Exists(Membership.objects.filter(contact_id=OuterRef("pk"), contact_list_id=contact_list.pk)))
        .order_by()
        .annotate(
            bulk_list=Value(contact_list.pk, output_field=IntegerField()),
            bulk_subscribed=Value(True, output_field=BooleanField()),
            bulk_created=Value(timezone.now(), output_field=DateTimeField()),
        )
        .values_list("pk", "bulk_list", "bulk_subscribed", "bulk_created")
    )
    return _insert_select(Membership, ("contact", "contact_list", "subscribed", "created"), rows)


def remove_from_list(contacts, contact_list):
    rows = Membership.objects.filter(contact_list=contact_list, subscribed=True, contact_id__in=_ids(contacts))
    return rows.delete()[0]  # one DELETE: nothing depends on a membership row


def apply(action, contacts, target):
    """Run `action` ("tag", "add_list", "remove_list") on `contacts` with `target` (a Tag
    or a ContactList), in one transaction; the number of contacts changed."""
    run = {"tag": add_tag, "add_list": add_to_list, "remove_list": remove_from_list}[action]
    with transaction.atomic():
        return run(contacts, target)
