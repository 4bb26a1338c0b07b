"""The audit log as sentences in the reader's language, with links, filters, pages and a
CSV export for admins (issue 13, finding 11)."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.audit_views import PAGE_SIZE
from accounts.models import AuditEvent, audit
from accounts.roles import ADMIN, ORGANIZER
from tests.campaigns.helpers import make_campaign
from tests.factories import logged_in, make_user

pytestmark = pytest.mark.django_db


def _page(client, lang="en", **params):
    return client.get(reverse("accounts:audit"), params, HTTP_ACCEPT_LANGUAGE=lang).content.decode()


def test_an_event_reads_as_an_english_sentence_with_a_link_to_its_object():
    admin = make_user(ADMIN, username="hala")
    campaign = make_campaign()
    audit(admin, "campaign.status", campaign, old="planned", new="active")
    page = _page(logged_in(admin))
    assert (
        f"hala moved campaign #{campaign.pk} from Planned to Active." in page,
        f'href="/campaigns/{campaign.pk}/"' in page,
    ) == (True, True)


def test_an_event_reads_as_an_arabic_sentence():
    admin = make_user(ADMIN, username="hala")
    campaign = make_campaign()
    audit(admin, "campaign.reopen", campaign)
    page = _page(logged_in(admin), lang="ar")
    assert f"أعاد hala فتح الحملة الملغاة: حملة رقم {campaign.pk}." in page


def test_an_object_that_no_longer_exists_has_no_link():
    admin = make_user(ADMIN)
    campaign = make_campaign()
    audit(admin, "campaign.edit", campaign)
    pk = campaign.pk
    campaign.delete()
    assert f'href="/campaigns/{pk}/"' not in _page(logged_in(admin))


def test_logins_and_failed_logins_are_in_the_log():
    admin = make_user(ADMIN, username="hala")
    from django.test import Client

    Client().post(reverse("accounts:login"), {"username": "hala", "password": "wrong"})
    page = _page(logged_in(admin))
    assert ("A login as hala failed" in page, "hala logged in." in page) == (True, True)


def test_the_log_filters_by_person_action_and_date():
    admin, other = make_user(ADMIN, username="hala"), make_user(ORGANIZER, username="omar")
    campaign = make_campaign()
    audit(other, "campaign.edit", campaign)
    audit(admin, "campaign.create", campaign)
    old = audit(other, "campaign.create", campaign)
    AuditEvent.objects.filter(pk=old.pk).update(created=old.created.replace(year=2020))
    page = _page(logged_in(admin), person="omar", action="campaign.create", since="2019-01-01", until="2020-12-31")
    assert (page.count("omar created"), "omar edited" in page, "hala created" in page) == (1, False, False)


def test_the_log_is_paginated():
    admin = make_user(ADMIN)
    AuditEvent.objects.bulk_create(AuditEvent(action="outbox.viewed", actor_username="x") for _ in range(PAGE_SIZE + 5))
    client = logged_in(admin)
    first, second = _page(client), _page(client, page=2)
    assert (first.count('class="audit-event"'), second.count('class="audit-event"')) == (PAGE_SIZE, 5 + 1)


def test_a_bad_date_filter_is_a_400_not_a_500():
    response = logged_in(make_user(ADMIN)).get(reverse("accounts:audit"), {"since": "yesterday"})
    assert response.status_code == 400


def test_the_csv_export_is_for_admins_only():
    response = logged_in(make_user(ORGANIZER)).get(reverse("accounts:audit_csv"))
    assert response.status_code == 403


def test_the_csv_export_neutralises_formulas_and_is_never_cached():
    admin = make_user(ADMIN)
    AuditEvent.objects.create(action="=HYPERLINK(1)", actor_username="@evil")
    response = logged_in(admin).get(reverse("accounts:audit_csv"), HTTP_ACCEPT_LANGUAGE="en")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    planted = [row for row in rows if "HYPERLINK" in row[2]][0]
    assert (response["Cache-Control"].startswith("no-store"), planted[1], planted[2]) == (
        True,
        "'@evil",
        "'=HYPERLINK(1)",
    )


def test_the_csv_export_is_itself_audited():
    admin = make_user(ADMIN)
    response = logged_in(admin).get(reverse("accounts:audit_csv"))
    b"".join(response.streaming_content)
    assert AuditEvent.objects.filter(action="audit.export", actor=admin).count() == 1


def test_an_event_without_a_sentence_still_shows_its_code():
    admin = make_user(ADMIN, username="hala")
    audit(admin, "something.new", None, count=3)
    assert "hala: something.new" in _page(logged_in(admin))
