"""What happens to rows a dead worker left in SENDING."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from campaigns.models import Campaign
from messaging import dispatch, panels
from messaging.models import Delivery

from .helpers import make_list, make_message, started_message

pytestmark = pytest.mark.django_db


def _crash_after(message, claim_id, sent):
    """A worker claimed every row, sent the first `sent` (recorded) and died on the next."""
    rows = dispatch.claim(message.pk, claim_id, 100)
    for pk, _contact in rows[:sent]:
        Delivery.objects.filter(pk=pk).update(status="sent")
    return [pk for pk, _ in rows]


def test_a_redelivered_task_resends_its_unfinished_rows_and_flags_only_the_one_in_flight():
    message = started_message(5)
    ids = _crash_after(message, "task-1", sent=2)

    result = dispatch.send_batch(message.pk, "task-1")

    assert result["recovered"] == 3 and result["sent"] == 3
    assert len(mail.outbox) == 3
    assert list(Delivery.objects.filter(in_doubt=True).values_list("pk", flat=True)) == [ids[2]]
    assert message.counts()["sent"] == 5


def test_the_sweep_releases_claims_abandoned_by_a_dead_worker():
    message = started_message(4)
    ids = _crash_after(message, "task-2", sent=1)
    Delivery.objects.filter(claimed_by="task-2").update(claimed_at=timezone.now() - timedelta(hours=1))

    assert Delivery.requeue_stale(settings.HAMLA_CLAIM_STALE_SECONDS) == 3

    assert message.counts()["queued"] == 3
    assert list(Delivery.objects.filter(in_doubt=True).values_list("pk", flat=True)) == [ids[1]]


def test_a_dead_workers_rows_of_a_message_cancelled_since_are_cancelled_not_queued():
    message = started_message(4)
    _crash_after(message, "task-4", sent=1)
    assert message.cancel()  # the worker's three claimed rows were not queued, so stay SENDING

    assert Delivery.release_in_doubt(Delivery.objects.filter(claimed_by="task-4")) == 3

    counts = message.counts()
    assert (counts["queued"], counts["sending"], counts["cancelled"], counts["sent"]) == (0, 0, 3, 1)


def test_fresh_claims_are_left_alone_by_the_sweep():
    message = started_message(3)
    _crash_after(message, "task-3", sent=0)
    assert Delivery.requeue_stale(settings.HAMLA_CLAIM_STALE_SECONDS) == 0
    assert message.counts()["sending"] == 3


def test_resume_never_resends_what_was_sent():
    message = started_message(4)
    dispatch.send_batch(message.pk, "a", size=2)
    assert message.pause()
    assert dispatch.send_batch(message.pk, "b")["sent"] == 0
    assert message.resume()
    dispatch.send_batch(message.pk, "c")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"person{i}@example.org" for i in range(4))


def test_the_campaign_panel_counts_per_message():
    campaign = Campaign.objects.create(title_en="Safe schools", slug="safe-schools")
    contact_list, _ = make_list(count=2)
    message = make_message(contact_list, campaign=campaign)
    message.schedule()
    message.start()
    dispatch.send_batch(message.pk, "p")
    Delivery.objects.filter(message=message).first().record_event("opened")

    panel = panels.campaign_panel(campaign)

    assert panel["template"] == "messaging/_campaign_panel.html"
    stats = panel["rows"][0]["stats"]
    # Delivered: handed over and not bounced (Delivery.DELIVERED), so both count without a provider's event.
    assert stats["sent"] == 2 and stats["opened"] == 1 and stats["delivered"] == 2 and stats["clicked"] == 0
