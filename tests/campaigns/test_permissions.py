import pytest
from django.test import Client

from tests.factories import volunteer_client

from .helpers import make_action, make_campaign

pytestmark = pytest.mark.django_db


def organizer_pages(campaign, action):
    return [
        "/campaigns/",
        "/campaigns/new/",
        "/campaigns/history/",
        f"/campaigns/{campaign.pk}/",
        f"/campaigns/{campaign.pk}/edit/",
        f"/campaigns/{campaign.pk}/actions/new/",
        f"/campaigns/{campaign.pk}/actions/{action.pk}/edit/",
        "/campaigns/history/report.pdf",
    ]


def test_a_volunteer_gets_403_on_every_organizer_page():
    campaign = make_campaign()
    action = make_action(campaign)
    client = volunteer_client()
    for url in organizer_pages(campaign, action):
        assert client.get(url).status_code == 403, url


def test_a_volunteer_cannot_edit_a_campaign_or_change_its_status():
    campaign = make_campaign(title_en="Before")
    client = volunteer_client()
    assert client.post(f"/campaigns/{campaign.pk}/edit/", {"title_en": "After"}).status_code == 403
    assert client.post(f"/campaigns/{campaign.pk}/status/", {"status": "cancelled"}).status_code == 403
    campaign.refresh_from_db()
    assert (campaign.title_en, campaign.status) == ("Before", "planned")


def test_anonymous_visitors_are_sent_to_the_login_page():
    campaign = make_campaign()
    action = make_action(campaign)
    for url in organizer_pages(campaign, action):
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
