"""Words for the codes a contact's row keeps: where the supporter came from (Contact.source)
and how a consent step was taken (ConsentEvent.method). The codes stay in the database;
people read these (an unknown code is shown as it is, never hidden)."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

SOURCES = {
    "signup": _("Public signup"),
    "import": _("Import"),
    "organizer": _("Added by hand"),
    "demo": _("Demo data"),
}

METHODS = {
    "signup_form": _("signup form"),
    "one_click": _("one-click unsubscribe link"),
    "preferences": _("preferences page"),
    "webhook": _("report from the mail provider"),
    "organizer": _("by an organizer"),
    "import": _("import"),
    "unconfirmed": _("never confirmed"),
    "demo": _("demo data"),
}


@register.filter
def source_label(code):
    return SOURCES.get(code, code)


@register.filter
def method_label(code):
    return METHODS.get(code, code)
