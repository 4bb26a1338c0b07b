"""The flyers' contribution to campaign goals: copies put up for the campaign's flyers.

"Flyers distributed" counts, per print run, the copies left at its drops; a run with no drop
logged counts every copy it printed (how runs were logged before drops existed, and a
volunteer who puts everything up without saying where). Copies printed stay a separate
figure, so copies still in a bag no longer count once a drop says where the others went."""

from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from campaigns.goals import total

from .models import Drop, PrintRun


def distributed_copies():
    """Per print run: copies at its drops, else copies printed (an expression on PrintRun)."""
    placed = Drop.objects.filter(print_run=OuterRef("pk")).order_by().values("print_run")
    placed = placed.annotate(n=Sum("copies")).values("n")
    return Coalesce(Subquery(placed, output_field=IntegerField()), "quantity", output_field=IntegerField())


def flyers_distributed(campaign):
    runs = PrintRun.objects.filter(flyer__campaign=campaign).annotate(placed=distributed_copies())
    return total(runs, "flyer__campaign", Sum("placed"))


def register():
    from campaigns import goals

    goals.register("flyers", flyers_distributed)
