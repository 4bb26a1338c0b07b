"""The campaign dashboard's newsletter panel (see campaigns' dashboard)."""

from .models import Delivery, Message


def campaign_panel(campaign):
    messages = list(Message.objects.filter(campaign=campaign).order_by("-created")[:20])
    if not messages:
        return {"template": "messaging/_campaign_panel.html", "rows": [], "campaign": campaign}
    rows = [{"message": m, "stats": m.stats()} for m in messages]
    return {
        "template": "messaging/_campaign_panel.html",
        "rows": rows,
        "campaign": campaign,
        "delivered_means": Delivery.DELIVERED_MEANS,  # the goal "messages delivered" counts the same
    }
