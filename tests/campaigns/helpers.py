import datetime
import itertools

from campaigns.models import Action, Campaign

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
    """Bulk data for query-count tests and the benchmark: `campaigns` campaigns across
    the years, each with `actions_each` actions."""
    n = next(_seq)
    kinds = list(Campaign.Kind)
    action_kinds = list(Action.Kind)
    cities = ["حلب", "إدلب", "غازي عنتاب", "Gaziantep"]
    made = Campaign.objects.bulk_create(
        Campaign(
            title_ar=f"حملة {i}",
            title_en=f"Campaign {i}",
            slug=f"bulk-{n}-{i}",
            kind=kinds[i % len(kinds)],
            status=Campaign.Status.COMPLETED,
            start_date=datetime.date(start_year + i % 15, 1 + i % 12, 1 + i % 28),
            city=cities[i % len(cities)],
            goal_participants=100,
        )
        for i in range(campaigns)
    )
    Action.objects.bulk_create(
        Action(
            campaign=c,
            kind=action_kinds[(i + j) % len(action_kinds)],
            date=c.start_date + datetime.timedelta(days=j * 3),
            city=c.city,
            description_ar=f"نشاط {j}",
            description_en=f"Action {j}",
            participants=10 + j,
        )
        for i, c in enumerate(made)
        for j in range(actions_each)
    )
    return made
