import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent
from contacts.models import ConsentEvent, Contact, ImportJob, Segment
from tests.factories import admin_client, organizer_client, volunteer_client

from .helpers import a_list, make_contact

pytestmark = pytest.mark.django_db


def all_contact_urls():
    contact = make_contact(email="private@example.org", given="سرّي")
    contact_list = a_list()
    segment = Segment.objects.create(name="s", filters={})
    job = ImportJob.objects.create(contact_list=contact_list, file_name="f.csv", path="/nonexistent")
    return [
        reverse("contacts:list"),
        reverse("contacts:create"),
        reverse("contacts:detail", args=[contact.pk]),
        reverse("contacts:edit", args=[contact.pk]),
        reverse("contacts:unsubscribe", args=[contact.pk]),
        reverse("contacts:erase", args=[contact.pk]),
        reverse("contacts:lists"),
        reverse("contacts:list_edit", args=[contact_list.pk]),
        reverse("contacts:tags"),
        reverse("contacts:segments"),
        reverse("contacts:segment_new"),
        reverse("contacts:segment_count"),
        reverse("contacts:segment", args=[segment.pk]),
        reverse("contacts:import"),
        reverse("contacts:import_job", args=[job.pk]),
        reverse("contacts:import_status", args=[job.pk]),
        reverse("contacts:import_errors", args=[job.pk]),
        reverse("contacts:export"),
    ]


def test_volunteers_get_403_on_every_contact_url_and_see_no_pii():
    client = volunteer_client()
    for url in all_contact_urls():
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 403, url
            assert b"private@example.org" not in response.content
    assert Contact.objects.count() == 1


def test_anonymous_visitors_are_sent_to_the_login_page():
    from django.test import Client

    for url in all_contact_urls():
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_the_list_page_answers_with_a_constant_number_of_queries():
    client = organizer_client()
    contact_list = a_list()
    make_contact(email="first@example.org", contact_list=contact_list)
    client.get(reverse("contacts:list"))  # warm sessions and caches

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("contacts:list"), {"lists": contact_list.pk})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for i in range(60):
        make_contact(email=f"p{i}@example.org", phone=f"09440000{i:02d}", contact_list=contact_list)
    assert queries() == few


def test_pages_are_keyset_paginated():
    client = organizer_client()
    for i in range(55):
        make_contact(email=f"p{i}@example.org")
    first = client.get(reverse("contacts:list"))
    page = first.context["contacts"]
    assert len(page) == 50 and first.context["total"] == 55
    second = client.get(reverse("contacts:list"), {"after": first.context["next_after"]})
    assert len(second.context["contacts"]) == 5
    assert {c.pk for c in page}.isdisjoint({c.pk for c in second.context["contacts"]})


@pytest.mark.parametrize(
    "query",
    [
        "Ahmad@Example.org",
        "0944 123 456",
        "+963944123456",
        "\u202a+963 944 123 456\u202c",
        "0944/123456",
        "حلب",
        "ahmad",
    ],
)
def test_search_finds_by_exact_email_phone_or_part_of_a_name(query):
    client = organizer_client()
    wanted = make_contact(email="ahmad@example.org", given="Ahmad", family="الحلبي", phone="0944123456")
    make_contact(email="other@example.org", given="Omar", family="Khoury")
    response = client.post(reverse("contacts:list"), {"q": query}, follow=True)
    assert [c.pk for c in response.context["contacts"]] == [wanted.pk]


def urls_in(response):
    """Every URL the browser was sent to or could follow from the page: redirects, links, forms."""
    import re

    html = response.content.decode()
    found = [url for url, _status in response.redirect_chain]
    found += re.findall(r'(?:href|action|src)="([^"]*)"', html)
    found += re.findall(r'name="next" type="hidden" value="([^"]*)"', html)  # the language switcher
    return found


