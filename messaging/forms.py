from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Contact, ContactList, Segment, Tag

from . import compose
from .models import Message


class MessageForm(forms.ModelForm):
    class Meta:
        model = Message
        fields = ["campaign", "subject_ar", "body_ar", "subject_en", "body_en", "lists", "tags", "segment"]
        widgets = {
            # dir="auto": each line takes the direction of its own first letter, so an English
            # line in the Arabic version (or a merge field) reads in order (issue 13, finding 9).
            "subject_ar": forms.TextInput(attrs={"dir": "auto", "lang": "ar"}),
            "body_ar": forms.Textarea(attrs={"dir": "auto", "lang": "ar", "rows": 12}),
            "subject_en": forms.TextInput(attrs={"dir": "auto", "lang": "en"}),
            "body_en": forms.Textarea(attrs={"dir": "auto", "lang": "en", "rows": 12}),
            "lists": forms.CheckboxSelectMultiple,
            "tags": forms.CheckboxSelectMultiple,
        }
        help_texts = {"body_ar": compose.MERGE_FIELD_HELP, "body_en": compose.MERGE_FIELD_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].queryset = ContactList.objects.all()
        self.fields["tags"].queryset = Tag.objects.all()
        self.fields["segment"].queryset = Segment.objects.all()
        for name in ("body_ar", "body_en"):
            # Kept as written: saving a draft unchanged never trims its body (issue 13).
            self.fields[name].strip = False

    def _clean_body(self, name):
        # Browsers post a textarea's line breaks as CRLF: store them as they were shown.
        return self.cleaned_data[name].replace("\r\n", "\n")

    def clean_body_ar(self):
        return self._clean_body("body_ar")

    def clean_body_en(self):
        return self._clean_body("body_en")

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("lists") or cleaned.get("tags") or cleaned.get("segment")):
            raise forms.ValidationError(_("Choose at least one list, tag or saved segment."))
        return cleaned


class ScheduleForm(forms.Form):
    """A time to send at. "Send now" is its own button (and URL): an empty time never means
    now, it is refused with the code "time_required"."""

    send_at = forms.DateTimeField(
        label=_("Send at"),
        # Checked in clean_send_at, so a missing time has its own code; browsers ask too.
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "required": True}, format="%Y-%m-%dT%H:%M"),
    )

    def clean_send_at(self):
        value = self.cleaned_data.get("send_at")
        if value is None:
            raise forms.ValidationError(
                _("Choose the date and time to send it at, or use “Send now”."), code="time_required"
            )
        if value < timezone.now() - timezone.timedelta(minutes=5):
            raise forms.ValidationError(_("That time has passed."), code="past")
        return value


class TestSendForm(forms.Form):
    address = forms.EmailField(label=_("Send a test to"))
    language = forms.ChoiceField(label=_("Language"), choices=[("ar", _("Arabic")), ("en", _("English"))])


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of our emails"), choices=Contact.Language.choices)
    leave = forms.MultipleChoiceField(label=_("Leave these lists"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, contact, lists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = contact.language
        self.fields["leave"].choices = [(str(item.pk), item.name) for item in lists]
