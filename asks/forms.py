"""The organizer's forms for asks: the ask itself (by kind), its shifts, and the searches of
the responses list and the check-in list.

Times are typed as the event's local wall-clock time, in the time zone chosen on the same
form (Asia/Damascus unless changed), and stored aware: an organizer in Istanbul typing
"09:00" for a clean-up in Aleppo means 09:00 in Aleppo, whatever the server's TIME_ZONE.
"""

import datetime
import zoneinfo

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .models import Ask, Response, Shift

DEFAULT_ZONE = "Asia/Damascus"
# The zones an organizer picks from: the region's first, then the diaspora's. A short list
# keeps the form light on a phone; an ask saved with another zone keeps it (see AskForm).
ZONES = [
    "Asia/Damascus",
    "Asia/Beirut",
    "Asia/Amman",
    "Asia/Baghdad",
    "Asia/Jerusalem",
    "Asia/Riyadh",
    "Asia/Dubai",
    "Africa/Cairo",
    "Europe/Istanbul",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/London",
    "America/New_York",
    "America/Toronto",
    "UTC",
]
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock time in `zone` (set by the form), typed in a datetime-local input."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "dir": "ltr"}, format=LOCAL_FORMAT)

    def __init__(self, *args, **kwargs):
        self.zone = zoneinfo.ZoneInfo(DEFAULT_ZONE)
        super().__init__(*args, input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"], **kwargs)

    def to_python(self, value):
        # Django reads the input in the server's zone; take the digits as typed (read in UTC,
        # which has no gaps) and read them as the same wall-clock time in the event's zone.
        with timezone.override(datetime.UTC):
            result = super().to_python(value)
        if result is None:
            return None
        typed = result.replace(tzinfo=None)
        aware = typed.replace(tzinfo=self.zone)
        try:
            shown = aware.astimezone(datetime.UTC).astimezone(self.zone).replace(tzinfo=None)
        except OverflowError:  # year 1 or 9999 pushed past the calendar by the zone's offset
            raise forms.ValidationError(_("This date is out of range."), code="out_of_range") from None
        if shown != typed:
            # A time the spring-forward skips: stored, it would silently become an hour later.
            raise forms.ValidationError(
                _("This time does not exist in %(zone)s on that day (the clocks move forward); choose another."),
                code="nonexistent_time",
                params={"zone": self.zone.key},
            )
        return aware

    def prepare_value(self, value):
        if isinstance(value, str) or value is None:
            return value
        if timezone.is_aware(value):
            value = timezone.localtime(value, self.zone)
        return value.strftime(LOCAL_FORMAT)


def chosen_zone(data, instance=None):
    """The zone the submitted form names, if it is a known one; else the ask's, else the default."""
    name = (data or {}).get("time_zone") or (instance.time_zone if instance is not None else "") or DEFAULT_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(DEFAULT_ZONE)


TEXT_WIDGETS = {
    "title_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    "title_en": forms.TextInput(attrs={"dir": "ltr", "lang": "en"}),
    "text_ar": forms.Textarea(attrs={"dir": "rtl", "lang": "ar", "rows": 4}),
    "text_en": forms.Textarea(attrs={"dir": "ltr", "lang": "en", "rows": 4}),
    "target_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    "target_en": forms.TextInput(attrs={"dir": "ltr", "lang": "en"}),
    "area_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    "area_en": forms.TextInput(attrs={"dir": "ltr", "lang": "en"}),
    "slug": forms.TextInput(attrs={"dir": "ltr"}),
}
COMMON = ["title_ar", "title_en", "text_ar", "text_en", "goal", "slug", "position"]
FIELDS_BY_KIND = {
    Ask.Kind.PETITION: [
        "title_ar",
        "title_en",
        "text_ar",
        "text_en",
        "target_ar",
        "target_en",
        "goal",
        "slug",
        "position",
    ],
    Ask.Kind.PLEDGE: COMMON,
    Ask.Kind.EVENT: [
        *COMMON[:4],
        "starts",
        "ends",
        "time_zone",
        "area_ar",
        "area_en",
        "capacity",
        "goal",
        "slug",
        "position",
    ],
}


class AskForm(forms.ModelForm):
    """One form for the three kinds; the fields a kind does not use are left out."""

    starts = LocalDateTimeField(label=_("Starts (local time)"), required=False)
    ends = LocalDateTimeField(label=_("Ends (local time)"), required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=[(z, z) for z in ZONES], initial=DEFAULT_ZONE)
    place = forms.CharField(
        label=_("Exact place"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only confirmed attendees read it, in their confirmation mail and reminders, and "
            "by mail when it changes; the public page shows the area. Stored encrypted."
        ),
    )

    class Meta:
        model = Ask
        fields = sorted({name for names in FIELDS_BY_KIND.values() for name in names})
        widgets = TEXT_WIDGETS
        help_texts = {
            "slug": _(
                "Latin letters, digits and hyphens, in the ask's address; left empty, one is made from the title."
            ),
            "goal": _("Signatures, pledges or attendees wanted; leave empty for no goal bar."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.instance.kind
        for name in list(self.fields):
            if name != "place" and name not in FIELDS_BY_KIND[kind]:
                del self.fields[name]
        self.fields["slug"].required = False
        for name in ("goal", "capacity", "position"):
            if name in self.fields:
                # Numbers read left to right in Arabic too.
                self.fields[name].widget.attrs.update({"min": 0, "dir": "ltr"})
        if kind == Ask.Kind.EVENT:
            self._event_fields()
        else:
            del self.fields["place"]

    def _event_fields(self):
        if self.instance.time_zone not in ZONES:  # saved before the list changed: keep it
            self.fields["time_zone"].choices.insert(0, (self.instance.time_zone, self.instance.time_zone))
        self.fields["time_zone"].initial = self.instance.time_zone or DEFAULT_ZONE
        zone = chosen_zone(self.data if self.is_bound else None, self.instance)
        self.fields["starts"].zone = self.fields["ends"].zone = zone
        self.fields["starts"].required = True
        if self.instance.pk:
            self.initial["place"] = self.instance.place

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        taken = Ask.objects.filter(campaign=self.instance.campaign_id).exclude(pk=self.instance.pk)
        if slug:
            if taken.filter(slug=slug).exists():
                raise forms.ValidationError(_("Another ask of this campaign has this address."), code="slug_taken")
            return slug
        if self.instance.slug:
            return self.instance.slug
        base = slugify(self.data.get("title_en", ""))[:50] or str(self.instance.kind)
        slug = base
        while taken.filter(slug=slug).exists():
            slug = f"{base}-{get_random_string(4, 'abcdefghijkmnpqrstuvwxyz23456789')}"
        return slug

    def save(self, commit=True):
        if "place" in self.fields:
            self.instance.place = self.cleaned_data.get("place", "")
        return super().save(commit)


class ShiftForm(forms.ModelForm):
    starts = LocalDateTimeField(label=_("Starts"))
    ends = LocalDateTimeField(label=_("Ends"))

    class Meta:
        model = Shift
        fields = ["label_ar", "label_en", "starts", "ends", "slots"]
        widgets = {
            "label_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "label_en": forms.TextInput(attrs={"dir": "ltr", "lang": "en"}),
        }

    def __init__(self, *args, zone=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts"].zone = self.fields["ends"].zone = zone or zoneinfo.ZoneInfo(DEFAULT_ZONE)
        self.fields["slots"].widget.attrs.update({"min": 1, "dir": "ltr"})

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("label_ar") or cleaned.get("label_en")) and self.has_changed():
            raise forms.ValidationError(_("Give the shift a label in Arabic or English."), code="shift_label")
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", forms.ValidationError(_("The end is before the start."), code="shift_order"))
        if cleaned.get("slots") == 0:
            self.add_error("slots", forms.ValidationError(_("A shift needs at least one slot."), code="no_slots"))
        return cleaned


class BaseShiftFormSet(BaseInlineFormSet):
    def clean(self):
        """A shift that confirmed or waitlisted volunteers chose is not deleted: they would be
        left without one, and without a word (a response keeps no shift once it is gone). The
        organizer moves it instead, and they are told by mail (asks/event_tasks.py)."""
        super().clean()
        attending = [Response.Status.CONFIRMED, Response.Status.WAITLISTED]
        for form in self.deleted_forms:
            shift = form.instance
            if shift.pk and shift.responses.filter(status__in=attending).exists():
                raise forms.ValidationError(
                    _(
                        "Volunteers chose the shift ‘%(label)s’: it cannot be deleted. "
                        "Change its times instead; they will be told by mail."
                    ),
                    code="shift_has_volunteers",
                    params={"label": shift.label},
                )


ShiftFormSet = inlineformset_factory(
    Ask, Shift, form=ShiftForm, formset=BaseShiftFormSet, extra=2, can_delete=True, max_num=30
)


class SearchForm(forms.Form):
    """The search of a responses or check-in list: an exact email or phone (blind index), or
    part of a name (names have no index: the page decrypts and compares). At the door, also a
    check-in code's address typed by a handheld scanner (asks/checkin.py): hence the length."""

    q = forms.CharField(label=_("Search"), required=False, max_length=300)