def test_a_searched_email_or_phone_appears_in_no_url_the_browser_is_sent_to():
    client = organizer_client()
    make_contact(email="ahmad@example.org", given="Ahmad", phone="0944123456")
    for query in ("ahmad@example.org", "0944123456"):
        response = client.post(reverse("contacts:list"), {"q": query}, follow=True)
        assert response.context["q"] == query and len(response.context["contacts"]) == 1
        leaked = [url for url in urls_in(response) if query in url or "ahmad%40" in url or "0944" in url]
        assert not leaked, f"{query} in {leaked}"


def test_a_saved_search_pages_with_its_id_and_keeps_its_filters(monkeypatch):
    from contacts import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    wanted, other = a_list("Wanted"), a_list("Other")
    for i in range(5):
        make_contact(email=f"omar{i}@example.org", given="Omar", family=str(i), contact_list=wanted)
    make_contact(email="omar-other@example.org", given="Omar", contact_list=other)
    client = organizer_client()
    first = client.post(reverse("contacts:list"), {"q": "omar", "lists": [wanted.pk]}, follow=True)
    search_url = first.redirect_chain[-1][0]
    assert "omar" not in search_url and "s=" in search_url
    second = client.get(search_url + f"&after={first.context['next_after']}")
    seen = [c.pk for c in first.context["contacts"] + second.context["contacts"]]
    assert (len(set(seen)), second.context["total"], second.context["q"]) == (4, 5, "omar")
    assert f"{search_url.split('?')[1]}&amp;after=" in second.content.decode()


def test_an_old_link_with_a_search_in_its_url_is_moved_to_a_saved_search():
    response = organizer_client().get(reverse("contacts:list"), {"q": "ahmad@example.org"})
    assert response.status_code == 302 and "ahmad" not in response["Location"]


