import io

import pytest

from campaigns.models import Action, Campaign
from devtools.demo import DEMO_SLUG
from devtools.demo import history as demo

pytestmark = pytest.mark.django_db


def test_the_demo_history_loads_once_however_often_it_runs():
    demo.load(io.StringIO())
    counts = (Campaign.objects.count(), Action.objects.count())
    demo.load(io.StringIO())
    assert (Campaign.objects.count(), Action.objects.count()) == counts
    assert counts[0] == len(demo.HISTORY) + 1


def test_it_keeps_an_organizers_edits_on_reload():
    demo.load(io.StringIO())
    Campaign.objects.filter(slug="founding-2011").update(title_en="Edited")
    demo.load(io.StringIO())
    assert Campaign.objects.get(slug="founding-2011").title_en == "Edited"


def test_the_history_is_marked_demo_bilingual_and_approximate_where_the_account_gives_no_date():
    demo.load(io.StringIO())
    history = Campaign.objects.exclude(slug=DEMO_SLUG)
    assert all(c.is_demo and c.title_ar and c.title_en and c.summary_ar and c.summary_en for c in history)
    assert all(c.dates_approximate for c in history)
    assert not Action.objects.filter(campaign__in=history, date_approximate=False).exists()
    assert Campaign.objects.get(slug="founding-2011").start_date.year == 2011
    assert Campaign.objects.get(slug="gaziantep-office-2013").start_date.year == 2013


def test_it_tells_the_story_of_the_organisations_own_account():
    demo.load(io.StringIO())
    text = " ".join(
        f"{c.title_en} {c.summary_en} " + " ".join(a.description_en for a in c.actions.all())
        for c in Campaign.objects.filter(is_demo=True)
    )
    for fact in ("late 2011", "Bustan Al Qasr", "Mustafa Karman", "clean-up", "Gaziantep", "license", "flyers"):
        assert fact in text, fact


def test_the_current_demo_campaign_has_a_public_page_without_internal_meetings():
    from django.test import Client

    demo.load(io.StringIO())
    campaign = Campaign.objects.get(slug=DEMO_SLUG)
    assert campaign.is_public and campaign.status == Campaign.Status.ACTIVE
    client = Client()
    client.cookies["django_language"] = "en"
    body = client.get(f"/c/{DEMO_SLUG}/").content.decode()
    assert "Second clean-up day" in body
    assert "meeting point" not in body
