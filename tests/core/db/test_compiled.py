"""core.db.compiled: a queryset compiled once answers as the queryset itself does.

Generic: these tests use Django's own Permission (with its content type) and ConsentEvent
(JSON and timestamps, converted from the database) for their fields only."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import ConsentEvent, Contact
from core.db.compiled import CompiledQuery

pytestmark = pytest.mark.django_db

PERMISSION = CompiledQuery(
    lambda app, codename: Permission.objects.select_related("content_type").filter(
        content_type__app_label=app, codename=codename
    ),
    app="\x00app",
    codename="\x00codename",
)


def fields(instance):
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_it_finds_the_instance_the_queryset_finds():
    expected = Permission.objects.get(content_type__app_label="auth", codename="add_group")
    assert fields(PERMISSION.first(app="auth", codename="add_group")) == fields(expected)


def test_its_related_instance_comes_in_the_same_query():
    with CaptureQueriesContext(connection) as queries:
        found = PERMISSION.first(app="auth", codename="add_group")
        found.content_type.model  # noqa: B018 (read for the query it would need)
    assert (found.content_type.model, len(queries)) == ("group", 1)


def test_it_runs_again_with_other_values():
    PERMISSION.first(app="auth", codename="add_group")
    assert PERMISSION.first(app="auth", codename="change_user").codename == "change_user"


def test_nothing_found_is_none():
    assert PERMISSION.first(app="auth", codename="no_such_permission") is None


def test_values_are_converted_as_the_orm_converts_them():
    contact = Contact.objects.create(status=Contact.Status.PENDING)
    ConsentEvent.objects.create(contact=contact, kind=ConsentEvent.Kind.REQUESTED, detail={"a": [1, "ب"]})
    compiled = CompiledQuery(lambda pk: ConsentEvent.objects.filter(contact_id=pk), pk=-1)
    expected = ConsentEvent.objects.filter(contact_id=contact.pk).first()
    assert fields(compiled.first(pk=contact.pk)) == fields(expected)


def test_a_mark_that_is_not_one_parameter_is_refused():
    # The same mark twice in the query: which value goes where cannot be told.
    compiled = CompiledQuery(lambda codename: Permission.objects.filter(codename=codename, name=codename), codename="x")
    with pytest.raises(ImproperlyConfigured):
        compiled.first(codename="add_group")


def test_it_asks_the_database_for_one_row_only():
    # Many rows match; the database is asked for the first one, not for all of them.
    every_permission = CompiledQuery(lambda app: Permission.objects.filter(content_type__app_label=app), app="\x00app")
    with CaptureQueriesContext(connection) as queries:
        every_permission.first(app="auth")
    assert queries[0]["sql"].rstrip().upper().endswith("LIMIT 1")
