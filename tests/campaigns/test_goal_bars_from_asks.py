"""The campaign's goal bars include its asks (signatures, pledges, attendance), and check-ins
count into its participants once, through campaigns.goals' seams."""

import datetime

import pytest
from django.utils import timezone, translation

from asks.models import Ask
from campaigns.models import Campaign
from tests.asks.organizer import make_ask, make_event, person
from tests.factories import organizer_client

from .helpers import make_campaign

pytestmark = pytest.mark.django_db


def bars(campaign):
    with translation.override("en"):
        return {str(goal.label): (goal.value, goal.target) for goal in Campaign.objects.get(pk=campaign.pk).all_goals()}


def test_a_petitions_signatures_are_a_goal_bar():
    campaign = make_campaign()
    petition = make_ask(campaign=campaign, title_en="Stop the dump", title_ar="", goal=500)
    person(petition)
    person(petition, status="pending")
    assert bars(campaign)["Signatures: Stop the dump"] == (1, 500)


def test_an_event_before_it_starts_shows_confirmed_rsvps_against_its_capacity():
    campaign = make_campaign()
    event = make_event(campaign, title_ar="", capacity=40)
    person(event)
    assert bars(campaign)["Attendance: Clean-up day"] == (1, 40)


def test_an_event_that_started_shows_who_checked_in():
    campaign = make_campaign()
    event = make_event(campaign, title_ar="", starts=timezone.now() - datetime.timedelta(hours=1), goal=30)
    person(event, checked_in=True)
    person(event)
    assert bars(campaign)["Attendance: Clean-up day"] == (1, 30)


def test_the_campaign_page_shows_the_asks_bars():
    campaign = make_campaign()
    make_ask(campaign=campaign, title_en="Stop the dump", goal=500)
    page = organizer_client().get(campaign.get_absolute_url())
    assert [goal.key.startswith("ask-") for goal in page.context["goals"]] == [True]


def test_drafts_have_no_bar():
    campaign = make_campaign()
    make_ask(campaign=campaign, status=Ask.Status.DRAFT, goal=500)
    assert bars(campaign) == {}


def test_check_ins_count_into_the_participants_goal():
    campaign = make_campaign(goal_participants=100)
    event = make_event(campaign)
    person(event, checked_in=True)
    person(event)
    assert bars(campaign)["Participants"] == (1, 100)


def test_a_closed_events_check_ins_count_once_through_its_history_action():
    campaign = make_campaign(goal_participants=100)
    event = make_event(campaign, starts=timezone.now() - datetime.timedelta(days=1))
    person(event, checked_in=True)
    person(event, checked_in=True)
    event.close()
    assert bars(campaign)["Participants"] == (2, 100)
