import datetime

import pytest

from campaigns.models import Action, Campaign
from tests.factories import logged_in, make_user

from .helpers import make_campaign

pytestmark = pytest.mark.django_db

VALID = {
    "title_ar": "حملة النظافة",
    "title_en": "Clean-up",
    "kind": "cleanup",
    "start_date": "2026-03-01",
    "end_date": "2026-04-01",
    "city": "حلب",
    "goal_participants": "50",
    "goal_flyers": "500",
}


@pytest.fixture
def client():
    client = logged_in(make_user())
    client.cookies["django_language"] = "en"
    return client


def test_an_organizer_creates_a_campaign_with_goals(client):
    response = client.post("/campaigns/new/", VALID)
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    assert campaign.goal_participants == 50
    assert campaign.status == Campaign.Status.PLANNED
    assert campaign.slug == "clean-up"


def test_a_generated_slug_never_collides_with_an_existing_one(client):
    make_campaign(slug="clean-up")
    client.post("/campaigns/new/", VALID)
    slugs = set(Campaign.objects.values_list("slug", flat=True))
    assert len(slugs) == 2
    assert any(s.startswith("clean-up-") for s in slugs)


def test_it_refuses_an_end_date_before_the_start(client):
    response = client.post("/campaigns/new/", {**VALID, "end_date": "2026-02-01"})
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert not Campaign.objects.exists()


def test_it_refuses_negative_targets(client):
    response = client.post("/campaigns/new/", {**VALID, "goal_signups": "-5"})
    assert response.status_code == 200
    assert "greater than or equal to 0" in response.content.decode()
    assert not Campaign.objects.exists()


def test_it_needs_a_title_in_one_language(client):
    response = client.post("/campaigns/new/", {**VALID, "title_ar": "", "title_en": ""})
    assert "Give the campaign a title in Arabic or English." in response.content.decode()
    assert not Campaign.objects.exists()


def test_editing_keeps_the_slug_and_audits_the_changed_fields(client):
    from accounts.models import AuditEvent

    campaign = make_campaign(slug="kept")
    response = client.post(f"/campaigns/{campaign.pk}/edit/", {**VALID, "slug": ""})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.slug == "kept"
    assert campaign.title_en == "Clean-up"
    assert "title_en" in AuditEvent.objects.get(action="campaign.edit").detail["fields"]


def test_an_organizer_adds_an_action_to_the_campaign(client):
    campaign = make_campaign()
    response = client.post(
        f"/campaigns/{campaign.pk}/actions/new/",
        {
            "kind": "cleanup",
            "date": "2026-03-05",
            "city": "حلب",
            "description_ar": "تنظيف الحديقة",
            "participants": "12",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.campaign, action.participants, action.is_public) == (campaign, 12, False)


def test_an_action_needs_a_description_and_a_valid_participant_count(client):
    campaign = make_campaign()
    response = client.post(
        f"/campaigns/{campaign.pk}/actions/new/", {"kind": "cleanup", "date": "2026-03-05", "participants": "-1"}
    )
    body = response.content.decode()
    assert "Describe the action in Arabic or English." in body
    assert "greater than or equal to 0" in body
    assert not Action.objects.exists()


def test_an_action_of_another_campaign_cannot_be_edited_through_this_one(client):
    campaign, other = make_campaign(), make_campaign()
    from .helpers import make_action

    action = make_action(other)
    assert client.get(f"/campaigns/{campaign.pk}/actions/{action.pk}/edit/").status_code == 404


def test_the_database_refuses_an_end_before_the_start_even_without_the_form():
    from django.db import IntegrityError, transaction

    with transaction.atomic(), pytest.raises(IntegrityError):
        make_campaign(start_date=datetime.date(2026, 5, 1), end_date=datetime.date(2026, 4, 1))
    assert not Campaign.objects.exists()


def test_the_form_shows_the_date_error_once(client):
    body = client.post("/campaigns/new/", {**VALID, "end_date": "2026-02-01"}).content.decode()
    assert body.count("The end date is before the start date.") == 1
