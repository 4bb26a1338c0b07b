"""The home page shows what is happening (issue 13, finding 13), through the accounts.home seam."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import VOLUNTEER
from campaigns.models import Campaign
from contacts.models import ConsentEvent
from tests.campaigns.helpers import make_action, make_campaign
from tests.factories import PASSWORD, make_user, organizer_client
from tests.messaging.helpers import make_list, make_message

pytestmark = pytest.mark.django_db


def home_html():
    return organizer_client().get(reverse("home")).content.decode()


def test_the_dashboard_shows_an_active_campaign_with_its_goal_bar():
    campaign = make_campaign(title_ar="حملة المدارس", status=Campaign.Status.ACTIVE, goal_participants=50)
    make_action(campaign, participants=20, date=datetime.date(2020, 1, 1))
    panel = home_html().split('class="card home-panel home-campaigns"')[1].split("</section>")[0]
    assert "حملة المدارس" in panel and '<progress class="progress" max="100" value="40"' in panel


def test_the_dashboard_lists_the_next_action():
    campaign = make_campaign(title_ar="حملة الأشجار")
    make_action(campaign, date=timezone.localdate() + datetime.timedelta(days=3))
    assert "حملة الأشجار" in home_html().split('class="card home-panel home-actions"')[1]


def test_the_dashboard_shows_a_send_in_progress():
    contact_list, _ = make_list(count=2)
    message = make_message(contact_list, subject_ar="نشرة الأسبوع")
    message.schedule()
    message.start()
    assert "نشرة الأسبوع" in home_html().split('class="card home-panel home-sends"')[1]


def test_the_dashboard_counts_this_weeks_signups_and_not_older_ones():
    ConsentEvent.objects.create(kind=ConsentEvent.Kind.CONFIRMED)
    ConsentEvent.objects.create(kind=ConsentEvent.Kind.CONFIRMED, created=timezone.now() - datetime.timedelta(days=9))
    panel = home_html().split('class="card home-panel home-signups"')[1]
    assert '<strong class="num">1</strong>' in panel.split("</a>")[0]


def test_a_volunteer_lands_on_the_print_page_after_logging_in(client):
    volunteer = make_user(VOLUNTEER)
    response = client.post(reverse("accounts:login"), {"username": volunteer.username, "password": PASSWORD})
    assert response["Location"] == reverse("flyers:volunteer")
