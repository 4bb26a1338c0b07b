import functools

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pick(form, names):
    """The bound fields of `form` named in the space-separated `names`, in that order."""
    return [form[name] for name in names.split()]


def _one(value, approximate):
    shown = formats.date_format(value, "YEAR_MONTH_FORMAT" if approximate else "DATE_FORMAT")
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), shown)


@register.simple_tag
def dates(start, end=None, approximate=False):
    """A date or a date range; approximate dates show month and year only, marked ≈.
    (A tag rather than an include: it runs for every row of the history timeline.)"""
    if not start:
        return "—"
    return _dates(start, end, bool(approximate), get_language())


@functools.lru_cache(maxsize=4096)
def _dates(start, end, approximate, language):
    # Formatting a date is slow in Django (format lookups per call); timelines repeat dates.
    html = _one(start, approximate)
    if end and end != start:
        html = format_html("{} – {}", html, _one(end, approximate))
    if approximate:
        html = format_html('<span class="approx" title="{}">≈ </span>{}', _("approximate date"), html)
    return format_html('<span class="dates">{}</span>', html)
