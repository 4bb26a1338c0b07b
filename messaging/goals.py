"""Messaging's contribution to campaign goals and to contact segments."""

from django.db.models import Count, Exists, OuterRef

from campaigns.goals import total

from .models import Delivery

S = Delivery.Status
# Deliveries that count as "messages delivered" towards a campaign's goal: the same
# definition as a newsletter's "delivered" (Delivery.DELIVERED, worded in DELIVERED_MEANS).
DELIVERED = Delivery.DELIVERED
OPENED = (S.OPENED, S.CLICKED)
RECEIVED = (S.SENT, S.DELIVERED)


def messages_delivered(campaign):
    deliveries = Delivery.objects.filter(message__campaign=campaign, status__in=DELIVERED)
    return total(deliveries, "message__campaign", Count("pk"))


def engagement(queryset, value):
    """Contacts who opened (or clicked) at least one newsletter ("opened"), or received
    some and opened none ("not_opened"); any other value filters nothing."""
    opened = Exists(Delivery.objects.filter(contact=OuterRef("pk"), status__in=OPENED))
    if value == "opened":
        return queryset.filter(opened)
    if value == "not_opened":
        received = Exists(Delivery.objects.filter(contact=OuterRef("pk"), status__in=RECEIVED))
        return queryset.filter(received).exclude(opened)
    return queryset


def register():
    from campaigns import goals
    from contacts import filters

    goals.register("messages", messages_delivered, note=Delivery.DELIVERED_MEANS)
    filters.register("engagement", engagement)
