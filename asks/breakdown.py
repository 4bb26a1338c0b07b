"""The figures an organizer reads about an ask: responses by status, confirmed ones by
neighbourhood and by print run, and its shifts filled. Counted live (not from
asks/counts.py's cache): organizers act on them.

Neighbourhoods are stored encrypted with a blind index of the normalised label
(contacts/labels.py), so "حماة" and "حماه" are one group: the database groups by the index
and one label per group is decrypted to name it, never every row.
"""

from django.db.models import Count, Min, Q
from django.utils.translation import gettext as _

from .models import Response


def by_status(ask):
    counts = dict(ask.responses.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in Response.Status.values}


def by_neighbourhood(ask):
    """[(label, count)] of confirmed responses, largest first; "" groups those who gave none."""
    rows = list(
        ask.confirmed()
        .order_by()
        .values("neighbourhood_hash")
        .annotate(n=Count("pk"), one=Min("pk"))
        .values_list("neighbourhood_hash", "n", "one")
    )
    named = Response.objects.filter(pk__in=[one for hashed, _n, one in rows if hashed]).only("pk", "neighbourhood_enc")
    labels = {response.pk: response.neighbourhood for response in named}
    result = [(labels.get(one, "") if hashed else "", n) for hashed, n, one in rows]
    return sorted(result, key=lambda row: (-row[1], row[0] == "", row[0]))


def by_print_run(ask):
    """[(label, count)] of confirmed responses per print run, largest first, and "no flyer"."""
    rows = (
        ask.confirmed()
        .order_by()
        .values("print_run", "print_run__code", "print_run__flyer__name", "print_run__neighbourhood")
        .annotate(n=Count("pk"))
    )
    result = []
    for row in rows:
        if row["print_run"] is None:
            label = _("No flyer (the page was opened directly)")
        else:
            parts = [row["print_run__flyer__name"], row["print_run__neighbourhood"], row["print_run__code"]]
            label = " · ".join(str(part) for part in parts if part)
        result.append((label, row["n"]))
    return sorted(result, key=lambda row: -row[1])


def shifts(ask):
    """The event's shifts, each with `taken` (confirmed) next to its `slots`."""
    return list(ask.shifts.annotate(taken=Count("responses", filter=Q(responses__status=Response.Status.CONFIRMED))))


def figures(ask):
    """Everything asks/_figures.html shows, for the ask's page and its responses page alike."""
    return {
        "statuses": by_status(ask),
        "neighbourhoods": by_neighbourhood(ask),
        "print_runs": by_print_run(ask),
        "shifts": shifts(ask) if ask.is_event else [],
    }
