"""What asks gives flyers (which may not import asks): asks a flyer's QR code can lead to,
and confirmed responses counted per print run. Registered from AsksConfig.ready().

Numbers only cross this seam, never who responded: the print run's page is a volunteer's."""

from django.db.models import Count

from flyers import models as flyers
from flyers import targets
from flyers.targets import Target

from .models import Ask, Response

PREFIX = "ask"


def _target(ask):
    return Target(key=f"{PREFIX}:{ask.pk}", path=ask.public_url(), title_ar=ask.title_ar, title_en=ask.title_en)


class AskTargets:
    """Open asks are offered on the flyer form (a draft has no page yet, a closed one asks
    nothing more); once printed, a flyer keeps leading to its ask while the ask has a public
    page (a closed petition shows its result), and to the campaign's page once it has none."""

    prefix = PREFIX

    def targets(self, campaigns):
        asks = Ask.objects.open().filter(campaign__in=campaigns).select_related("campaign")
        return [(ask.campaign_id, _target(ask)) for ask in asks.order_by("campaign_id", "position", "-id")]

    def resolve(self, campaign, key):
        pk = key.partition(":")[2]
        if not (pk.isascii() and pk.isdigit() and len(pk) <= 18):  # beyond 18 digits overflows a bigint
            return None
        # The asks public_pages serves a page for (ask_pages.public_ask).
        ask = Ask.objects.public().filter(campaign=campaign, pk=int(pk)).select_related("campaign").first()
        return _target(ask) if ask is not None else None


def responses_by_print_run(print_run_ids):
    """{print_run_id: confirmed signatures, pledges and RSVPs} for these print runs. Checked-in
    attendees are confirmed too; pending, waitlisted and withdrawn ones do not count."""
    rows = (
        Response.objects.filter(status=Response.Status.CONFIRMED, print_run_id__in=print_run_ids)
        .values("print_run_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["print_run_id"]: row["n"] for row in rows}


PROVIDER = AskTargets()


def register():
    targets.register(PROVIDER)
    flyers.count_responses_with(responses_by_print_run)
