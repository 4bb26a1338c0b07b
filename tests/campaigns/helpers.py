import datetime
import itertools

from campaigns.models import Action, Campaign
from devtools.benchmarks.web import make_history

_seq = itertools.count(1)


def make_campaign(**fields):
    n = next(_seq)
    values = {
        "title_ar": f"حملة {n}",
        "title_en": f"Campaign {n}",
        "slug": f"campaign-{n}",
        "kind": Campaign.Kind.CLEANUP,
        "start_date": datetime.date(2012, 5, 1),
        "city": "حلب",
    }
    values.update(fields)
    return Campaign.objects.create(**values)


def make_action(campaign, **fields):
    values = {
        "kind": Action.Kind.CLEANUP,
        "date": campaign.start_date or datetime.date(2012, 5, 1),
        "city": campaign.city,
        "description_ar": "وصف",
        "description_en": "Description",
    }
    values.update(fields)
    return Action.objects.create(campaign=campaign, **values)


def make_many(campaigns, actions_each, start_year=2011):
    """Bulk data for query-count tests (the benchmark's own generator)."""
    return make_history(campaigns, actions_each, start_year, tag=str(next(_seq)))
