import pytest

from campaigns.models import Campaign
from contacts.models import ConsentEvent
from flyers.models import Flyer, PrintRun

from .helpers import make_action, make_campaign

pytestmark = pytest.mark.django_db


def goals_by_key(campaign):
    return {goal.key: goal for goal in campaign.goals()}


def test_participants_are_the_sum_of_the_actions():
    campaign = make_campaign(goal_participants=100)
    make_action(campaign, participants=30)
    make_action(campaign, participants=25)
    make_action(campaign, participants=None)
    goal = goals_by_key(campaign)["participants"]
    assert (goal.value, goal.target, goal.percent, goal.reached) == (55, 100, 55, False)


def test_flyers_are_the_copies_of_the_campaigns_print_runs():
    campaign = make_campaign(goal_flyers=1000)
    flyer = Flyer.objects.create(campaign=campaign, name="A5")
    PrintRun.objects.create(flyer=flyer, quantity=400)
    PrintRun.objects.create(flyer=Flyer.objects.create(campaign=campaign, name="A6"), quantity=700)
    PrintRun.objects.create(flyer=Flyer.objects.create(campaign=make_campaign(), name="other"), quantity=5000)
    goal = goals_by_key(campaign)["flyers"]
    assert (goal.value, goal.percent, goal.reached) == (1100, 100, True)


def test_signups_count_only_confirmed_signups_of_this_campaign():
    campaign = make_campaign(goal_signups=10)
    for kind in ("confirmed", "confirmed", "requested", "unsubscribed"):
        ConsentEvent.objects.create(kind=kind, campaign=campaign, method="signup_form")
    ConsentEvent.objects.create(kind="confirmed", campaign=make_campaign(), method="signup_form")
    assert goals_by_key(campaign)["signups"].value == 2


def test_a_supporter_who_left_and_signed_up_again_counts_once():
    from contacts.models import Contact

    campaign = make_campaign(goal_signups=10)
    contact = Contact.objects.create(status="subscribed")
    for _ in range(2):
        ConsentEvent.objects.create(kind="confirmed", campaign=campaign, contact=contact)
    ConsentEvent.objects.create(kind="confirmed", campaign=campaign, contact=None)  # an erased supporter
    assert goals_by_key(campaign)["signups"].value == 2


def test_messages_count_delivered_deliveries_of_the_campaigns_newsletters():
    from messaging.models import Delivery, Message

    campaign = make_campaign(goal_messages=4)
    message = Message.objects.create(campaign=campaign, subject_en="Hello", body_en="Hi")
    for status in ("sent", "delivered", "opened", "clicked", "complained", "bounced", "queued", "failed"):
        Delivery.objects.create(message=message, status=status)
    assert goals_by_key(campaign)["messages"].value == 5


def test_goals_without_a_target_are_not_shown():
    campaign = make_campaign(goal_participants=None, goal_flyers=0, goal_signups=5)
    assert [g.key for g in campaign.goals()] == ["signups"]


def test_a_campaigns_progress_takes_one_query_however_many_records(django_assert_num_queries):
    campaign = make_campaign(goal_participants=10, goal_flyers=10, goal_signups=10, goal_messages=10)
    for n in range(5):
        make_action(campaign, participants=n)
        PrintRun.objects.create(flyer=Flyer.objects.create(campaign=campaign, name=str(n)), quantity=n + 1)
        ConsentEvent.objects.create(kind="confirmed", campaign=campaign)
    with django_assert_num_queries(1):
        fetched = Campaign.objects.with_progress().get(pk=campaign.pk)
        goals = goals_by_key(fetched)
    assert goals["participants"].value == 10
    assert goals["flyers"].value == 15
    assert goals["signups"].value == 5


def test_the_dashboard_shows_progress_bars(client):
    from tests.factories import logged_in, make_user

    campaign = make_campaign(goal_participants=200)
    make_action(campaign, participants=50)
    client = logged_in(make_user())
    client.cookies["django_language"] = "en"
    body = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert 'max="100" value="25"' in body  # a <progress>: no inline style under the CSP
    assert "50 / 200" in body
