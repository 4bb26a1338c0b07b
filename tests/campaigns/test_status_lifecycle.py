import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from campaigns.models import Campaign
from tests.factories import logged_in, make_user

from .helpers import make_campaign

pytestmark = pytest.mark.django_db


def test_a_planned_campaign_can_become_active_then_completed():
    campaign = make_campaign()
    campaign.activate()
    campaign.complete()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.COMPLETED


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("planned", "completed"),
        ("completed", "active"),
        ("completed", "cancelled"),
        ("cancelled", "active"),
        ("active", "planned"),
    ],
)
def test_it_refuses_moves_outside_the_lifecycle(start, target):
    campaign = make_campaign(status=start)
    with pytest.raises(ValidationError):
        campaign.move_to(target)
    campaign.refresh_from_db()
    assert campaign.status == start


def test_a_stale_copy_cannot_move_a_campaign_someone_else_already_moved():
    campaign = make_campaign()
    stale = Campaign.objects.get(pk=campaign.pk)
    campaign.cancel()
    with translation.override("en"), pytest.raises(ValidationError, match="Someone else"):
        stale.activate()
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.CANCELLED


def test_the_status_button_moves_the_campaign_and_audits_it():
    from accounts.models import AuditEvent

    campaign = make_campaign()
    client = logged_in(make_user())
    response = client.post(f"/campaigns/{campaign.pk}/status/", {"status": "active"}, follow=True)
    assert response.status_code == 200
    campaign.refresh_from_db()
    assert campaign.status == "active"
    event = AuditEvent.objects.get(action="campaign.status")
    assert event.detail == {"old": "planned", "new": "active"}


def test_an_invalid_status_move_through_the_page_shows_a_clear_error():
    campaign = make_campaign(status="completed")
    client = logged_in(make_user())
    client.cookies["django_language"] = "en"
    response = client.post(f"/campaigns/{campaign.pk}/status/", {"status": "active"}, follow=True)
    assert "A Completed campaign cannot become Active." in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == "completed"


def test_an_unknown_status_is_refused():
    campaign = make_campaign()
    client = logged_in(make_user())
    response = client.post(f"/campaigns/{campaign.pk}/status/", {"status": "exploded"}, follow=True)
    assert response.status_code == 200
    campaign.refresh_from_db()
    assert campaign.status == "planned"


def test_saving_the_edit_form_keeps_a_status_move_made_meanwhile(monkeypatch):
    from campaigns import views

    campaign = make_campaign()
    client = logged_in(make_user())
    form = client.get(f"/campaigns/{campaign.pk}/edit/").context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(title_en="Renamed", start_date="2012-05-01")
    real_form = views.CampaignForm

    class SlowForm(real_form):
        def is_valid(self):
            Campaign.objects.get(pk=campaign.pk).activate()  # another organizer, meanwhile
            return super().is_valid()

    monkeypatch.setattr(views, "CampaignForm", SlowForm)
    assert client.post(f"/campaigns/{campaign.pk}/edit/", data).status_code == 302
    campaign.refresh_from_db()
    assert (campaign.title_en, campaign.status) == ("Renamed", Campaign.Status.ACTIVE)


def test_a_cancel_button_press_without_the_confirmation_cancels_nothing_and_asks_in_words():
    campaign = make_campaign(title_en="Clean Aleppo 2026")
    client = logged_in(make_user())
    with translation.override("en"):
        response = client.post(f"/campaigns/{campaign.pk}/status/", {"status": "cancelled"}, HTTP_ACCEPT_LANGUAGE="en")
    campaign.refresh_from_db()
    assert (response.status_code, campaign.status, "Clean Aleppo 2026" in response.content.decode()) == (
        200,
        "planned",
        True,
    )


def test_the_confirmed_cancel_cancels_and_audits():
    from accounts.models import AuditEvent

    campaign = make_campaign()
    client = logged_in(make_user())
    client.post(f"/campaigns/{campaign.pk}/status/", {"status": "cancelled", "confirm": "cancel"})
    campaign.refresh_from_db()
    assert (campaign.status, AuditEvent.objects.filter(action="campaign.status").count()) == ("cancelled", 1)


def test_a_cancelled_campaign_can_be_reopened_and_the_reopening_is_audited():
    from accounts.models import AuditEvent

    campaign = make_campaign(status="cancelled")
    user = make_user()
    logged_in(user).post(f"/campaigns/{campaign.pk}/status/", {"status": "planned"})
    campaign.refresh_from_db()
    event = AuditEvent.objects.get(action="campaign.reopen")
    assert (campaign.status, event.actor, event.object_id) == ("planned", user, str(campaign.pk))


def test_reopening_a_campaign_that_is_not_cancelled_changes_nothing():
    campaign = make_campaign(status="active")
    with pytest.raises(ValidationError):
        campaign.reopen(by=None)
    campaign.refresh_from_db()
    assert campaign.status == "active"


def test_a_stale_copy_cannot_reopen_twice():
    from accounts.models import AuditEvent

    campaign = make_campaign(status="cancelled")
    stale = Campaign.objects.get(pk=campaign.pk)
    campaign.reopen(by=None)
    with pytest.raises(ValidationError):
        stale.reopen(by=None)
    assert AuditEvent.objects.filter(action="campaign.reopen").count() == 1