def test_a_search_id_that_is_not_in_the_session_shows_a_note_not_an_error():
    response = organizer_client().get(reverse("contacts:list"), {"s": "nope"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "search has expired" in response.context["search_note"]


def test_viewing_a_contact_is_audited_with_ids_only():
    client = admin_client()
    contact = make_contact(email="audited@example.org", given="Hiba")
    response = client.get(reverse("contacts:detail", args=[contact.pk]))
    assert b"audited@example.org" in response.content
    event = AuditEvent.objects.get(action="contact.view")
    assert event.object_id == str(contact.pk)
    assert "audited" not in str(event.detail) and "Hiba" not in str(event.detail)


def test_organizers_can_add_and_edit_a_contact_and_duplicates_are_refused():
    client = organizer_client()
    contact_list = a_list()
    response = client.post(
        reverse("contacts:create"),
        {"given_name": "Dana", "email": "dana@example.org", "phone": "", "language": "en", "lists": [contact_list.pk]},
    )
    contact = Contact.objects.by_email("dana@example.org")
    assert response.status_code == 302 and contact.given_name == "Dana"
    assert list(contact.lists.all()) == [contact_list]
    again = client.post(reverse("contacts:create"), {"email": "DANA@example.org", "language": "ar"})
    assert again.status_code == 200 and Contact.objects.count() == 1
    client.post(
        reverse("contacts:edit", args=[contact.pk]),
        {"given_name": "Dana", "phone": "0944 555 666", "email": "dana@example.org", "language": "ar"},
    )
    contact.refresh_from_db()
    assert contact.phone == "+963944555666" and contact.language == "ar"


def test_erasing_removes_personal_data_keeps_anonymous_counts_and_is_audited():
    client = organizer_client()
    contact = make_contact(email="forget@example.org")
    ConsentEvent.objects.create(contact=contact, kind="confirmed", method="signup_form")
    response = client.post(reverse("contacts:erase", args=[contact.pk]), {"confirm": "erase"})
    assert response.status_code == 302
    assert not Contact.objects.exists() and Contact.objects.by_email("forget@example.org") is None
    assert ConsentEvent.objects.filter(kind="confirmed", contact=None).count() == 1
    assert ConsentEvent.objects.filter(kind="erased").count() == 1
    assert AuditEvent.objects.filter(action="contact.erase", object_id=str(contact.pk)).exists()


def test_export_is_admin_only_audited_bom_prefixed_and_formula_safe():
    contact_list = a_list("Export")
    make_contact(
        email="x@example.org",
        given="=cmd|' /C calc'!A0",
        family="@SUM(1)",
        phone="0944123456",
        contact_list=contact_list,
    )
    assert organizer_client().post(reverse("contacts:export"), {"contact_list": contact_list.pk}).status_code == 403
    response = admin_client().post(reverse("contacts:export"), {"contact_list": contact_list.pk})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith('\ufeff"given_name",')
    assert "'=cmd" in body and "'@SUM(1)" in body and "'+963944123456" in body
    # Every cell quoted, so a spreadsheet splitting on ";" cannot expose a live formula.
    rows = body.lstrip("\ufeff").splitlines()
    assert all(line.startswith('"') and line.endswith('"') for line in rows)
    assert '"=' not in body and ";=" not in body
    assert AuditEvent.objects.filter(action="contacts.export", object_id=str(contact_list.pk)).exists()


def test_the_export_command_writes_the_same_safe_file(tmp_path):
    from django.core.management import call_command

    contact_list = a_list("Export")
    make_contact(email="y@example.org", given="-2+3", contact_list=contact_list)
    out = tmp_path / "out.csv"
    call_command("export_contacts", "--list", "Export", "--out", str(out), stdout=open("/dev/null", "w"))  # noqa: SIM115
    text = out.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff") and "'-2+3" in text and "y@example.org" in text
    assert AuditEvent.objects.filter(action="contacts.export").exists()


def test_a_segment_is_built_counted_and_saved():
    client = organizer_client()
    contact_list = a_list()
    make_contact(email="a@example.org", contact_list=contact_list, language="en", city="Gaziantep")
    make_contact(email="b@example.org", contact_list=contact_list, language="ar")
    make_contact(email="c@example.org", language="en")
    count = client.get(reverse("contacts:segment_count"), {"lists": contact_list.pk, "language": "en"}).json()
    assert count == {"count": 1, "sendable": 1}
    response = client.post(
        reverse("contacts:segment_new"), {"name": "English Aleppo list", "lists": contact_list.pk, "language": "en"}
    )
    segment = Segment.objects.get()
    assert response.status_code == 302
    assert segment.filters == {"lists": [contact_list.pk], "language": ["en"]}
    assert [c.email for c in segment.contacts()] == ["a@example.org"]


def test_the_count_stops_at_the_cap_and_says_so(monkeypatch):
    from contacts import views

    monkeypatch.setattr(views, "COUNT_CAP", 3)
    for i in range(5):
        make_contact(email=f"p{i}@example.org")
    response = organizer_client().get(reverse("contacts:list"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["total"] == 3 and response.context["total_capped"]
    assert len(response.context["contacts"]) == 5


def test_demo_data_loads_twice_without_duplicates():
    from io import StringIO

    from devtools.demo import contacts as demo

    demo.load(StringIO())
    demo.load(StringIO())
    assert Contact.objects.filter(source="demo").count() == 30
    assert Contact.objects.by_email("demo.supporter.1@example.org").lists.get().name == demo.LIST_NAME


def test_unticking_a_list_leaves_it_and_an_import_does_not_re_add(tmp_path):
    from contacts.importing import import_file
    from contacts.models import Membership

    from .helpers import write_csv

    client = organizer_client()
    contact_list = a_list("Aleppo")
    contact = make_contact(email="leaver@example.org", contact_list=contact_list)
    client.post(reverse("contacts:edit", args=[contact.pk]), {"email": "leaver@example.org", "language": "ar"})
    membership = Membership.objects.get(contact=contact, contact_list=contact_list)
    assert not membership.subscribed
    assert ConsentEvent.objects.filter(kind="list_left", contact=contact).count() == 1
    import_file(write_csv(tmp_path / "a.csv", ["email", "leaver@example.org"]), contact_list)
    membership.refresh_from_db()
    assert not membership.subscribed


def test_segments_can_select_by_newsletter_engagement():
    from messaging.models import Delivery, Message

    opener = make_contact(email="opener@example.org")
    ignorer = make_contact(email="ignorer@example.org")
    make_contact(email="never-mailed@example.org")
    message = Message.objects.create(subject_en="News", body_en="Hello")
    Delivery.objects.create(message=message, contact=opener, status="opened")
    Delivery.objects.create(message=message, contact=ignorer, status="delivered")
    opened = Segment.objects.create(name="o", filters={"engagement": "opened"})
    not_opened = Segment.objects.create(name="n", filters={"engagement": "not_opened"})
    assert [c.email for c in opened.contacts()] == ["opener@example.org"]
    assert [c.email for c in not_opened.contacts()] == ["ignorer@example.org"]


def test_name_search_shows_every_match_up_to_its_cap(monkeypatch):
    from contacts import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for i in range(45):  # more than the old cut of 20 pages
        make_contact(email=f"omar{i}@example.org", given="Omar", family=str(i))
    response = organizer_client().post(reverse("contacts:list"), {"q": "omar"}, follow=True)
    assert response.context["total"] == 45


def test_saving_the_edit_form_keeps_an_unsubscribe_recorded_meanwhile(monkeypatch):
    from contacts import views

    contact = make_contact(email="leaving@example.org", given="Rana")
    real_form = views.ContactForm

    class SlowForm(real_form):
        def is_valid(self):
            Contact.objects.get(pk=contact.pk).unsubscribe("one_click")  # the supporter, meanwhile
            return super().is_valid()

    monkeypatch.setattr(views, "ContactForm", SlowForm)
    response = organizer_client().post(
        reverse("contacts:edit", args=[contact.pk]),
        {"given_name": "Rana", "email": "leaving@example.org", "phone": "", "language": "ar"},
    )
    assert response.status_code == 302
    assert Contact.objects.get(pk=contact.pk).status == Contact.Status.UNSUBSCRIBED


def test_the_export_holds_the_lists_members_only_with_dates_as_the_filters_read_them(settings):
    import datetime

    from contacts.export import contacts_of_list

    settings.TIME_ZONE = "Europe/Istanbul"
    contact_list = a_list("Export")
    late = make_contact(email="late@example.org", contact_list=contact_list)
    Contact.objects.filter(pk=late.pk).update(created=datetime.datetime(2024, 1, 1, 22, 30, tzinfo=datetime.UTC))
    gone = make_contact(email="gone@example.org", contact_list=contact_list)
    gone.leave_list(contact_list)

    assert list(contacts_of_list(contact_list)) == [late]
    response = admin_client().post(reverse("contacts:export"), {"contact_list": contact_list.pk})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert "2024-01-02" in body and "gone@example.org" not in body


def test_filters_that_cannot_be_read_show_no_one_rather_than_everyone():
    make_contact(email="someone@example.org")
    client = organizer_client()
    client.cookies["django_language"] = "en"
    response = client.get(reverse("contacts:list"), {"lists": 99999})  # deleted in another tab
    assert list(response.context["contacts"]) == []
    assert "could not be applied" in response.content.decode()
    count = client.get(reverse("contacts:segment_count"), {"lists": 99999}).json()
    assert count["count"] == 0


def test_erasing_a_contact_deletes_the_mail_to_them_in_the_local_outbox(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core import mail as django_mail

    from core.mail import OutboxBackend

    settings.HAMLA_OUTBOX_DIR = tmp_path / "outbox"
    contact = make_contact(email="Forget.Me@example.org")
    OutboxBackend().send_messages(
        [
            django_mail.EmailMessage("Confirm", "Body", "hamla@localhost", ["forget.me@example.org"]),
            django_mail.EmailMessage("Other", "Body", "hamla@localhost", ["someone.else@example.org"]),
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        contact.erase(None)
    left = list((tmp_path / "outbox").glob("*.eml"))
    assert len(left) == 1 and b"someone.else@example.org" in left[0].read_bytes()
