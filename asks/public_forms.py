"""The public forms that answer an ask: sign a petition, make a pledge, RSVP to an event.

One form per kind (`form_for` picks it). Every one asks for as little as it can: a given
name, an email or a phone, a neighbourhood (prefilled from the flyer that brought the
visitor, so the response is credited to where the flyer was put), a language, and two
choices that are unticked until the person ticks them — a signature is not a newsletter
subscription, and a signer is counted, not named, unless they say so. The honeypot is the
signup form's (contacts.forms.HoneypotForm).

A phone-only response cannot get the emailed link, so it stays pending until an organizer
confirms it by hand; the thank-you page says so.
"""

from django import forms
from django.utils.translation import get_language_bidi, gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from contacts import crypto
from contacts.forms import HoneypotForm, check_mailable
from contacts.models import Contact

from . import counts
from .event_mail import shift_when
from .models import Ask

NAME_MAX = 100


class ResponseForm(HoneypotForm):
    """What every kind asks. `ask` is the ask answered; `print_run` the flyer that brought
    the visitor (or None), whose neighbourhood is the default answer to "where"."""

    given_name = forms.CharField(
        label=_("Your name"), max_length=NAME_MAX, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    family_name = forms.CharField(
        label=_("Family name (optional)"),
        max_length=NAME_MAX,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )
    phone = forms.CharField(
        label=_("Phone (if you give no email)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "dir": "ltr"}),
    )
    neighbourhood = forms.CharField(label=_("Your neighbourhood"), max_length=NAME_MAX, required=False)
    language = forms.ChoiceField(label=_("Language for our emails"), choices=Contact.Language.choices, initial="ar")
    keep_informed = forms.BooleanField(
        label=_("Keep me informed about this campaign and the organisation's work"), required=False
    )

    field_order = ["given_name", "family_name", "email", "phone", "neighbourhood", "language", "keep_informed"]

    def __init__(self, *args, ask, print_run=None, language="ar", **kwargs):
        self.ask = ask
        initial = kwargs.pop("initial", {}) | {"language": language}
        if print_run is not None and print_run.neighbourhood:
            initial["neighbourhood"] = print_run.neighbourhood
        super().__init__(*args, initial=initial, **kwargs)

    def clean_email(self):
        return check_mailable(self.cleaned_data["email"])

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        # Kept in E.164 when plausible (a Syrian mobile phonenumbers does not know yet is kept
        # unverified, as the contact form keeps it).
        normalised = crypto.phone_key(phone)
        if not normalised:
            raise forms.ValidationError(_("This is not a valid phone number."), code="phone")
        return normalised

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("email") and not data.get("phone"):
            raise forms.ValidationError(_("Give an email address or a phone number."), code="reach")
        return data


class PetitionForm(ResponseForm):
    named = forms.BooleanField(label=_("My name may be shown to the petition's target"), required=False)

    field_order = [*ResponseForm.field_order, "named"]


class PledgeForm(ResponseForm):
    pass


class EventForm(ResponseForm):
    """An RSVP; with a shift to choose when the event has shifts. A full shift is still a
    choice, marked as the waitlist: whether a seat is free is decided when the response is
    confirmed (under the event's lock), not from the few-seconds-old figure shown here."""

    shift = forms.TypedChoiceField(label=pgettext_lazy("event", "Shift"), coerce=int, required=False)

    field_order = [*ResponseForm.field_order[:5], "shift", *ResponseForm.field_order[5:]]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.shifts = {shift.pk: shift for shift in self.ask.shifts.all()}
        if not self.shifts:
            del self.fields["shift"]
            return
        field = self.fields["shift"]
        field.required = True
        field.choices = [("", _("Choose a shift"))] + [
            (pk, shift_label(shift, self.ask)) for pk, shift in self.shifts.items()
        ]

    def clean_shift(self):
        pk = self.cleaned_data.get("shift")
        return self.shifts.get(pk) if pk not in (None, "") else None


def shift_label(shift, ask):
    """ "09:00–11:00 Cleaning · 3 places left", or "… · full: waitlist", in the event's time zone;
    "Sun 6 Dec 09:00–11:00 Cleaning · …" when the day matters (event_mail.shift_when)."""
    left = shift.slots - counts.shifts_taken(ask).get(shift.pk, 0)
    if left > 0:
        room = ngettext("%(n)s place left", "%(n)s places left", left) % {"n": left}
    else:
        room = gettext("full: waitlist")
    day, hours = shift_when(shift, ask)
    if get_language_bidi():
        # An option holds no markup: Unicode isolates (LRI … PDI) keep "09:00–11:00" from
        # turning round into "11:00–09:00" in an Arabic line, as <bdi dir="ltr"> does elsewhere.
        hours = f"\u2066{hours}\u2069"
    return " ".join(part for part in (day, hours, shift.label) if part) + f" · {room}"


FORMS = {Ask.Kind.PETITION: PetitionForm, Ask.Kind.PLEDGE: PledgeForm, Ask.Kind.EVENT: EventForm}


def form_for(ask, data=None, print_run=None, language="ar"):
    """The public form of `ask`'s kind, bound to `data` when given."""
    return FORMS[ask.kind](data, ask=ask, print_run=print_run, language=language)
