"""The campaigns panel of the home dashboard (see accounts.home): active campaigns with
their goal bars, and the next actions of every campaign."""

from django.utils import timezone

from accounts.roles import is_organizer

from .models import Action, Campaign


def home_panel(request):
    if not is_organizer(request.user):
        return None
    active = Campaign.objects.filter(status=Campaign.Status.ACTIVE).with_progress().order_by("-start_date", "-id")
    upcoming = Action.objects.filter(date__gte=timezone.localdate()).select_related("campaign").order_by("date", "id")
    return {"template": "campaigns/_home_panel.html", "active": list(active[:6]), "upcoming": list(upcoming[:5])}
