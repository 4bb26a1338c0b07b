"""Filters over contacts shared by the contact list page and saved segments.

No filter needs decryption: the city and the neighbourhood are encrypted, so they are
matched on the blind index of their normalised form (contacts/labels.py); the others
use clear columns. Where a supporter came from is read from their consent history: the
campaign and print run a signup was made through are on its REQUESTED and CONFIRMED
events (contacts/signup.py), and `Contact.source` says how the row was made ("signup",
"import", "organizer"). Filters over other
apps' records (newsletter engagement, from messaging) are contributed by those apps
through `register`, so this module names none of them.
"""

import datetime

from django.db.models import Exists, OuterRef, Q

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


# Where people came from (the "source" filter): code -> Contact.source values. A flyer signup
# is a signup with a print run on one of its signup events; a public signup is one without.
# "ask": signers of a petition or pledge, or an event's attendees, who ticked "keep me
# informed" (the app that makes them records its ask's kind as the source).
_SOURCE_COLUMN = {
    "flyer": ("signup",),
    "signup": ("signup",),
    "import": ("import",),
    "manual": ("organizer",),
    "ask": ("petition", "pledge", "event"),
}


def _signup_events(**where):
    """A contact's signup events (requested or confirmed) matching `where`, for Exists()."""
    from .models import ConsentEvent

    kinds = [ConsentEvent.Kind.REQUESTED, ConsentEvent.Kind.CONFIRMED]
    return ConsentEvent.objects.filter(contact=OuterRef("pk"), kind__in=kinds, **where)


def brought_in(queryset, where):
    """The contacts a signup matching `where` (a Q over ConsentEvent) brought in: those who
    confirmed it, and those still awaiting confirmation who asked for it. Someone already
    on file who asked again without confirming was not brought in by it."""
    from .models import ConsentEvent, Contact

    events = _signup_events().filter(where)
    confirmed = Exists(events.filter(kind=ConsentEvent.Kind.CONFIRMED))
    awaiting = Q(status=Contact.Status.PENDING) & Q(Exists(events.filter(kind=ConsentEvent.Kind.REQUESTED)))
    return queryset.filter(Q(confirmed) | awaiting)


def by_campaign(queryset, campaign_ids):
    # A signup made through a print run is its flyer's campaign's, also when an older
    # event carries only the print run.
    where = Q(campaign_id__in=campaign_ids) | Q(print_run__flyer__campaign_id__in=campaign_ids)
    return brought_in(queryset, where)


def by_print_run(queryset, print_run_ids):
    return brought_in(queryset, Q(print_run_id__in=print_run_ids))


def by_source(queryset, codes):
    codes = [code for code in codes if code in _SOURCE_COLUMN]
    if not codes:  # only unknown codes: no one, never everyone
        return queryset.none()
    from_flyer = Exists(_signup_events(print_run__isnull=False))
    wanted = Q()
    for code in codes:
        if code == "flyer":
            wanted |= Q(source="signup") & Q(from_flyer)
        elif code == "signup":
            wanted |= Q(source="signup") & ~Q(from_flyer)
        else:
            wanted |= Q(source__in=_SOURCE_COLUMN[code])
    return queryset.filter(wanted)


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
    campaign_ids = _ids(filters.get("campaign"))
    if campaign_ids:
        queryset = by_campaign(queryset, campaign_ids)
    print_run_ids = _ids(filters.get("print_run"))
    if print_run_ids:
        queryset = by_print_run(queryset, print_run_ids)
    sources = _codes(filters.get("source"))
    if sources:
        queryset = by_source(queryset, sources)
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
