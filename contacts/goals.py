"""What contacts measures for other apps: signups per campaign and per flyer print run.

Numbers only, never who: these feed goal bars and panels that volunteers may see."""

from django.db.models import Count, Q

from campaigns.goals import total

from .models import ConsentEvent


def signups(campaign):
    """People who confirmed a signup through this campaign.

    People, not confirmations: someone who left and signed up again counts once. The
    events of erased supporters (contact NULL) still count, one each."""
    people = Count("contact", distinct=True) + Count("pk", filter=Q(contact__isnull=True))
    events = ConsentEvent.objects.filter(campaign=campaign, kind=ConsentEvent.Kind.CONFIRMED)
    return total(events, "campaign", people)


def signups_by_print_run(print_run_ids):
    """{print_run_id: confirmed signups} for these print runs."""
    rows = (
        ConsentEvent.objects.filter(kind=ConsentEvent.Kind.CONFIRMED, print_run_id__in=print_run_ids)
        .values("print_run_id")
        .annotate(n=Count("id"))
    )
    return {row["print_run_id"]: row["n"] for row in rows}


def register():
    from campaigns import goals
    from flyers import models as flyers

    goals.register("signups", signups)
    flyers.count_signups_with(signups_by_print_run)
