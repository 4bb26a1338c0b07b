from django import forms
from django.utils.translation import gettext_lazy as _

from core.images import clean_logo

from .models import Organisation


class OrganisationForm(forms.ModelForm):
    logo_upload = forms.FileField(
        label=_("Logo"), required=False, help_text=_("PNG or JPEG, at most 2 MB. Used on flyers and reports.")
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Organisation
        fields = ["name_ar", "name_en", "sender_name", "contact_line", "accent"]
        widgets = {
            "name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "name_en": forms.TextInput(attrs={"dir": "ltr", "lang": "en"}),
            "sender_name": forms.TextInput(attrs={"dir": "auto"}),
            "contact_line": forms.TextInput(attrs={"dir": "auto"}),
            "accent": forms.TextInput(attrs={"type": "color"}),
        }

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        self.logo_bytes = clean_logo(upload) if upload else None
        return upload

    def clean_sender_name(self):
        # One header line: no line breaks or control characters in the From display name.
        return " ".join(self.cleaned_data["sender_name"].split())

    def save(self, commit=True):
        profile = super().save(commit=False)
        if self.cleaned_data.get("remove_logo"):
            profile.logo = None
        elif getattr(self, "logo_bytes", None) is not None:
            profile.logo = self.logo_bytes
        if commit:
            profile.save()
        return profile

    def changed_fields(self):
        """Names of the fields this submission changes (for the audit log: names, never values)."""
        changed = [name for name in self.changed_data if name in self.Meta.fields]
        if self.cleaned_data.get("remove_logo") or getattr(self, "logo_bytes", None) is not None:
            changed.append("logo")
        return changed
