"""The supporters panel on the campaign dashboard: anonymous signup counts, and links to
the people each count stands for (the contact list filtered by the campaign or by one of
its print runs; those pages are organizers' and admins' only, and audited)."""

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from flyers.models import PrintRun

from .goals import signups_by_print_run
from .models import ConsentEvent

PRINT_RUNS_SHOWN = 30


def _people(key, pk):
    query = urlencode({key: pk})
    return reverse("contacts:list") + "?" + query, reverse("contacts:segment_new") + "?" + query


def campaign_panel(campaign):
    counts = ConsentEvent.objects.filter(campaign=campaign).aggregate(
        confirmed=Count("id", filter=Q(kind=ConsentEvent.Kind.CONFIRMED)),
        requested=Count("id", filter=Q(kind=ConsentEvent.Kind.REQUESTED)),
        unsubscribed=Count("id", filter=Q(kind=ConsentEvent.Kind.UNSUBSCRIBED)),
    )
    runs = list(PrintRun.objects.filter(flyer__campaign=campaign).select_related("flyer")[:PRINT_RUNS_SHOWN])
    signups = signups_by_print_run([run.pk for run in runs])
    for run in runs:
        run.confirmed = signups.get(run.pk, 0)
        run.people_url, run.segment_url = _people("print_run", run.pk)
    people_url, segment_url = _people("campaign", campaign.pk)
    return {
        "template": "contacts/_campaign_panel.html",
        "campaign": campaign,
        "people_url": people_url,
        "segment_url": segment_url,
        "print_runs": runs,
        **counts,
    }
