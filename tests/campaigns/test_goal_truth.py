"""Goals that tell the truth (issue 13, finding 12): only actions dated today or earlier count
as participants achieved, and the goal "messages delivered" and a newsletter's "delivered"
are one number under one definition, stated on both pages."""

import datetime

import pytest
from django.utils import timezone

from messaging import dispatch
from messaging.models import Delivery
from tests.factories import organizer_client
from tests.messaging.helpers import make_list, make_message

from .helpers import make_action, make_campaign

pytestmark = pytest.mark.django_db


def _goal(campaign, key):
    return {goal.key: goal for goal in campaign.goals()}[key]


def test_actions_dated_in_the_future_do_not_count_toward_participants_achieved():
    today = timezone.localdate()
    campaign = make_campaign(goal_participants=100)
    make_action(campaign, date=today - datetime.timedelta(days=400), participants=30)
    make_action(campaign, date=today, participants=5)
    make_action(campaign, date=today + datetime.timedelta(days=30), participants=50)
    assert _goal(campaign, "participants").value == 35


def _sent_through_the_outbox(recipients):
    """A campaign's newsletter sent to `recipients` people through the local outbox (no
    provider event follows), and an organizer's client reading English."""
    campaign = make_campaign(goal_messages=10)
    contact_list, _ = make_list(count=recipients)
    message = make_message(contact_list, campaign=campaign)
    message.schedule()
    message.start()
    dispatch.send_batch(message.pk, "outbox")
    client = organizer_client()
    client.cookies["django_language"] = "en"
    return campaign, message, client


def test_the_goal_and_the_message_page_show_the_same_delivered_number_for_an_outbox_send():
    campaign, message, client = _sent_through_the_outbox(3)
    message_page = client.get(f"/messages/{message.pk}/").content.decode()
    campaign_page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    delivered_tile = "<span>Delivered</span><strong>3</strong>"
    assert (_goal(campaign, "messages").value, message.stats()["delivered"]) == (3, 3)
    assert delivered_tile in message_page and '<bdi dir="ltr">3 / 10</bdi>' in campaign_page


def test_both_pages_state_what_delivered_means():
    campaign, message, client = _sent_through_the_outbox(1)
    sentence = str(Delivery.DELIVERED_MEANS)
    assert sentence.startswith("Delivered means handed to the mail server or provider and not bounced")
    assert sentence in client.get(f"/messages/{message.pk}/").content.decode()
    assert sentence in client.get(f"/campaigns/{campaign.pk}/").content.decode()
