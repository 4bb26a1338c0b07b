"""{{ shift|shift_when:ask }}: a shift's hours in its event's time zone, with its day when the
hours alone would mislead (asks.event_mail.shift_when), for the organizer's pages. The
hours are isolated left to right, so "09:00–11:00" does not turn round in an Arabic line."""

from django import template
from django.utils.html import format_html

from asks.event_mail import shift_when as when

register = template.Library()


@register.filter
def shift_when(shift, ask):
    day, hours = when(shift, ask)
    if day:
        return format_html('{} <bdi dir="ltr">{}</bdi>', day, hours)
    return format_html('<bdi dir="ltr">{}</bdi>', hours)
