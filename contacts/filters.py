"""Filters over contacts shared by the contact list page and saved segments.

All filters use clear, indexed columns (or messaging's delivery statuses for
engagement); none needs decryption.
"""

import datetime

from django.db.models import Exists, OuterRef


def _ids(values):
    out = []
    for value in values or []:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            continue
    return out


def _date(value):
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def _codes(values):
    if isinstance(values, str):
        values = [values]
    return [str(v) for v in values or [] if v]


def apply_filters(queryset, filters):
    """Narrow a Contact queryset by a filters dict (see Segment). Unknown keys and bad
    values are ignored, so an old saved segment never breaks a page."""
    from .models import Membership

    if filters is None:  # filters that could not be read select no one, never everyone
        return queryset.none()
    list_ids = _ids(filters.get("lists"))
    if list_ids:
        # EXISTS rather than a join: no duplicate rows, so no DISTINCT over 100k rows.
        queryset = queryset.filter(
            Exists(Membership.objects.filter(contact=OuterRef("pk"), contact_list_id__in=list_ids, subscribed=True))
        )
    tag_ids = _ids(filters.get("tags"))
    if tag_ids:
        through = queryset.model.tags.through
        queryset = queryset.filter(Exists(through.objects.filter(contact=OuterRef("pk"), tag_id__in=tag_ids)))
    languages = _codes(filters.get("language"))
    if languages:
        queryset = queryset.filter(language__in=languages)
    statuses = _codes(filters.get("status"))
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    if filters.get("city"):
        queryset = queryset.filter(city__iexact=str(filters["city"]).strip())
    if filters.get("neighbourhood"):
        queryset = queryset.filter(neighbourhood__iexact=str(filters["neighbourhood"]).strip())
    after = _date(filters.get("created_after"))
    if after:
        queryset = queryset.filter(created__date__gte=after)
    before = _date(filters.get("created_before"))
    if before:
        queryset = queryset.filter(created__date__lte=before)
    engagement = filters.get("engagement")
    if engagement in ENGAGEMENT:
        queryset = _engagement(queryset, engagement)
    return queryset


ENGAGEMENT = ("opened", "not_opened")


def _engagement(queryset, engagement):
    """Opened (or clicked) at least one newsletter / received some but opened none."""
    from django.apps import apps

    # Looked up lazily: messaging's models import this app's.
    Delivery = apps.get_model("messaging", "Delivery")
    opened = Exists(Delivery.objects.filter(contact=OuterRef("pk"), status__in=["opened", "clicked"]))
    if engagement == "opened":
        return queryset.filter(opened)
    received = Exists(Delivery.objects.filter(contact=OuterRef("pk"), status__in=["sent", "delivered"]))
    return queryset.filter(received).exclude(opened)
