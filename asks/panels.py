"""What asks show on campaigns' pages: the asks panel of the campaign dashboard (with the
buttons that create them) and the asks' results in the mobilisation history (page and
report). Counts only, never who."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns.results import Result

from .closing import number
from .models import Ask, Response

COUNTED = {
    Ask.Kind.PETITION: lambda n: ngettext("%(n)s signature", "%(n)s signatures", n) % {"n": number(n)},
    Ask.Kind.PLEDGE: lambda n: ngettext("%(n)s pledge", "%(n)s pledges", n) % {"n": number(n)},
    Ask.Kind.EVENT: lambda n: ngettext("%(n)s confirmed", "%(n)s confirmed", n) % {"n": number(n)},
}


def _counted(asks):
    confirmed = Q(responses__status=Response.Status.CONFIRMED)
    return asks.annotate(
        n_confirmed=Count("responses", filter=confirmed),
        n_checked_in=Count("responses", filter=confirmed & Q(responses__checked_in_at__isnull=False)),
        n_pending=Count("responses", filter=Q(responses__status=Response.Status.PENDING)),
    )


def campaign_panel(campaign):
    asks = list(_counted(Ask.objects.filter(campaign=campaign)).order_by("position", "-id"))
    for ask in asks:
        ask.counted = COUNTED[ask.kind](ask.n_confirmed)
    return {
        "template": "asks/_campaign_panel.html",
        "campaign": campaign,
        "asks": asks,
        "kinds": [(kind, label, reverse("asks:create", args=[campaign.pk, kind])) for kind, label in Ask.Kind.choices],
    }


def history_results(campaign_ids):
    """campaigns.results provider: every ask that was opened, with what it achieved."""
    asks = _counted(Ask.objects.filter(campaign_id__in=campaign_ids).exclude(status=Ask.Status.DRAFT))
    results = []
    for ask in asks.order_by("campaign_id", "position", "id"):
        title = f"{ask.get_kind_display()}: {ask.title}"
        if ask.status == Ask.Status.CANCELLED:
            line = _("cancelled")
        elif ask.is_event and ask.status == Ask.Status.CLOSED:
            line = _("closed: %(n)s attended") % {"n": number(ask.n_checked_in)}
        elif ask.status == Ask.Status.CLOSED:
            line = _("closed: %(result)s") % {"result": COUNTED[ask.kind](ask.n_confirmed)}
        else:
            line = _("open: %(result)s so far") % {"result": COUNTED[ask.kind](ask.n_confirmed)}
        results.append(Result(ask.campaign_id, title, line, reverse("asks:detail", args=[ask.pk])))
    return results
