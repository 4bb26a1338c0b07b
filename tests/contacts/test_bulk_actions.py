"""Bulk actions on the supporter list (issue 13, finding 2): tag, add to a list or remove
from a list every supporter the current filters match — all pages, not one — after a
confirmation stating the count; one audit event with counts; a constant number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent
from contacts.models import Contact, Membership, Tag
from tests.factories import organizer_client, volunteer_client

from .helpers import a_list, make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def five():
    """Five supporters, three of them in Aleppo (the filtered selection)."""
    chosen = a_list("Aleppo volunteers")
    people = [make_contact(email=f"p{i}@example.org", city="حلب" if i < 3 else "حمص") for i in range(5)]
    return chosen, [c.pk for c in people[:3]], [c.pk for c in people[3:]]


def search(client, **filters):
    """Search the list page as a person does (POSTed, kept in the session): the search id."""
    response = client.post(reverse("contacts:list"), filters)
    return re.search(r"s=([\w-]+)", response["Location"]).group(1)


def bulk(client, confirm=True, **data):
    if confirm:
        data["confirm"] = "yes"
    return client.post(reverse("contacts:bulk"), data)


def tagged(tag):
    return set(Contact.objects.filter(tags=tag).values_list("pk", flat=True))


def on_list(contact_list):
    return set(
        Membership.objects.filter(contact_list=contact_list, subscribed=True).values_list("contact_id", flat=True)
    )


def test_bulk_tag_changes_exactly_the_filtered_three_of_five_and_writes_one_audit_event(five):
    _list, three, _two = five
    tag = Tag.objects.create(name="Aleppo")
    client = organizer_client()
    bulk(client, s=search(client, city="حلب"), action="tag", tag=tag.pk)
    events = AuditEvent.objects.filter(action="contacts.bulk_tag")
    assert (tagged(tag), [(e.object_id, e.detail) for e in events]) == (
        set(three),
        [(str(tag.pk), {"matched": 3, "changed": 3})],
    )


def test_bulk_add_to_a_list_changes_exactly_the_filtered_three_of_five_and_writes_one_audit_event(five):
    chosen, three, _two = five
    client = organizer_client()
    bulk(client, s=search(client, city="حلب"), action="add_list", contact_list=chosen.pk)
    assert (on_list(chosen), AuditEvent.objects.filter(action="contacts.bulk_add_list").count()) == (set(three), 1)


def test_bulk_remove_from_a_list_changes_exactly_the_filtered_three_of_five_and_writes_one_audit_event(five):
    chosen, three, two = five
    for pk in three + two:
        Membership.objects.create(contact_id=pk, contact_list=chosen)
    client = organizer_client()
    bulk(client, s=search(client, city="حلب"), action="remove_list", contact_list=chosen.pk)
    assert (on_list(chosen), AuditEvent.objects.filter(action="contacts.bulk_remove_list").count()) == (set(two), 1)


def test_the_confirmation_states_the_count_and_changes_nothing(five):
    _list, three, _two = five
    tag = Tag.objects.create(name="Aleppo")
    client = organizer_client()
    page = bulk(client, confirm=False, s=search(client, city="حلب"), action="tag", tag=tag.pk)
    text = page.content.decode()
    assert (page.status_code, 'name="confirm" value="yes"' in text, "3" in re.sub(r"<[^>]+>", "", text)) == (
        200,
        True,
        True,
    )
    assert (tagged(tag), AuditEvent.objects.filter(action__startswith="contacts.bulk").count()) == (set(), 0)


def test_the_confirmation_posts_back_the_same_selection(five):
    _list, three, _two = five
    tag = Tag.objects.create(name="Aleppo")
    client = organizer_client()
    page = bulk(client, confirm=False, s=search(client, city="حلب"), action="tag", tag=tag.pk).content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
    fields.pop("csrfmiddlewaretoken", None)
    client.post(reverse("contacts:bulk"), {**fields, "confirm": "yes"})
    assert tagged(tag) == set(three)


def test_the_selection_is_every_matching_supporter_not_one_page():
    chosen = a_list("Everyone")
    tag = Tag.objects.create(name="All")
    ids = {make_contact(email=f"many{i}@example.org", contact_list=chosen).pk for i in range(60)}
    bulk(organizer_client(), lists=chosen.pk, action="tag", tag=tag.pk)  # plain filters, as links carry them
    assert tagged(tag) == ids


def test_a_bulk_action_costs_the_same_number_of_queries_for_5_or_60_supporters():
    chosen = a_list("Growing")
    tag = Tag.objects.create(name="t")
    client = organizer_client()
    bulk(client, lists=chosen.pk, action="tag", tag=tag.pk)  # warm the session

    def queries(n):
        for i in range(n):
            make_contact(email=f"q{n}-{i}@example.org", contact_list=chosen)
        Contact.tags.through.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            bulk(client, lists=chosen.pk, action="tag", tag=tag.pk)
        return len(ctx.captured_queries)

    assert queries(5) == queries(55)


def test_bulk_add_does_not_bring_back_someone_who_left_the_list():
    chosen = a_list("News")
    left = make_contact(email="left@example.org", contact_list=chosen)
    left.leave_list(chosen)
    stays = make_contact(email="new@example.org")
    bulk(organizer_client(), action="add_list", contact_list=chosen.pk)
    assert on_list(chosen) == {stays.pk}


@pytest.mark.parametrize(
    "data",
    [
        {"action": "explode", "tag": "1"},
        {"action": "tag"},
        {"action": "tag", "tag": "abc"},
        {"action": "add_list", "contact_list": "999999"},
        {"action": "tag", "tag": "1", "s": "no-such-search"},
        {"action": "tag", "tag": "1", "lists": "abc"},
    ],
)
def test_bad_bulk_requests_are_refused_without_a_500_and_change_nothing(data):
    make_contact(email="one@example.org")
    Tag.objects.create(name="only")
    response = bulk(organizer_client(), **data)
    assert (
        response.status_code,
        Contact.tags.through.objects.count(),
        AuditEvent.objects.filter(action__startswith="contacts.bulk").count(),
    ) == (302, 0, 0)


def test_volunteers_cannot_use_bulk_actions():
    make_contact(email="one@example.org")
    tag = Tag.objects.create(name="only")
    response = bulk(volunteer_client(), action="tag", tag=tag.pk)
    assert (response.status_code, Contact.tags.through.objects.count()) == (403, 0)
