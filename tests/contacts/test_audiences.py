"""Audiences from where people came from (issue 13, finding 2): flyer signups are one
segment away — filters by campaign, source, print run and signup date; the campaign
panel's link to the people a campaign brought in; newsletters to such a segment; export
by segment for admins."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from contacts import signup
from contacts.filters import apply_filters
from contacts.forms import FilterForm
from contacts.models import ConsentEvent, Contact, Segment
from tests.factories import admin_client, organizer_client
from tests.flyers.factories import make_campaign, make_flyer, make_run

from .helpers import a_list, make_contact

pytestmark = pytest.mark.django_db


def sign_up(email, path, **data):
    """A stranger signs up on a public page; returns their contact (still pending)."""
    form = {"email": email, "given_name": "", "language": "ar", "website": ""} | data
    response = Client().post(path, form)
    assert response.status_code in (200, 302)
    return Contact.objects.by_email(email)


def confirm(contact):
    """Click the emailed link (the token carries what the signup was made through)."""
    event = contact.consent_events.filter(kind="requested").first()
    token = signup.make_token(contact, event.campaign, event.print_run, event.contact_list)
    assert signup.confirm_token(token) == contact


def matching(**data):
    """Contact ids the filter form's `data` selects, as the list page and segments read it."""
    form = FilterForm(data)
    return set(apply_filters(Contact.objects.all(), form.filters()).values_list("pk", flat=True))


@pytest.fixture
def origins():
    """One supporter from each place people come from, around one campaign's flyer."""
    campaign = make_campaign(slug="water")
    other = make_campaign(slug="schools")
    run = make_run(make_flyer(campaign), city="حلب")
    other_run = make_run(make_flyer(other))
    people = {
        "flyer": sign_up("flyer@example.org", reverse("public:signup") + f"?r={run.code}"),
        "campaign_page": sign_up("page@example.org", reverse("public:campaign", args=["water"])),
        "public": sign_up("public@example.org", reverse("public:signup")),
        "other_flyer": sign_up("other@example.org", reverse("public:signup") + f"?r={other_run.code}"),
        "imported": make_contact(email="imported@example.org", source="import"),
        "manual": make_contact(email="manual@example.org", source="organizer"),
    }
    for key in ("flyer", "campaign_page", "public", "other_flyer"):
        confirm(people[key])
    return campaign, run, {key: contact.pk for key, contact in people.items()}


def test_a_flyer_signup_is_found_by_its_campaign_source_and_print_run(origins):
    campaign, run, ids = origins
    found = (
        matching(campaign=[campaign.pk]) & matching(source=["flyer"]) & matching(print_run=[run.pk]),
        matching(campaign=[campaign.pk], source=["flyer"], print_run=[run.pk]),
    )
    assert found == ({ids["flyer"]}, {ids["flyer"]})


def test_each_source_selects_the_people_who_came_that_way(origins):
    _campaign, _run, ids = origins
    by_source = {code: matching(source=[code]) for code in ("flyer", "signup", "import", "manual")}
    assert by_source == {
        "flyer": {ids["flyer"], ids["other_flyer"]},
        "signup": {ids["campaign_page"], ids["public"]},
        "import": {ids["imported"]},
        "manual": {ids["manual"]},
    }


def test_an_unknown_source_selects_no_one_rather_than_everyone(origins):
    assert apply_filters(Contact.objects.all(), {"source": ["fax"]}).count() == 0


def test_a_standalone_flyer_signup_is_credited_to_the_flyers_campaign(origins):
    campaign, run, ids = origins
    assert ConsentEvent.objects.get(contact_id=ids["flyer"], kind="confirmed").campaign == campaign


def test_a_signup_event_carrying_only_its_print_run_still_counts_for_the_flyers_campaign(origins):
    campaign, run, ids = origins
    ConsentEvent.objects.filter(contact_id=ids["flyer"]).update(campaign=None)  # as older signups were kept
    assert ids["flyer"] in matching(campaign=[campaign.pk])


def test_signup_date_filters_select_by_the_day_people_signed_up(origins):
    _campaign, _run, ids = origins
    Contact.objects.filter(pk=ids["public"]).update(created="2025-03-10T12:00:00Z")
    assert matching(created_after="2025-03-01", created_before="2025-03-31") == {ids["public"]}


