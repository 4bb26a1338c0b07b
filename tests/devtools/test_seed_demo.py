"""seed_demo loads one ordered scenario, once however often it runs."""

import io

import pytest
from django.core.management import call_command

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
        "messaging",
    ]


def test_seed_demo_loads_the_whole_scenario_once(dev_settings, tmp_path):
    output = seed()
    prefixes = [line.split(":", 1)[0] for line in output.splitlines()]
    steps = [prefix for prefix in prefixes if prefix in ("campaigns", "contacts", "flyers", "messaging")]
    assert steps == ["campaigns", "contacts", "flyers", "messaging"]
    assert (tmp_path / "demo_credentials.txt").exists()
    counts = (Campaign.objects.count(), Flyer.objects.count(), Message.objects.count())
    seed()
    assert (Campaign.objects.count(), Flyer.objects.count(), Message.objects.count()) == counts
    # Later steps build on earlier ones: the flyer belongs to the current demo campaign.
    assert Flyer.objects.get().campaign == Campaign.objects.get(slug=DEMO_SLUG)
    assert Message.objects.get().lists.exists()
