import pytest
from django.core import mail

from contacts.models import Contact, Membership
from messaging import dispatch
from messaging.models import Delivery, Message

from .helpers import make_list, make_message

pytestmark = pytest.mark.django_db


def test_it_snapshots_the_audience_and_suppresses_contacts_who_may_not_receive_it():
    contact_list, contacts = make_list(count=6)
    contacts[1].unsubscribe("test")
    contacts[2].suppress("bounced")
    contacts[3].suppress("complained")
    Contact.objects.filter(pk=contacts[4].pk).update(status=Contact.Status.PENDING)
    message = make_message(contact_list)
    message.schedule()

    assert message.start()

    counts = message.counts()
    assert counts["queued"] == 2 and counts["suppressed"] == 4
    reasons = set(message.deliveries.filter(status="suppressed").values_list("error", flat=True))
    assert reasons == {"unsubscribed", "bounced", "complained", "pending"}
    assert message.planned_count == 6


def test_a_contact_who_left_the_list_is_not_in_the_audience():
    contact_list, contacts = make_list(count=2)
    Membership.objects.filter(contact=contacts[0]).update(subscribed=False)
    message = make_message(contact_list)
    message.schedule()
    message.start()
    assert list(message.deliveries.values_list("contact_id", flat=True)) == [contacts[1].pk]


def test_only_one_caller_starts_a_message():
    contact_list, _ = make_list(count=2)
    message = make_message(contact_list)
    message.schedule()
    assert message.start()
    assert not Message.objects.get(pk=message.pk).start()
    assert Delivery.objects.filter(message=message).count() == 2


def test_a_batch_sends_each_recipient_their_language_with_unsubscribe_headers():
    contact_list, arabic = make_list(count=2, language="ar")
    _, english = make_list(count=1, language="en", start=10)
    english[0].lists.add(contact_list)
    message = make_message(contact_list, body_en="", subject_en="")
    message.body_en, message.subject_en = "Hello {{ first_name }}", "News"
    message.save()
    message.schedule()
    message.start()

    result = dispatch.send_batch(message.pk, "test-claim")

    assert result["sent"] == 3
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["person10@example.org"].subject == "News"
    assert "Hello Name10" in by_address["person10@example.org"].body
    arabic_mail = by_address["person0@example.org"]
    assert arabic_mail.subject == "نشرة حملة"
    html = arabic_mail.alternatives[0][0]
    assert 'dir="rtl"' in html and "مرحبا Name0" in html
    assert arabic_mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert arabic_mail.extra_headers["List-Unsubscribe"].startswith("<http")
    assert message.counts()["sent"] == 3
    assert Message.objects.get(pk=message.pk).finish_if_done()


def test_a_message_whose_audience_was_deleted_goes_back_to_the_drafts_and_does_not_block_the_sweep():
    from messaging import tasks

    contact_list, _ = make_list(name="Doomed", count=2)
    orphan = make_message(contact_list)
    orphan.schedule()
    contact_list.delete()
    other_list, _ = make_list(name="Fine", count=3, start=10)
    fine = make_message(other_list)
    fine.schedule()

    tasks.sweep()

    orphan.refresh_from_db()
    fine.refresh_from_db()
    assert orphan.status == Message.Status.DRAFT and orphan.send_at is None
    assert fine.status in (Message.Status.SENDING, Message.Status.SENT)
