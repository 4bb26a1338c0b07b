"""Filters over contacts shared by the contact list page and saved segments.

No filter needs decryption: the city and the neighbourhood are encrypted, so they are
matched on the blind index of their normalised form (contacts/labels.py); the others
use clear columns. Filters over other
apps' records (newsletter engagement, from messaging) are contributed by those apps
through `register`, so this module names none of them.
"""

import datetime

from django.db.models import Exists, OuterRef

from .labels import label_index


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


# key -> narrow(queryset, value) -> queryset, registered by other apps from their
# AppConfig.ready(). A key whose app is not installed is ignored like any unknown key.
_CONTRIBUTED = {}


def register(key, narrow):
    """Let another app filter contacts by `key`: `narrow(queryset, value)` must ignore a
    value it does not understand (return the queryset unchanged), as the filters here do."""
    _CONTRIBUTED[key] = narrow


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
    for kind in ("city", "neighbourhood"):
        if filters.get(kind):
            # A value that normalises to nothing (only tatweel, say) matches no one, never everyone.
            digest = label_index(str(filters[kind]), kind)
            queryset = queryset.filter(**{f"{kind}_hash": digest}) if digest else queryset.none()
    after = _date(filters.get("created_after"))
    if after:
        queryset = queryset.filter(created__date__gte=after)
    before = _date(filters.get("created_before"))
    if before:
        queryset = queryset.filter(created__date__lte=before)
    for key, narrow in _CONTRIBUTED.items():
        if filters.get(key):
            queryset = narrow(queryset, filters[key])
    return queryset
