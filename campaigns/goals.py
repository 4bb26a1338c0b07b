"""Goal progress: each app measures its own figures; campaigns only collects them.

A figure is a function ``figure(campaign) -> expression`` where ``campaign`` is
``OuterRef("pk")`` of a Campaign queryset and the expression gives one integer per
campaign (a correlated subquery, see `total`). Apps register theirs from
``AppConfig.ready()`` with ``register("signups", figure)``; a campaign queryset's
``with_progress()`` then annotates ``progress_<key>`` for every registered key, all in
the one query that fetches the campaigns.

The collector names no other app, model or status: whoever keeps the records says
what counts (messaging says which delivery statuses are "delivered"), so renaming a
status cannot silently break a goal bar. A goal whose app is not installed reads 0.

Two more ways in, for apps whose goals are not the campaign's own fields:
- ``contribute(key, figure)`` adds a figure to another's (an event's check-ins count into
  the campaign's participants while the event has no history entry yet); the sum stays one
  expression in the same query.
- ``register_bars(provider)``: ``provider(campaign) -> [Goal]`` adds bars of its own (a
  petition's signatures against that petition's goal); `Campaign.goals()` shows them after
  the campaign's own.
"""

from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

_FIGURES = {}
_NOTES = {}
_CONTRIBUTIONS = {}
_BAR_PROVIDERS = []


def register(key, figure, note=None):
    """Contribute `progress_<key>`; registering a key twice replaces the first. `note`, when
    given, says what the figure counts, shown under its goal bar."""
    _FIGURES[key] = figure
    if note is None:
        _NOTES.pop(key, None)
    else:
        _NOTES[key] = note


def contribute(key, figure):
    """Add `figure` (same shape as a registered one) to `progress_<key>`, whoever registered
    that key. Contributing the same function twice counts it once."""
    figures = _CONTRIBUTIONS.setdefault(key, [])
    if figure not in figures:
        figures.append(figure)


def register_bars(provider):
    """Add goal bars of another app: `provider(campaign) -> list of campaigns.models.Goal`."""
    if provider not in _BAR_PROVIDERS:
        _BAR_PROVIDERS.append(provider)


def bars(campaign):
    """The bars every registered provider gives for `campaign`, in registration order."""
    return [bar for provider in _BAR_PROVIDERS for bar in provider(campaign)]


def note(key):
    """What the figure `key` counts, in words (None when its app said nothing)."""
    return _NOTES.get(key)


def total(queryset, group_by, aggregate):
    """A correlated subquery giving one number per campaign (0 when there are no rows).

    `queryset` is already filtered on the campaign (``OuterRef("pk")``); `group_by`
    is its path to the campaign."""
    sub = queryset.order_by().values(group_by).annotate(total=aggregate).values("total")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def annotations(keys=()):
    """{"progress_<key>": expression} for every registered figure, and 0 for each of
    `keys` that nothing registered (a goal whose app is not installed)."""
    campaign = OuterRef("pk")
    figures = {f"progress_{key}": Value(0) for key in keys}
    figures.update({f"progress_{key}": figure(campaign) for key, figure in _FIGURES.items()})
    for key, extra in _CONTRIBUTIONS.items():
        expression = figures.get(f"progress_{key}", Value(0))
        for figure in extra:
            expression = expression + figure(campaign)
        figures[f"progress_{key}"] = expression
    return figures
