from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from core.images import clean_logo
from core.typeset import unprintable

from . import render, targets
from .errors import FlyerLayoutError
from .models import Drop, Flyer, PrintRun

INK_CHOICES = [("colour", _("Colour")), ("grayscale", _("Grayscale (photocopy-friendly)"))]


def _as_shown(text):
    """A textarea's text as it was shown: browsers post its line breaks as CRLF."""
    return text.replace("\r\n", "\n")


class FlyerForm(forms.ModelForm):
    logo_upload = forms.FileField(
        label=_("Logo"), required=False, help_text=_("PNG or JPEG, at most 2 MB and 4000 × 4000 pixels.")
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Flyer
        fields = [
            "campaign",
            "target",
            "name",
            "design",
            "paper_size",
            "grayscale",
            "headline_ar",
            "body_ar",
            "cta_ar",
            "headline_en",
            "body_en",
            "cta_en",
            "footer",
            "accent",
        ]
        widgets = {
            "headline_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "body_ar": forms.Textarea(attrs={"dir": "rtl", "lang": "ar", "rows": 5}),
            "cta_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "headline_en": forms.TextInput(attrs={"dir": "ltr", "lang": "en"}),
            "body_en": forms.Textarea(attrs={"dir": "ltr", "lang": "en", "rows": 5}),
            "cta_en": forms.TextInput(attrs={"dir": "ltr", "lang": "en"}),
            "accent": forms.TextInput(attrs={"type": "color"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].label = _("Campaign")  # the bare foreign key has no translated name
        self.fields["campaign"].queryset = Campaign.objects.order_by("-start_date", "-id")
        self.fields["target"] = self._target_field()
        for name in ("cta_ar", "cta_en"):
            self.fields[name].help_text = _("Left empty on a flyer for an ask, the ask's title is printed.")
        self.logo_bytes = None
        for name in ("body_ar", "body_en"):
            self.fields[name].strip = False  # kept as written: saving unchanged trims nothing

    def _target_field(self):
        """The QR code's destination: the campaign's page, or one of the open asks of the
        campaigns, grouped by campaign (the campaign is chosen on the same form and the
        form works without JavaScript; clean() checks the pair). The flyer's present
        target stays offered while it has a page, so an unrelated edit never drops it."""
        campaigns = list(self.fields["campaign"].queryset)
        found = targets.targets_by_campaign(campaigns)
        current = self.instance.resolved_target() if self.instance.pk and self.instance.target else None
        if current is not None and all(t.key != current.key for t in found.get(self.instance.campaign_id, [])):
            found.setdefault(self.instance.campaign_id, []).insert(0, current)
        self.offered = {campaign_id: {t.key for t in listed} for campaign_id, listed in found.items()}
        choices = [("", _("The campaign's page"))]
        choices += [(c.title, [(t.key, t.title) for t in found[c.pk]]) for c in campaigns if c.pk in found]
        return forms.ChoiceField(
            label=_("The QR code leads to"),
            choices=choices,
            required=False,
            help_text=_("One of the campaign's open asks (a petition, a pledge, an event), or its page."),
        )

    def clean_body_ar(self):
        return _as_shown(self.cleaned_data["body_ar"])

    def clean_body_en(self):
        return _as_shown(self.cleaned_data["body_en"])

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if upload:
            self.logo_bytes = clean_logo(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        campaign, target = cleaned.get("campaign"), cleaned.get("target")
        if campaign is not None and target and target not in self.offered.get(campaign.pk, ()):
            self.add_error(
                "target",
                forms.ValidationError(_("Choose one of this campaign's asks."), code="target_not_in_campaign"),
            )
        if self.errors:
            return cleaned
        names = ("headline_ar", "body_ar", "cta_ar", "headline_en", "body_en", "cta_en", "footer")
        for name in names:
            missing = unprintable(cleaned.get(name) or "")
            if missing and name in self.fields:
                # Printing without them would change what the organizer wrote, silently.
                self.add_error(
                    name,
                    forms.ValidationError(
                        _("These characters cannot be printed with the flyer's fonts: %(chars)s. Please remove them."),
                        code="unprintable",
                        params={"chars": " ".join(missing)},
                    ),
                )
        if self.errors:
            return cleaned
        texts = [cleaned.get(name) for name in names[:-1]]
        if not any(t and t.strip() for t in texts):
            raise forms.ValidationError(
                _("The flyer has no text: write a headline, text or call to action in Arabic or English.")
            )
        # Lay it out now so text that does not fit is reported here, never cut off in print.
        flyer = self.preview_flyer()
        try:
            self.preview_pdf = render.render_pdf(flyer.spec(), flyer.paper_size)
        except FlyerLayoutError as exc:
            field = getattr(exc, "field", "")
            message = render.user_message(exc)
            if field in self.fields:
                self.add_error(field, message)
            else:
                raise forms.ValidationError(message)
        return cleaned

    def preview_flyer(self):
        """An unsaved Flyer with the submitted values (and the new or kept logo)."""
        flyer = self.instance
        for name in self.Meta.fields:
            if name in self.cleaned_data:
                setattr(flyer, name, self.cleaned_data[name])
        if self.cleaned_data.get("remove_logo"):
            flyer.logo = None
        elif self.logo_bytes is not None:
            flyer.logo = self.logo_bytes
        return flyer

    def save(self, commit=True):
        flyer = self.preview_flyer()
        if commit:
            flyer.save()
        return flyer


class PrintOptionsForm(forms.Form):
    layout = forms.ChoiceField(label=_("Paper and layout"), choices=render.LAYOUT_CHOICES)
    ink = forms.ChoiceField(label=_("Printing"), choices=INK_CHOICES, widget=forms.RadioSelect)

    @classmethod
    def for_request(cls, data, flyer):
        """Bound to the query string when it carries options, else the flyer's own defaults."""
        initial = {"layout": flyer.paper_size, "ink": "grayscale" if flyer.grayscale else "colour"}
        if "layout" in data or "ink" in data:
            merged = {**initial, **{k: data[k] for k in ("layout", "ink") if k in data}}
            form = cls(merged)
            if form.is_valid():
                return form
        form = cls(initial)
        form.is_valid()
        return form

    @property
    def selected_layout(self):
        return self.cleaned_data["layout"]

    @property
    def grayscale(self):
        return self.cleaned_data["ink"] == "grayscale"

    def query(self):
        return f"layout={self.selected_layout}&ink={self.cleaned_data['ink']}"


MAX_COPIES = 1_000_000


class PrintRunForm(forms.ModelForm):
    """Copies printed and when; where they went is logged afterwards, drop by drop.
    Also corrects a run: never fewer copies than its drops already account for."""

    quantity = forms.IntegerField(
        label=_("Copies printed"), validators=[MinValueValidator(1), MaxValueValidator(MAX_COPIES)]
    )

    class Meta:
        model = PrintRun
        fields = ["quantity", "date"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        placed = sum(d.copies for d in self.instance.drops.all()) if self.instance.pk else 0
        if quantity < placed:
            raise forms.ValidationError(
                _("The drops of this print run already account for %(placed)s copies."),
                code="fewer_than_dropped",
                params={"placed": placed},
            )
        return quantity


class DropForm(forms.ModelForm):
    """Where some copies of a print run were left: a place, never a person."""

    copies = forms.IntegerField(
        label=_("Copies left there"), validators=[MinValueValidator(1), MaxValueValidator(MAX_COPIES)]
    )

    class Meta:
        model = Drop
        fields = ["place", "city", "copies", "date"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, print_run, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.print_run = print_run

    def clean_copies(self):
        copies = self.cleaned_data["copies"]
        others = self.print_run.drops.exclude(pk=self.instance.pk).aggregate(n=Sum("copies"))["n"] or 0
        if others + copies > self.print_run.quantity:
            raise forms.ValidationError(
                _("This print run has %(quantity)s copies and its other drops account for %(others)s."),
                code="more_than_printed",
                params={"quantity": self.print_run.quantity, "others": others},
            )
        return copies


class BatchForm(forms.Form):
    print_runs = forms.ModelMultipleChoiceField(
        label=_("Print runs"), queryset=PrintRun.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    layout = forms.ChoiceField(label=_("Paper and layout"), choices=render.LAYOUT_CHOICES, initial="a4-4up")
    ink = forms.ChoiceField(label=_("Printing"), choices=INK_CHOICES, widget=forms.RadioSelect, initial="grayscale")
    crop_marks = forms.BooleanField(label=_("Cut marks on sheets"), required=False, initial=True)

    def __init__(self, flyer, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["print_runs"].queryset = flyer.print_runs.all()
        self.fields["print_runs"].label_from_instance = lambda run: (
            f"{run.date:%Y-%m-%d} · {run.area or '—'} · {run.quantity} · {run.code}"
        )
