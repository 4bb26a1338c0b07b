from django import forms
from django.db.models import Q
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .models import Action, Campaign


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "title_ar",
            "title_en",
            "summary_ar",
            "summary_en",
            "kind",
            "start_date",
            "end_date",
            "dates_approximate",
            "city",
            "neighbourhood",
            "goal_participants",
            "goal_flyers",
            "goal_signups",
            "goal_messages",
            "outcome_notes",
            "is_public",
            "slug",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "title_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "title_en": forms.TextInput(attrs={"dir": "ltr", "lang": "en"}),
            "summary_ar": forms.Textarea(attrs={"dir": "rtl", "lang": "ar", "rows": 4}),
            "summary_en": forms.Textarea(attrs={"dir": "ltr", "lang": "en", "rows": 4}),
            "outcome_notes": forms.Textarea(attrs={"rows": 4}),
            "slug": forms.TextInput(attrs={"dir": "ltr"}),
        }
        help_texts = {
            "slug": _(
                "Latin letters, digits and hyphens; the public page lives at /c/<address>/. Left empty, one is made."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        for name in ("goal_participants", "goal_flyers", "goal_signups", "goal_messages"):
            # Numbers read left to right in Arabic too ("-3" must not show as "3-").
            self.fields[name].widget.attrs.update({"min": 0, "dir": "ltr"})

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if slug:
            return slug
        if self.instance.pk and self.instance.slug:
            return self.instance.slug
        base = slugify(self.data.get("title_en", ""))[:60] or "campaign"
        slug = base
        while Campaign.objects.filter(slug=slug).exists():
            slug = f"{base}-{get_random_string(5, 'abcdefghijkmnpqrstuvwxyz23456789')}"
        return slug


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = [
            "kind",
            "date",
            "date_approximate",
            "city",
            "neighbourhood",
            "description_ar",
            "description_en",
            "participants",
            "outcome",
            "is_public",
        ]
        widgets = {
            "date": DateInput(),
            "description_ar": forms.Textarea(attrs={"dir": "rtl", "lang": "ar", "rows": 3}),
            "description_en": forms.Textarea(attrs={"dir": "ltr", "lang": "en", "rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "is_public": _(
                "Shown on the campaign's public page with its date, place and description. "
                "Leave unticked for anything that must stay internal, such as a meeting point."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].widget.attrs.update({"min": 0, "dir": "ltr"})

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("description_ar") or cleaned.get("description_en")):
            raise forms.ValidationError(_("Describe the action in Arabic or English."))
        return cleaned


def year_choices(years):
    return [("", _("All years"))] + [(str(y), str(y)) for y in years]


def city_choices(cities):
    return [("", _("All areas"))] + [(c, c) for c in cities]


class CampaignFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds"))] + Campaign.Kind.choices)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses"))] + Campaign.Status.choices
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    area = forms.ChoiceField(label=_("Area"), required=False)

    def __init__(self, data, *, years, cities):
        super().__init__(data)
        self.fields["year"].choices = year_choices(years)
        self.fields["area"].choices = city_choices(cities)

    def filter(self, queryset):
        """Apply the valid filters; invalid values are ignored rather than failing the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("year"):
            queryset = queryset.filter(start_date__year=data["year"])
        if data.get("area"):
            queryset = queryset.filter(city=data["area"])
        return queryset


class HistoryFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("All actions"))] + Action.Kind.choices)
    campaign_kind = forms.ChoiceField(
        label=_("Campaign kind"), required=False, choices=[("", _("All kinds"))] + Campaign.Kind.choices
    )
    area = forms.ChoiceField(label=_("Area"), required=False)
    # Any year is valid; the select only offers the years that have actions (see set_years),
    # which the view learns from the same query that draws the chart.
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1, max_value=9999, widget=forms.Select)

    # Set by the campaign dashboard's "whole timeline" link; not shown as a filter field.
    # Bounded so that a forged huge id is a form error, not a database overflow.
    campaign = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, data, *, cities, years=()):
        super().__init__(data)
        self.set_years(years)
        self.fields["area"].choices = city_choices(cities)

    def set_years(self, years):
        self.fields["year"].widget.choices = year_choices(years)

    @property
    def values(self):
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def has_filters(self):
        """Whether anything but the year narrows the actions (the chart ignores the year)."""
        return any(self.values.get(name) for name in ("kind", "campaign_kind", "area", "campaign"))

    def q(self, *, by_year=True):
        """The filters as a Q on Action; `by_year=False` leaves the year out (for the all-years chart)."""
        data = self.values
        q = Q()
        if data.get("kind"):
            q &= Q(kind=data["kind"])
        if data.get("campaign_kind"):
            q &= Q(campaign__kind=data["campaign_kind"])
        if data.get("area"):
            q &= Q(city=data["area"])
        if data.get("campaign"):
            q &= Q(campaign_id=data["campaign"])
        if by_year and data.get("year"):
            q &= Q(date__year=data["year"])
        return q

    def filter(self, actions, *, by_year=True):
        return actions.filter(self.q(by_year=by_year))
