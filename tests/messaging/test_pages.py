import pytest
from django.core import mail

from accounts.models import AuditEvent
from messaging.models import Message
from tests.factories import organizer_client, volunteer_client

from .helpers import make_list, make_message

pytestmark = pytest.mark.django_db


def test_an_organizer_composes_a_bilingual_newsletter_and_previews_both_languages():
    client = organizer_client()
    contact_list, _ = make_list(count=2)
    response = client.post(
        "/messages/new/",
        {
            "subject_ar": "أخبار الحملة",
            "body_ar": "مرحبا {{ first_name }}",
            "subject_en": "Campaign news",
            "body_en": "Hello **{{ first_name }}**",
            "lists": [contact_list.pk],
        },
    )
    message = Message.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/messages/{message.pk}/"
    assert client.get(f"/messages/{message.pk}/").status_code == 200

    arabic = client.get(f"/messages/{message.pk}/preview/ar/")
    english = client.get(f"/messages/{message.pk}/preview/en/")
    assert 'dir="rtl"' in arabic.content.decode() and "سلمى" in arabic.content.decode()
    # Merge fields show as labelled chips holding the sample supporter's value (issue 13, finding 9).
    assert 'data-label="First name">Salma</span></span></strong>' in english.content.decode()
    assert "sandbox" in arabic["Content-Security-Policy"]


def test_unknown_merge_fields_are_refused_in_the_form():
    client = organizer_client()
    contact_list, _ = make_list(count=1)
    response = client.post(
        "/messages/new/", {"subject_ar": "x", "body_ar": "{{ settings.SECRET_KEY }}", "lists": [contact_list.pk]}
    )
    assert response.status_code == 200 and not Message.objects.exists()


def test_an_organizer_sends_a_test_to_an_address_they_type():
    client = organizer_client()
    message = make_message()
    response = client.post(f"/messages/{message.pk}/test/", {"address": "me@example.org", "language": "en"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["me@example.org"]
    assert mail.outbox[0].subject.startswith("[TEST]")
    event = AuditEvent.objects.get(action="message.test_sent")
    assert "me@example.org" not in str(event.detail)


def test_scheduling_for_later_leaves_it_to_the_sweep():
    client = organizer_client()
    contact_list, _ = make_list(count=1)
    message = make_message(contact_list)
    response = client.post(f"/messages/{message.pk}/schedule/", {"send_at": "2099-01-01T09:00", "confirm": "schedule"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == "scheduled" and message.send_at.year == 2099
    progress = client.get(f"/messages/{message.pk}/progress.json").json()
    assert progress["status"] == "scheduled"


def test_volunteers_cannot_reach_newsletters():
    client = volunteer_client()
    message = make_message()
    assert client.get("/messages/").status_code == 403
    assert client.get(f"/messages/{message.pk}/preview/ar/").status_code == 403


def test_editing_a_scheduled_newsletter_says_it_is_a_draft_again():
    client = organizer_client()
    client.cookies["django_language"] = "en"
    contact_list, _ = make_list(count=1)
    message = make_message(contact_list)
    message.schedule()
    response = client.post(
        f"/messages/{message.pk}/edit/",
        {"subject_en": "Campaign news", "body_en": "Hello again", "lists": [contact_list.pk]},
        follow=True,
    )
    message.refresh_from_db()
    assert message.status == Message.Status.DRAFT
    assert "no longer scheduled" in response.content.decode()
