"""The flyers panel on the campaign dashboard."""

from .models import Flyer, flyer_totals


def campaign_panel(campaign):
    flyers = flyer_totals(Flyer.objects.filter(campaign=campaign).order_by("name"))
    return {
        "template": "flyers/_campaign_panel.html",
        "campaign": campaign,
        "flyers": flyers,
        "runs": sum(f.runs for f in flyers),
        "copies": sum(f.copies for f in flyers),
        "distributed": sum(f.distributed for f in flyers),
        "visits": sum(f.visits for f in flyers),
        "signups": sum(f.signups for f in flyers),
        "responses": sum(f.responses for f in flyers),
    }
