import datetime
import re
import time

import pytest
from django.test import Client
from django.utils import timezone

from contacts.models import ConsentEvent
from flyers.models import Flyer, PrintRun
from tests.campaigns.helpers import make_action, make_campaign

pytestmark = pytest.mark.django_db


def public_campaign(**fields):
    return make_campaign(is_public=True, slug="clean", title_en="Clean streets", summary_en="Join us", **fields)


def print_run_of(campaign, quantity=100):
    flyer = Flyer.objects.create(campaign=campaign, name="A5")
    return PrintRun.objects.create(flyer=flyer, quantity=quantity)


def english():
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def test_an_unknown_slug_is_404():
    assert Client().get("/c/no-such-campaign/").status_code == 404


def test_a_campaign_without_a_public_page_is_404_not_403():
    make_campaign(slug="secret", is_public=False)
    response = Client().get("/c/secret/")
    assert response.status_code == 404


def test_it_needs_no_login_and_shows_title_and_summary():
    public_campaign()
    response = english().get("/c/clean/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Clean streets" in body and "Join us" in body


def test_it_shows_only_public_upcoming_actions():
    campaign = public_campaign()
    today = timezone.localdate()
    make_action(campaign, date=today + datetime.timedelta(days=3), description_en="Garden clean-up", is_public=True)
    make_action(
        campaign,
        date=today + datetime.timedelta(days=2),
        description_en="Team meets behind the bakery",
        neighbourhood="Secret corner",
        is_public=False,
    )
    make_action(campaign, date=today - datetime.timedelta(days=30), description_en="Last month", is_public=True)
    body = english().get("/c/clean/").content.decode()
    assert "Garden clean-up" in body
    assert "bakery" not in body and "Secret corner" not in body
    assert "Last month" not in body


def test_a_reload_of_a_flyer_code_is_not_a_second_visit():
    campaign = public_campaign()
    run = print_run_of(campaign)
    client = Client()
    client.get(f"/c/clean/?r={run.code}")
    client.get(f"/c/clean/?r={run.code}")
    client.get("/c/clean/")
    run.refresh_from_db()
    assert run.visits == 1


def test_two_visitors_of_a_flyer_code_are_two_visits():
    campaign = public_campaign()
    run = print_run_of(campaign)
    Client(REMOTE_ADDR="203.0.113.7").get(f"/c/clean/?r={run.code}")
    Client(REMOTE_ADDR="203.0.113.8").get(f"/c/clean/?r={run.code}")
    run.refresh_from_db()
    assert run.visits == 2


def test_the_same_visitor_counts_again_the_next_day(monkeypatch):
    campaign = public_campaign()
    run = print_run_of(campaign)
    Client().get(f"/c/clean/?r={run.code}")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    Client().get(f"/c/clean/?r={run.code}")
    run.refresh_from_db()
    assert run.visits == 2


def test_the_once_a_day_check_keeps_neither_address_nor_user_agent_and_expires_in_a_day():
    from django.core.cache import cache

    campaign = public_campaign()
    run = print_run_of(campaign)
    Client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="PhoneBrowser/9.9").get(f"/c/clean/?r={run.code}")
    kept = {key: (value, expiry) for key, value in cache._cache.items() for expiry in [cache._expire_info[key]]}
    stored = repr(kept)
    lifetimes = [expiry - time.time() for _, expiry in kept.values()]
    assert "203.0.113.77" not in stored and "PhoneBrowser" not in stored and max(lifetimes) <= 2 * 24 * 3600


def test_a_post_does_not_count_a_visit():
    campaign = public_campaign()
    run = print_run_of(campaign)
    Client().post(f"/c/clean/?r={run.code}", {})
    run.refresh_from_db()
    assert run.visits == 0


def test_a_code_from_another_campaigns_flyer_is_not_credited_here():
    public_campaign()
    other_run = print_run_of(make_campaign())
    assert Client().get(f"/c/clean/?r={other_run.code}").status_code == 200
    other_run.refresh_from_db()
    assert other_run.visits == 0


def test_a_forged_or_oversized_code_is_ignored():
    public_campaign()
    assert Client().get("/c/clean/?r=" + "x" * 5000).status_code == 200
    assert Client().get("/c/clean/?r=%00%27;drop").status_code == 200


def test_the_visit_counter_stores_nothing_about_the_visitor():
    campaign = public_campaign()
    run = print_run_of(campaign)
    from accounts.models import AuditEvent

    Client(REMOTE_ADDR="203.0.113.7").get(f"/c/clean/?r={run.code}")
    run.refresh_from_db()
    assert run.visits == 1
    assert not AuditEvent.objects.exists()


def confirm_link(message):
    return re.search(r"https?://\S+(/signup/confirm/\S+/)", message.body).group(1)


def test_a_visitor_signs_up_and_the_confirmation_is_credited_to_the_campaign_and_print_run(mailoutbox):
    campaign = public_campaign(goal_signups=10)
    run = print_run_of(campaign)
    client = Client()
    page = client.get(f"/c/clean/?r={run.code}").content.decode()
    assert f'name="r" value="{run.code}"' in page
    response = client.post(
        "/c/clean/", {"email": "rana@example.org", "given_name": "رنا", "language": "ar", "r": run.code}
    )
    assert response.status_code == 302 and response["Location"] == "/c/clean/?sent=1#signup"
    requested = ConsentEvent.objects.get(kind="requested")
    assert (requested.campaign, requested.print_run) == (campaign, run)
    [message] = mailoutbox
    client.post(confirm_link(message))
    assert ConsentEvent.objects.filter(kind="confirmed", campaign=campaign, print_run=run).count() == 1
    assert {g.key: g.value for g in campaign.goals()}["signups"] == 1
    run.refresh_from_db()
    assert run.visits == 1


def test_a_bad_email_shows_the_form_again_and_stores_nothing():
    public_campaign()
    response = Client().post("/c/clean/", {"email": "not-an-email", "language": "ar"})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not ConsentEvent.objects.exists()


def test_too_many_signups_from_one_connection_get_a_clear_429():
    from contacts import signup

    public_campaign()
    client = Client()
    for n in range(signup.SIGNUPS_PER_IP):
        assert client.post("/c/clean/", {"email": f"p{n}@example.org", "language": "en"}).status_code == 302
    response = client.post("/c/clean/", {"email": "one-more@example.org", "language": "en"})
    assert response.status_code == 429
    assert ConsentEvent.objects.filter(kind="requested").count() == signup.SIGNUPS_PER_IP
