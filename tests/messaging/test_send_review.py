"""A review before every send (issue 13, finding 4): the draft says who a newsletter reaches,
by language, and who is skipped; "send now" and "schedule" are two buttons, each with a
confirmation step that states the count (and, for a schedule, the time with its time zone);
an empty time never means now."""

import pytest

from accounts.models import AuditEvent
from contacts.models import Contact, ContactList, Membership
from messaging import review, tasks
from messaging.models import Delivery, Message
from tests.factories import organizer_client

from .helpers import make_list, make_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(monkeypatch):
    """Records the sends handed to a worker instead of queueing them."""
    calls = []
    monkeypatch.setattr(tasks.start_message, "delay", lambda pk: calls.append(pk))
    return calls


@pytest.fixture
def english(settings):
    settings.TIME_ZONE = "Europe/Istanbul"
    client = organizer_client()
    client.cookies["django_language"] = "en"
    return client


def _contact(contact_list, n, language, status=Contact.Status.SUBSCRIBED, email=True):
    contact = Contact(language=language, status=status)
    if email:
        contact.email = f"planted{n}@example.org"
    contact.given_name = f"Planted{n}"
    contact.save()
    Membership.objects.create(contact=contact, contact_list=contact_list)


def planted_audience():
    """3 Arabic, 2 English and 1 Turkish reader (who gets the English version), and four
    who are skipped: unsubscribed, bounced, unconfirmed, no email."""
    contact_list = ContactList.objects.create(name="Planted")
    n = iter(range(100))
    for language in ("ar", "ar", "ar", "en", "en", "tr"):
        _contact(contact_list, next(n), language)
    _contact(contact_list, next(n), "ar", Contact.Status.UNSUBSCRIBED)
    _contact(contact_list, next(n), "en", Contact.Status.BOUNCED)
    _contact(contact_list, next(n), "ar", Contact.Status.PENDING)
    _contact(contact_list, next(n), "ar", email=False)
    return make_message(contact_list)


def test_the_review_counts_recipients_by_language_and_the_suppressed_by_reason_in_a_few_queries(
    django_assert_max_num_queries,
):
    message = planted_audience()
    with django_assert_max_num_queries(4):
        counted = message.review()
    assert (counted.by_language, counted.suppressed, counted.recipients) == (
        {"ar": 3, "en": 3},
        {"unsubscribed": 1, "bounced": 1, "pending": 1, "no email": 1},
        6,
    )


def test_the_review_counts_what_the_send_then_plans():
    message = planted_audience()
    counted = message.review()
    message.schedule()
    message.start()
    counts = message.counts()
    assert (counts["queued"], counts["suppressed"]) == (counted.recipients, counted.suppressed_total)


def test_the_draft_page_shows_the_recipients_by_language_and_the_skipped(english):
    message = planted_audience()
    page = english.get(f"/messages/{message.pk}/").content.decode()
    assert "If sent now, it goes to 6 supporters (3 in Arabic, 3 in English)." in " ".join(page.split())
    assert "4 more supporters in the audience are skipped:" in page and "no email address: 1" in page


def test_a_post_to_send_without_the_confirmation_sends_nothing(english, started):
    contact_list, _ = make_list(count=2)
    message = make_message(contact_list)
    response = english.post(f"/messages/{message.pk}/send/")
    message.refresh_from_db()
    assert (response.status_code, message.status, started, Delivery.objects.count()) == (200, "draft", [], 0)


def test_the_send_now_confirmation_states_the_count(english):
    contact_list, _ = make_list(count=2, language="ar")
    make_list(name="English readers", count=1, language="en", start=10)
    message = make_message(contact_list)
    message.lists.add(ContactList.objects.get(name="English readers"))
    page = english.post(f"/messages/{message.pk}/send/").content.decode()
    assert "Send to 3 supporters (2 in Arabic, 1 in English) now?" in page
    assert 'name="confirm" value="send"' in page


def test_confirming_send_now_starts_it_and_is_audited(english, started):
    contact_list, _ = make_list(count=2)
    message = make_message(contact_list)
    response = english.post(f"/messages/{message.pk}/send/", {"confirm": "send"})
    message.refresh_from_db()
    event = AuditEvent.objects.get(action="message.schedule")
    assert (response.status_code, message.status, started) == (302, "scheduled", [message.pk])
    assert event.detail["now"] is True and event.detail["recipients"] == 2


def test_schedule_without_a_time_is_refused_with_its_error_code(english, started):
    contact_list, _ = make_list(count=1)
    message = make_message(contact_list)
    response = english.post(f"/messages/{message.pk}/schedule/", {"send_at": "", "confirm": "schedule"})
    message.refresh_from_db()
    assert response.status_code == 422 and 'data-code="time_required"' in response.content.decode()
    assert (message.status, started) == ("draft", [])


def test_the_schedule_confirmation_states_the_count_the_time_and_its_time_zone(english, started):
    contact_list, _ = make_list(count=2)
    message = make_message(contact_list)
    response = english.post(f"/messages/{message.pk}/schedule/", {"send_at": "2099-01-01T09:00"})
    page = response.content.decode()
    message.refresh_from_db()
    assert "Send to 2 supporters (2 in Arabic) at 2099-01-01 09:00 (Europe/Istanbul, UTC+03:00)?" in page
    assert 'name="send_at" value="2099-01-01T09:00"' in page and 'name="confirm" value="schedule"' in page
    assert (message.status, started) == ("draft", [])


def test_the_confirmation_speaks_arabic_with_its_plural_forms(settings):
    settings.TIME_ZONE = "Europe/Istanbul"
    client = organizer_client()
    client.cookies["django_language"] = "ar"
    contact_list, _ = make_list(count=3)
    message = make_message(contact_list)
    page = client.post(f"/messages/{message.pk}/send/").content.decode()
    assert "إرسال إلى 3 مؤيدين (3 بالعربية) الآن؟" in page


def test_a_confirmed_schedule_is_scheduled_for_that_time_in_the_local_zone(english, started):
    contact_list, _ = make_list(count=1)
    message = make_message(contact_list)
    response = english.post(f"/messages/{message.pk}/schedule/", {"send_at": "2099-01-01T09:00", "confirm": "schedule"})
    message.refresh_from_db()
    assert response.status_code == 302 and message.status == Message.Status.SCHEDULED
    assert review.when(message.send_at) == "2099-01-01 09:00 (Europe/Istanbul, UTC+03:00)" and started == []
