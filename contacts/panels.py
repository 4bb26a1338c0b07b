"""The supporters panel on the campaign dashboard: anonymous signup counts only."""

from django.db.models import Count, Q

from .models import ConsentEvent


def campaign_panel(campaign):
    counts = ConsentEvent.objects.filter(campaign=campaign).aggregate(
        confirmed=Count("id", filter=Q(kind=ConsentEvent.Kind.CONFIRMED)),
        requested=Count("id", filter=Q(kind=ConsentEvent.Kind.REQUESTED)),
        unsubscribed=Count("id", filter=Q(kind=ConsentEvent.Kind.UNSUBSCRIBED)),
    )
    return {"template": "contacts/_campaign_panel.html", "campaign": campaign, **counts}
