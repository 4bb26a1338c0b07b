"""The public signup cannot be used to mail strangers our words, to keep a stranger's
typing on file, or to flood: confirmation mails carry nothing the signer typed, unconfirmed
signups are erased after a week, and the flood limits hold for their whole hour without Redis."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts import signup
from contacts.limits import FloodCounter
from contacts.models import ConsentEvent, Contact, Membership
from contacts.tasks import purge_unconfirmed_signups

from .helpers import a_list, make_contact

pytestmark = pytest.mark.django_db

PHISHING = "Your account is compromised, visit https://evil.example/reset"


def post_signup(client=None, **data):
    form = {"email": "new.person@example.org", "given_name": "Rana", "language": "en", "website": ""} | data
    return (client or Client()).post(reverse("public:signup"), form)


# --- unconfirmed signups -------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """Moves the clock both Django (timezone.now) and signing and caches (time.time) read."""
    offset = [0.0]
    real_time, real_now = time.time, timezone.now
    monkeypatch.setattr(time, "time", lambda: real_time() + offset[0])
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(seconds=offset[0]))

    def move(**delta):
        offset[0] += timedelta(**delta).total_seconds()

    return move


def test_a_signup_nobody_confirms_is_erased_by_beat_after_seven_days(clock):
    post_signup(email="stranger@example.org", given_name=PHISHING)
    contact = Contact.objects.by_email("stranger@example.org")
    [requested] = ConsentEvent.objects.filter(contact=contact)

    clock(days=6, hours=23)
    purge_unconfirmed_signups()
    assert Contact.objects.filter(pk=contact.pk).exists()

    clock(hours=2)
    assert purge_unconfirmed_signups() == {"erased": 1}
    assert not Contact.objects.filter(pk=contact.pk).exists()
    requested.refresh_from_db()
    assert requested.contact_id is None and requested.kind == ConsentEvent.Kind.REQUESTED
    assert ConsentEvent.objects.filter(kind=ConsentEvent.Kind.ERASED, method="unconfirmed").count() == 1


def test_the_purge_keeps_everyone_with_consent_and_signups_whose_link_still_works(clock):
    confirmed = make_contact(email="confirmed@example.org", status=Contact.Status.PENDING)
    ConsentEvent.objects.create(contact=confirmed, kind=ConsentEvent.Kind.CONFIRMED)
    by_organizer = make_contact(email="organizer@example.org", status=Contact.Status.PENDING)
    ConsentEvent.objects.create(contact=by_organizer, kind=ConsentEvent.Kind.SUBSCRIBED, method="import")
    on_a_list = make_contact(email="member@example.org", status=Contact.Status.PENDING, contact_list=a_list())
    subscribed = make_contact(email="subscribed@example.org")  # e.g. imported: subscribed, no event here
    asked_again = make_contact(email="again@example.org", status=Contact.Status.PENDING)
    stranger = make_contact(email="stranger@example.org", status=Contact.Status.PENDING)
    clock(days=6)
    # A second request (and so a fresh link) a day before the purge.
    ConsentEvent.objects.create(contact=asked_again, kind=ConsentEvent.Kind.REQUESTED, created=timezone.now())
    clock(days=2)

    assert purge_unconfirmed_signups() == {"erased": 1}
    assert not Contact.objects.filter(pk=stranger.pk).exists()

    kept = set(Contact.objects.values_list("pk", flat=True))
    assert kept == {c.pk for c in (confirmed, by_organizer, on_a_list, subscribed, asked_again)}
    assert Membership.objects.filter(contact=on_a_list).exists()


def test_the_purge_is_scheduled_by_beat(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "contacts.tasks.purge_unconfirmed_signups" in tasks
    assert {"hamla.tasks.heartbeat", "messaging.tasks.sweep", "contacts.tasks.sweep_imports"} <= tasks


# --- flood limits --------------------------------------------------------------------------


@pytest.fixture
def embedded_default_cache(settings, tmp_path):
    """The cache `make run` has without REDIS_URL (hamla/settings.py), not the tests' LocMemCache."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path / "c")}
    }
    from django.core.cache import cache

    cache.clear()


def test_a_flood_limit_holds_for_its_whole_hour_without_redis(embedded_default_cache, clock, monkeypatch):
    monkeypatch.setattr(signup, "SIGNUPS_PER_IP", 2)
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert [post_signup(client, email=f"p{i}@example.org").status_code for i in range(3)] == [200, 200, 429]

    clock(minutes=10)
    assert post_signup(client, email="later@example.org").status_code == 429

    clock(minutes=51)
    assert post_signup(client, email="next-hour@example.org").status_code == 200


def test_one_inbox_gets_no_more_mail_ten_minutes_later_without_redis(embedded_default_cache, clock):
    for i in range(signup.MAILS_PER_EMAIL + 1):
        post_signup(Client(REMOTE_ADDR=f"198.51.100.{i}"), email="target@example.org")
    clock(minutes=10)
    post_signup(Client(REMOTE_ADDR="198.51.100.99"), email="target@example.org")
    assert len(mail.outbox) == signup.MAILS_PER_EMAIL


def test_the_flood_counts_name_no_client_address_and_ended_ones_are_forgotten(clock):
    post_signup(Client(REMOTE_ADDR="203.0.113.7"), email="someone@example.org")
    keys = " ".join(FloodCounter.objects.values_list("key", flat=True))
    assert FloodCounter.objects.count() == 2
    assert "203.0.113.7" not in keys and "someone" not in keys
    clock(hours=1, seconds=1)
    purge_unconfirmed_signups()
    assert not FloodCounter.objects.exists()
