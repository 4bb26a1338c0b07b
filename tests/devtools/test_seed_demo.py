"""seed_demo loads one ordered scenario, once however often it runs."""

import io

import pytest
from django.core.management import call_command

from asks.models import Ask, Response
from campaigns.models import Campaign
from devtools import demo
from devtools.demo import DEMO_SLUG
from flyers.models import Flyer
from messaging.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def dev_settings(settings, tmp_path):
    settings.DEBUG = True  # seed_demo refuses otherwise
    settings.VAR_DIR = tmp_path  # never overwrite a developer's var/demo_credentials.txt
    return settings


def seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_scenario_runs_its_steps_in_order():
    assert [step.__name__.rsplit(".", 1)[1] for step in demo.STEPS] == [
        "organisation",
        "history",
        "contacts",
        "flyers",
        "asks",
        "messaging",
    ]


def test_seed_demo_loads_the_whole_scenario_once(dev_settings, tmp_path):
    output = seed()
    prefixes = [line.split(":", 1)[0] for line in output.splitlines()]
    steps = [prefix for prefix in prefixes if prefix in ("campaigns", "contacts", "flyers", "asks", "messaging")]
    assert steps == ["campaigns", "contacts", "flyers", "asks", "asks", "messaging"]
    assert (tmp_path / "demo_credentials.txt").exists()
    counts = [model.objects.count() for model in (Campaign, Flyer, Ask, Response, Message)]
    seed()
    assert [model.objects.count() for model in (Campaign, Flyer, Ask, Response, Message)] == counts
    # Later steps build on earlier ones: the flyer belongs to the current demo campaign.
    assert Flyer.objects.get(name=demo.flyers.DEMO_NAME).campaign == Campaign.objects.get(slug=DEMO_SLUG)
    assert Message.objects.get().lists.exists()


def demo_ask(slug):
    return Ask.objects.get(campaign__slug=DEMO_SLUG, slug=slug)


def test_the_demo_petition_is_open_with_confirmed_and_pending_signatures_from_several_print_runs(dev_settings):
    seed()
    petition = demo_ask(demo.asks.PETITION_SLUG)
    confirmed = petition.responses.filter(status=Response.Status.CONFIRMED)
    shown = (
        petition.status,
        petition.goal,
        bool(petition.title_ar and petition.title_en and petition.target_ar and petition.target_en),
        confirmed.count(),
        petition.responses.filter(status=Response.Status.PENDING).count(),
        confirmed.filter(named=True).count(),
        confirmed.values("print_run").distinct().count(),
        len({r.neighbourhood for r in confirmed}),
    )
    assert shown == ("open", 500, True, 10, 3, 3, 4, 4)


def test_the_demo_petition_flyer_leads_to_the_petition_and_counts_its_signatures(dev_settings):
    seed()
    petition = demo_ask(demo.asks.PETITION_SLUG)
    flyer = Flyer.objects.get(name=demo.asks.FLYER_NAME)
    runs = list(flyer.print_runs.order_by("id"))
    shown = (flyer.landing_path(), [run.response_count() for run in runs])
    assert shown == (petition.public_url(), [3, 3, 2])


def test_the_demo_event_has_shifts_a_waitlist_and_a_place_for_attendees_only(dev_settings):
    seed()
    event = demo_ask(demo.asks.EVENT_SLUG)
    shifts = [(shift.label_en, shift.slots, shift.taken()) for shift in event.shifts.all()]
    waiting = event.responses.filter(status=Response.Status.WAITLISTED).count()
    ahead = (event.local_starts().date() - event.created.date()).days
    shown = (event.status, shifts, waiting, bool(event.place) and event.place not in event.area, ahead >= 3)
    assert shown == ("open", [("Cleaning", 20, 3), ("Tree planting", 2, 2)], 1, True, True)
