"""The supporters panel of the home dashboard (see accounts.home): signups of the last
seven days (counts only, no names: the dashboard is glanced at in public places)."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from accounts.roles import is_organizer

from .models import ConsentEvent


def home_panel(request):
    if not is_organizer(request.user):
        return None
    since = timezone.now() - timedelta(days=7)
    counts = ConsentEvent.objects.filter(created__gte=since).aggregate(
        requested=Count("id", filter=Q(kind=ConsentEvent.Kind.REQUESTED)),
        confirmed=Count("id", filter=Q(kind=ConsentEvent.Kind.CONFIRMED)),
    )
    return {"template": "contacts/_home_panel.html", **counts}
