"""The flyers' contribution to campaign goals: copies put up for the campaign's flyers.

"Flyers distributed" counts, per print run, the copies left at its drops; a run with no drop
logged counts every copy it printed (how runs were logged before drops existed, and a
volunteer who puts everything up without saying where). Copies printed stay a separate
figure, so copies still in a bag no longer count once a drop says where the others went."""

from django.db.models import IntegerField, Sum
from django.db.models.functions import Coalesce

from campaigns.goals import total

from .models import PrintRun, with_drop_copies


def flyers_distributed(campaign):
    """Per print run: copies at its drops, else copies printed (PrintRun.distributed's rule)."""
    runs = with_drop_copies(PrintRun.objects.filter(flyer__campaign=campaign))
    runs = runs.annotate(placed=Coalesce("drop_copies", "quantity", output_field=IntegerField()))
    return total(runs, "flyer__campaign", Sum("placed"))


def register():
    from campaigns import goals

    goals.register("flyers", flyers_distributed)
