"""Answering an ask from its public page: stored pending, confirmed by the mailed link, one per
person, flood limits, "keep me informed", the purge (asks/responses.py)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from asks import counts, responses
from asks.models import Ask, Response
from contacts.models import ConsentEvent, Contact

from .public import answer, confirm_links, make_ask, make_event, print_run_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(eager_tasks, django_capture_on_commit_callbacks):  # noqa: F811
    """Runs what each request queues after its commit (the mail task, in-process)."""

    class Runner:
        def __call__(self, function, *args, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return function(*args, **kwargs)

    return Runner()


def test_an_answer_is_stored_pending_and_encrypted_and_mails_a_link(sent):
    ask = make_ask()
    reply = sent(answer, ask, family_name="Haddad")
    response = Response.objects.get()
    stored_plain = b"rima" in bytes(response.email_enc)
    assert (reply.status_code, response.status, response.given_name, stored_plain, len(mail.outbox)) == (
        302, Response.Status.PENDING, "Rima", False, 1,
    )  # fmt: skip


def test_the_confirmation_mail_carries_nothing_the_signer_typed(sent):
    ask = make_ask()
    sent(answer, ask, given_name="Click-evil.example", family_name="Zzyzx", email="bob+spam-words@example.org")
    message = mail.outbox[0]
    text = message.subject + message.body + message.alternatives[0][0]
    assert ("Click-evil" in text, "Zzyzx" in text, "spam-words" in text, "Stop the dump" in text) == (
        False, False, False, True,
    )  # fmt: skip


def test_the_mail_is_in_the_language_the_signer_chose(sent):
    ask = make_ask()
    sent(answer, ask, language="ar")
    assert "أوقفوا المكب" in mail.outbox[0].body


def test_a_second_answer_with_the_same_email_is_answered_alike_and_renames_no_one(sent):
    ask = make_ask()
    first = sent(answer, ask)
    second = sent(answer, ask, given_name="Stranger", email="RIMA@example.org")
    response = Response.objects.get()
    assert (second.status_code, second["Location"], response.given_name, len(mail.outbox)) == (
        first.status_code, first["Location"], "Rima", 2,
    )  # fmt: skip


def test_a_second_answer_after_confirming_sends_no_mail(sent):
    ask = make_ask()
    sent(answer, ask)
    Response.objects.get().confirm()
    reply = sent(answer, ask)
    assert (reply.status_code, len(mail.outbox), Response.objects.get().status) == (302, 1, Response.Status.CONFIRMED)


def test_no_more_than_three_confirmation_mails_an_hour_go_to_one_person(sent):
    for slug in ("one", "two", "three", "four"):
        sent(answer, make_ask(slug=slug, campaign=Ask.objects.first().campaign if Ask.objects.exists() else None))
    assert (Response.objects.count(), len(mail.outbox)) == (4, 3)


def test_one_address_is_refused_after_thirty_answers_in_an_hour_with_a_clear_429(sent):
    ask = make_ask()
    client = Client()
    for n in range(responses.RESPONSES_PER_IP):
        assert answer(ask, client, email=f"p{n}@example.org").status_code == 302
    refused = answer(ask, client, email="one-too-many@example.org")
    coded = 'data-refusal="rate_limited"' in refused.content.decode()
    assert (refused.status_code, coded, Response.objects.count()) == (
        429, True, responses.RESPONSES_PER_IP,
    )  # fmt: skip


def test_the_honeypot_is_answered_like_a_person_and_stores_nothing(sent):
    ask = make_ask()
    reply = sent(answer, ask, website="http://spam.example")
    assert (reply.status_code, Response.objects.count(), len(mail.outbox)) == (302, 0, 0)


def test_a_phone_only_answer_stays_pending_without_a_mail_and_says_an_organizer_confirms_it(sent):
    ask = make_ask()
    reply = sent(answer, ask, email="", phone="+963 944 123 456")
    page = Client().get(reply["Location"], HTTP_COOKIE="django_language=en").content.decode()
    assert (Response.objects.get().status, len(mail.outbox), "an organizer will confirm" in page) == (
        Response.Status.PENDING, 0, True,
    )  # fmt: skip


def test_neither_email_nor_phone_is_refused():
    ask = make_ask()
    reply = answer(ask, email="")
    assert (reply.status_code, Response.objects.count()) == (400, 0)


def test_confirming_by_the_link_counts_the_response_once(sent, client):
    ask = make_ask()
    sent(answer, ask)
    path = confirm_links()[0]
    before = counts.refresh(ask)
    shown = client.get(path)
    client.post(path)
    again = client.post(path)
    assert (before, shown.status_code, counts.refresh(ask), again.status_code) == (0, 200, 1, 200)


def test_a_get_of_the_link_confirms_nothing(sent, client):
    ask = make_ask()
    sent(answer, ask)
    client.get(confirm_links()[0])
    assert Response.objects.get().status == Response.Status.PENDING


def test_a_bad_or_forged_link_is_a_400(client):
    forged = client.post("/respond/confirm/x:y:z/")
    assert (client.get("/respond/confirm/nonsense/").status_code, forged.status_code) == (400, 400)


def test_keep_informed_makes_a_subscribed_contact_with_a_consent_event_naming_the_petition(sent, client):
    ask = make_ask()
    run = print_run_for(ask)
    sent(answer, ask, keep_informed="on", r=run.code)
    client.post(confirm_links()[0])
    contact = Contact.objects.get()
    event = ConsentEvent.objects.get(contact=contact)
    assert (contact.status, contact.email, event.kind, event.method, event.campaign_id, event.print_run_id) == (
        Contact.Status.SUBSCRIBED, "rima@example.org", ConsentEvent.Kind.CONFIRMED, "petition", ask.campaign_id, run.pk,
    )  # fmt: skip
    assert Response.objects.get().contact == contact


def test_without_keep_informed_confirming_makes_no_contact(sent, client):
    ask = make_ask()
    sent(answer, ask)
    client.post(confirm_links()[0])
    assert (Response.objects.get().status, Contact.objects.count()) == (Response.Status.CONFIRMED, 0)


def test_keep_informed_does_not_bring_back_someone_who_unsubscribed(sent, client):
    contact = Contact(status=Contact.Status.UNSUBSCRIBED)
    contact.email = "rima@example.org"
    contact.save()
    ask = make_ask()
    sent(answer, ask, keep_informed="on")
    client.post(confirm_links()[0])
    contact.refresh_from_db()
    assert (contact.status, Response.objects.get().contact_id) == (Contact.Status.UNSUBSCRIBED, contact.pk)


def test_an_event_rsvp_once_confirmed_queues_the_attendee_mail_with_the_place(sent, client):
    event = make_event()
    sent(answer, event)
    sent(client.post, confirm_links()[0])
    assert "Behind the old mill" in mail.outbox[-1].body


def test_a_closed_ask_confirms_nothing_more(sent, client):
    ask = make_ask()
    sent(answer, ask)
    Ask.objects.filter(pk=ask.pk).update(status=Ask.Status.CLOSED)
    page = client.post(confirm_links()[0])
    assert (page.status_code, Response.objects.get().status) == (200, Response.Status.PENDING)


def test_responses_nobody_confirmed_within_a_week_are_purged_and_confirmed_ones_stay(sent):
    ask = make_ask()
    for name in ("old", "kept", "fresh"):
        sent(answer, ask, email=f"{name}@example.org")
    old = timezone.now() - timedelta(days=8)
    Response.objects.exclude(email_hash=Response(email="fresh@example.org").email_hash).update(created=old)
    kept = next(r for r in Response.objects.all() if r.email == "kept@example.org")
    kept.confirm()
    assert (responses.purge_unconfirmed(), sorted(r.email for r in Response.objects.all())) == (
        1, ["fresh@example.org", "kept@example.org"],
    )  # fmt: skip


def test_a_phone_only_answer_waits_a_month_for_the_organizers_call_not_a_week():
    # It has no link to expire: an organizer confirms it by hand, and a week is one calling round.
    ask = make_ask()
    answer(ask, email="", phone="+963944123459")
    later = timezone.now() + timedelta(days=8)
    kept = responses.purge_unconfirmed(now=later)
    gone = responses.purge_unconfirmed(now=later + timedelta(days=30))
    assert (kept, gone) == (0, 1)


def test_pending_answers_to_an_ask_that_closed_are_purged_at_once():
    # Nothing can confirm them any more (Response.confirm needs an open ask).
    ask = make_ask()
    answer(ask, email="", phone="+963944123460")
    answer(ask, email="late@example.org")
    ask.close()
    assert responses.purge_unconfirmed() == 2
