"""The newsletters panel of the home dashboard (see accounts.home): sends in progress and
the next scheduled ones, each sending one with how far it has gone."""

from accounts.roles import is_organizer

from .models import Delivery, Message


def home_panel(request):
    if not is_organizer(request.user):
        return None
    busy = (Message.Status.SENDING, Message.Status.PAUSED, Message.Status.SCHEDULED)
    rows = []
    for message in Message.objects.filter(status__in=busy).order_by("send_at", "id")[:6]:
        row = {"message": message, "total": 0, "done": 0}
        if message.status != Message.Status.SCHEDULED:
            counts = message.counts()
            row["total"] = counts["total"]
            row["done"] = sum(counts[status] for status in Delivery.HANDED_OVER)
        rows.append(row)
    return {"template": "messaging/_home_panel.html", "rows": rows}
