"""An event's exact place reaches its confirmed attendees' mail only: never a public page,
never the "please confirm" mail (a stranger can make Hamla send that to anyone), never the
database in the clear."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from asks import reminders
from tests.asks.events import PLACE, everything_in, make_event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]


def walk_to_confirmed(client, event, capture):
    """Sign up through the public pages as a supporter would: {page name: HTML} of every
    page seen on the way, and the mails in the order they came."""
    pages = {
        "campaign": client.get(f"/c/{event.campaign.slug}/"),
        "ask": client.get(event.public_url()),
    }
    form = {"given_name": "Rima", "email": "rima@example.org", "language": "en"}
    with capture(execute=True):
        pages["sent"] = client.post(event.public_url(), form, follow=True)
    (please_confirm,) = mail.outbox
    url = re.search(r"https?://\S+/respond/confirm/\S+/", please_confirm.body).group(0)
    path = url.split("://", 1)[1].split("/", 1)[1]
    pages["confirm"] = client.get(f"/{path}")
    with capture(execute=True):
        pages["confirmed"] = client.post(f"/{path}", follow=True)
    withdraw = re.search(r"https?://\S+/rsvp/withdraw/\S+/", mail.outbox[-1].body).group(0)
    pages["withdraw"] = client.get("/" + withdraw.split("://", 1)[1].split("/", 1)[1])
    return {name: page.content.decode() for name, page in pages.items()}, list(mail.outbox)


def test_the_place_is_in_the_confirmed_mail_and_reminders_and_nowhere_public(django_capture_on_commit_callbacks):
    event = make_event(starts_in=timedelta(days=3))
    pages, mails = walk_to_confirmed(Client(), event, django_capture_on_commit_callbacks)
    reminders.send_due(event.starts - timedelta(hours=23))
    reminders.send_due(event.starts - timedelta(hours=1))
    please_confirm, registered, day, hours = mail.outbox
    seen = {name: PLACE in html for name, html in pages.items()}
    seen.update({f"mail: {m.subject}": PLACE in everything_in(m) for m in (please_confirm, registered, day, hours)})
    assert seen == {
        "campaign": False,
        "ask": False,
        "sent": False,
        "confirm": False,
        "confirmed": False,
        "withdraw": False,
        f"mail: {please_confirm.subject}": False,
        "mail: You are registered: Bab al-Faraj clean-up": True,
        "mail: Tomorrow: Bab al-Faraj clean-up": True,
        "mail: Starting soon: Bab al-Faraj clean-up": True,
    }


def test_the_database_holds_the_place_only_as_ciphertext():
    event = make_event()
    with connection.cursor() as cursor:
        cursor.execute("SELECT place_enc FROM asks_ask WHERE id = %s", [event.pk])
        stored = bytes(cursor.fetchone()[0])
    assert (PLACE.encode() in stored, b"Faraj clock" in stored, len(stored) > len(PLACE)) == (False, False, True)
