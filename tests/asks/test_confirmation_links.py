"""The "please confirm" links leave from the responses table (asks/confirmations.py): the
INSERT owes the link, a drain sends what is owed over one connection, and a link is lost
neither to a broker that refuses the kick nor to a mail server that is down."""

import logging

import pytest
from celery.result import AsyncResult
from django.core import mail

from asks import confirmations
from asks.emails import MailFailed
from asks.models import Response
from asks.tasks import send_confirmation, send_confirmations

from .mailservers import CountsConnections
from .public import answer, make_ask

pytestmark = pytest.mark.django_db


def owed():
    return sorted(r.email for r in Response.objects.filter(mail_due_at__isnull=False))


def test_an_answer_owes_its_link_until_a_drain_sends_it():
    answer(make_ask(), email="rima@example.org")
    before = owed()
    sent = send_confirmations()
    assert (before, sent, owed(), mail.outbox[0].to) == (["rima@example.org"], 1, [], ["rima@example.org"])


def test_a_phone_only_answer_owes_no_link():
    answer(make_ask(), email="", phone="+963 944 123 456")
    assert owed() == []


def test_one_drain_sends_a_burst_over_one_connection(settings):
    settings.EMAIL_BACKEND = "tests.asks.mailservers.CountsConnections"
    CountsConnections.opened = 0
    ask = make_ask()
    for n in range(7):
        answer(ask, email=f"p{n}@example.org")
    confirmations.send_due(batch=50)
    assert (len(mail.outbox), CountsConnections.opened) == (7, 1)


def test_a_drain_takes_every_batch_until_nothing_is_owed():
    ask = make_ask()
    for n in range(5):
        answer(ask, email=f"p{n}@example.org")
    assert (confirmations.send_due(batch=2), owed()) == (5, [])


def test_a_response_confirmed_before_its_drain_gets_no_link():
    answer(make_ask(), email="rima@example.org")
    Response.objects.get().confirm()
    assert (send_confirmations(), len(mail.outbox), owed()) == (0, 0, [])


def test_an_address_refused_for_good_is_dropped_unnamed_and_the_rest_still_go(settings, caplog):
    settings.EMAIL_BACKEND = "tests.asks.mailservers.RefusesAmal"
    ask = make_ask()
    answer(ask, email="amal@example.org")
    answer(ask, email="rima@example.org")
    with caplog.at_level(logging.INFO):
        send_confirmations()
    assert (
        [m.to for m in mail.outbox],
        owed(),
        "amal" in caplog.text,
        "recipient refused 550" in caplog.text,
    ) == ([["rima@example.org"]], [], False, True)


def test_a_mail_server_that_is_down_fails_the_drain_unnamed_and_keeps_every_link_owed(settings):
    settings.EMAIL_BACKEND = "tests.asks.mailservers.Down"
    answer(make_ask(), email="rima@example.org")
    with pytest.raises(MailFailed) as failed:
        send_confirmations()
    assert (str(failed.value), owed()) == ("connection: ConnectionRefusedError", ["rima@example.org"])


def test_links_a_deferring_server_did_not_take_are_sent_by_the_next_drain(settings):
    settings.EMAIL_BACKEND = "tests.asks.mailservers.DefersAfterOne"
    ask = make_ask()
    for n in range(3):
        answer(ask, email=f"p{n}@example.org")
    with pytest.raises(MailFailed):
        send_confirmations()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_confirmations()
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@example.org", "p1@example.org", "p2@example.org"]


def test_answering_again_owes_the_link_again_once():
    ask = make_ask()
    answer(ask, email="rima@example.org")
    send_confirmations()
    answer(ask, email="rima@example.org")
    answer(ask, email="rima@example.org")
    assert (owed(), send_confirmations()) == (["rima@example.org"], 1)


def test_an_answer_is_stored_and_answered_when_the_broker_refuses_the_kick(
    eager_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(send_confirmations, "apply_async", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        reply = answer(make_ask(), email="rima@example.org")
    assert (reply.status_code, owed()) == (302, ["rima@example.org"])


def test_a_burst_of_kicks_from_one_process_publishes_one_now_and_one_later(monkeypatch):
    published = []

    def publish(countdown=None):
        published.append(countdown)
        return AsyncResult("queued")  # what a broker's answer is: queued, not run

    monkeypatch.setattr(send_confirmations, "apply_async", publish)
    monkeypatch.setattr(confirmations, "_last_kick", float("-inf"))
    for _ in range(20):
        confirmations.kick()
    # The first at once (no countdown), the second within KICK_SECONDS; the rest ride on it.
    assert (len(published), published[0], 0 < published[1] <= confirmations.KICK_SECONDS) == (2, None, True)


def test_a_task_queued_before_the_outbox_sends_its_link():
    # Answers stored before this release queued send_confirmation(pk) and owe nothing.
    answer(make_ask(), email="rima@example.org")
    Response.objects.update(mail_due_at=None)
    send_confirmation(Response.objects.get().pk)
    assert mail.outbox[0].to == ["rima@example.org"]


def test_an_answer_to_an_ask_closed_before_its_drain_gets_no_link():
    ask = make_ask()
    answer(ask, email="rima@example.org")
    ask.close()
    assert (send_confirmations(), len(mail.outbox)) == (0, 0)
