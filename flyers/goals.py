"""The flyers' contribution to campaign goals: copies printed for the campaign's flyers."""

from django.db.models import Sum

from campaigns.goals import total

from .models import PrintRun


def flyers_distributed(campaign):
    return total(PrintRun.objects.filter(flyer__campaign=campaign), "flyer__campaign", Sum("quantity"))


def register():
    from campaigns import goals

    goals.register("flyers", flyers_distributed)