def test_the_campaign_panels_link_lists_exactly_the_people_that_campaign_brought_in(origins):
    campaign, run, ids = origins
    known = make_contact(email="known@example.org", source="import")  # asks again, never confirms
    sign_up("known@example.org", reverse("public:campaign", args=["water"]))
    waiting = sign_up("waiting@example.org", reverse("public:campaign", args=["water"]))  # not confirmed yet
    client = organizer_client()
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    link = re.search(r'<a class="button" href="([^"]+)">[^<]*</a>', page[page.index("campaign-people") :]).group(1)
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    shown = {int(pk) for pk in re.findall(r'href="/contacts/(\d+)/"', listed)}
    assert shown == {ids["flyer"], ids["campaign_page"], waiting.pk} and known.pk not in shown


def test_each_print_run_on_the_campaign_panel_links_to_the_people_it_brought_in(origins):
    campaign, run, ids = origins
    client = organizer_client()
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    link = re.search(r'<li><a href="([^"]+)">', page[page.index("print-run-people") :]).group(1)
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert {int(pk) for pk in re.findall(r'href="/contacts/(\d+)/"', listed)} == {ids["flyer"]}


def test_a_segment_saved_by_campaign_is_a_newsletter_audience(origins):
    from messaging.forms import MessageForm
    from messaging.models import Message

    campaign, _run, ids = origins
    client = organizer_client()
    client.post(reverse("contacts:segment_new"), {"campaign": campaign.pk, "name": "Water"})
    segment = Segment.objects.get(name="Water")
    form = MessageForm({"campaign": campaign.pk, "subject_ar": "مرحبا", "body_ar": "نص", "segment": segment.pk})
    assert form.is_valid(), form.errors
    message = form.save()
    assert isinstance(message, Message)
    assert set(message.audience().values_list("pk", flat=True)) == {ids["flyer"], ids["campaign_page"]}


def test_an_organizer_cannot_export(origins):
    segment = Segment.objects.create(name="Everyone", filters={})
    response = organizer_client().post(reverse("contacts:export"), {"segment": segment.pk})
    assert response.status_code == 403


def test_an_admin_exports_a_segment_and_the_export_is_audited(origins):
    campaign, _run, _ids = origins
    segment = Segment.objects.create(name="Water", filters={"campaign": [campaign.pk]})
    response = admin_client().post(reverse("contacts:export"), {"segment": segment.pk})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    emails = {line.split('","')[2] for line in body.splitlines()[1:]}
    event = AuditEvent.objects.get(action="contacts.export")
    assert (emails, event.object_id, event.detail["count"]) == (
        {"flyer@example.org", "page@example.org"},
        str(segment.pk),
        2,
    )


@pytest.mark.parametrize(
    "data",
    [{}, {"segment": "abc"}, {"segment": "999999"}, {"contact_list": "x"}, {"segment": "SEG", "contact_list": "LIST"}],
)
def test_a_bad_export_request_is_refused_with_a_400_and_nothing_is_exported(data):
    real = {"LIST": str(a_list("Supporters").pk), "SEG": str(Segment.objects.create(name="Any", filters={}).pk)}
    response = admin_client().post(reverse("contacts:export"), {k: real.get(v, v) for k, v in data.items()})
    assert (response.status_code, AuditEvent.objects.filter(action="contacts.export").count()) == (400, 0)


def test_the_export_command_writes_a_segment_to_an_owner_only_file(origins, tmp_path):
    from django.core.management import call_command

    campaign, _run, _ids = origins
    Segment.objects.create(name="Water", filters={"campaign": [campaign.pk]})
    out = tmp_path / "water.csv"
    call_command("export_contacts", "--segment", "Water", "--out", str(out), stdout=open("/dev/null", "w"))  # noqa: SIM115
    emails = {line.split('","')[2] for line in out.read_text(encoding="utf-8-sig").splitlines()[1:]}
    assert (emails, out.stat().st_mode & 0o777) == ({"flyer@example.org", "page@example.org"}, 0o600)
