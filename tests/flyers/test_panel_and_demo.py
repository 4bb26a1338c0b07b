import io

import pytest

from campaigns.models import Campaign
from devtools.demo import flyers as demo
from flyers.models import Flyer, PrintRun
from flyers.panels import campaign_panel

from .factories import make_campaign, make_flyer, make_run

pytestmark = pytest.mark.django_db


def test_the_campaign_panel_counts_copies_visits_and_signups_of_its_own_flyers():
    from contacts.models import ConsentEvent

    campaign = make_campaign()
    flyer = make_flyer(campaign)
    run = make_run(flyer, quantity=120)
    make_run(make_flyer(campaign, name="second"), quantity=80)
    make_run(make_flyer(make_campaign("elsewhere")), quantity=999)
    PrintRun.record_visit(run.code)
    ConsentEvent.objects.create(kind="confirmed", print_run=run, campaign=campaign)
    panel = campaign_panel(campaign)
    assert panel["template"] == "flyers/_campaign_panel.html"
    assert (panel["runs"], panel["copies"], panel["visits"], panel["signups"]) == (2, 200, 1, 1)
    assert {f.name for f in panel["flyers"]} == {"Clean-up day", "second"}


def test_the_campaign_panel_renders():
    from django.template.loader import render_to_string

    campaign = make_campaign()
    make_run(make_flyer(campaign), quantity=120)
    panel = campaign_panel(campaign)
    html = render_to_string(panel["template"], {"panel": panel})
    assert "120" in html


def test_the_demo_flyer_is_made_once_for_the_demo_campaign():
    out = io.StringIO()
    demo.load(out)
    assert "no campaign" in out.getvalue()
    assert not Flyer.objects.exists()
    Campaign.objects.create(slug=demo.DEMO_SLUG, title_ar="حلب نظيفة", is_public=True)
    demo.load(out)
    demo.load(out)
    flyer = Flyer.objects.get()
    assert flyer.headline_ar and flyer.headline_en
    assert flyer.campaign.slug == demo.DEMO_SLUG
