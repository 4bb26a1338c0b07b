from django import forms
from django.conf import settings
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from core.addresses import is_mailable

from .importing import ENCODINGS
from .labels import clean_label, label_index
from .models import Contact, ContactList, ImportMapping, Segment, Tag


class _TagsByName(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for tag in Tag.objects.sorted(self.queryset):
            yield self.choice(tag)


class TagsField(forms.ModelMultipleChoiceField):
    """Tags as checkboxes in the order of their (encrypted, so sorted here) names."""

    iterator = _TagsByName

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Tag.objects.all())
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(label=_("Tags"), required=False, **kwargs)


def check_mailable(email):
    """The importer's rule too: an address the mail libraries would refuse (and quote back in
    every send error) is not taken. Returns it, or raises the EmailField's own error."""
    if email and not is_mailable(email):
        raise forms.ValidationError(EmailValidator.message, code="invalid")
    return email


class HoneypotForm(forms.Form):
    """A public form with a honeypot: `website` is hidden from people (the templates put it
    in a .hp box), so whatever fills it is a bot. Such a post is answered like any other
    and nothing is stored or sent (see `is_bot`), so the bot learns nothing to adapt to."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_bot(self):
        return bool(self.cleaned_data.get("website"))


class SignupForm(HoneypotForm):
    """Public double opt-in signup."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    given_name = forms.CharField(label=_("Your first name (optional)"), max_length=100, required=False)
    language = forms.ChoiceField(label=_("Newsletter language"), choices=Contact.Language.choices, initial="ar")

    field_order = ["email", "given_name", "language", "website"]

    def clean_email(self):
        return check_mailable(self.cleaned_data["email"])


class ContactForm(forms.Form):
    """Edit a contact's personal data (encrypted on save) and clear fields."""

    given_name = forms.CharField(label=_("Given name"), max_length=200, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email address"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Preferred language"), choices=Contact.Language.choices)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    neighbourhood = forms.CharField(label=_("Neighbourhood"), max_length=100, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    lists = forms.ModelMultipleChoiceField(
        label=_("Lists"), queryset=ContactList.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    tags = TagsField()

    def __init__(self, *args, contact=None, **kwargs):
        self.contact = contact
        super().__init__(*args, **kwargs)

    def clean_email(self):
        from . import crypto

        email = self.cleaned_data["email"]
        if email:
            digest = crypto.blind_index(email, "email")
            clash = Contact.objects.filter(email_hash=digest)
            if self.contact and self.contact.pk:
                clash = clash.exclude(pk=self.contact.pk)
            if clash.exists():
                raise forms.ValidationError(_("Another contact already has this email address."))
        return email

    def clean_notes(self):
        # Browsers post a textarea's line breaks as CRLF: store them as shown, so saving a
        # supporter unchanged leaves the notes as they were (issue 13).
        return self.cleaned_data["notes"].replace("\r\n", "\n")

    def clean_phone(self):
        from . import crypto

        phone = self.cleaned_data["phone"].strip()
        if phone:
            # A number phonenumbers cannot validate yet is kept unverified, as the import keeps it.
            normalised = crypto.phone_key(phone)
            if not normalised:
                raise forms.ValidationError(_("This is not a valid phone number."))
            return normalised
        return ""

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("email") and not data.get("phone"):
            raise forms.ValidationError(_("Give an email address or a phone number."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    contact_list = forms.ModelChoiceField(label=_("Into list"), queryset=ContactList.objects.all(), required=False)
    new_list = forms.CharField(label=_("…or a new list named"), max_length=120, required=False)
    encoding = forms.ChoiceField(
        label=_("Encoding"),
        choices=[("auto", _("Detect automatically"))] + [(e, e) for e in ENCODINGS if e != "auto"],
        initial="auto",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.HAMLA_MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("contact_list") and not (data.get("new_list") or "").strip():
            raise forms.ValidationError(_("Choose a list or name a new one."))
        return data


class ColumnsForm(forms.Form):
    """The import page's mapping step: what each column of the file is (a select per
    named column, pre-set to what was detected or to a saved mapping), and optionally
    a name to save the mapping under. A later column with an earlier one's name has no
    select: a mapping names columns by header, so it is ignored, as detection does."""

    save_as = forms.CharField(label=_("Save this mapping as (optional)"), max_length=100, required=False)

    def __init__(self, *args, header=(), initial_fields=None, **kwargs):
        from .importing.mapping import LABELS, OTHER_LABELS

        super().__init__(*args, **kwargs)
        initial_fields = initial_fields or {}
        self.header = list(header)
        self.columns = []  # (index, header, field name or None)
        seen = set()
        for index, name in enumerate(self.header):
            if not name.strip() or name.strip() in seen:
                self.columns.append((index, name, None))
                continue
            seen.add(name.strip())
            choices = list(LABELS.items())
            initial = initial_fields.get(index, "ignore")
            if initial not in LABELS:  # detected as another tool's kind of column: offered too
                choices.append((initial, OTHER_LABELS.get(initial, initial)))
            field_name = f"col_{index}"
            self.fields[field_name] = forms.ChoiceField(label=name, choices=choices, initial=initial)
            self.columns.append((index, name, field_name))
        self.order_fields([f for *_i, f in self.columns if f] + ["save_as"])

    def column_fields(self):
        """(index, header, bound field or None) for each column, in the file's order."""
        return [(index, name, self[field] if field else None) for index, name, field in self.columns]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        chosen = {}
        for _index, _name, field in self.columns:
            value = data.get(field) if field else None
            if value and value != "ignore":
                if value in chosen:
                    raise forms.ValidationError(
                        _("Two columns are mapped to %(field)s; choose one."),
                        code="field_twice",
                        params={"field": dict(self.fields[field].choices)[value]},
                    )
                chosen[value] = field
        if "email" not in chosen and "phone" not in chosen:
            raise forms.ValidationError(
                _("Choose the column that holds the email address or the phone number."), code="no_contact_column"
            )
        return data

    def mapping(self):
        """{header: field} for every named column: the whole file as the organizer mapped it."""
        return {name.strip(): self.cleaned_data[field] for _index, name, field in self.columns if field}


class MappingNameForm(forms.Form):
    """A saved mapping's new name. Unique regardless of case: the mapping step offers them
    in one menu, and "Google" next to "google" would be two choices that read as one."""

    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs={"dir": "auto"}))
    duplicate = _("Another saved mapping already has this name.")

    def __init__(self, *args, mapping, **kwargs):
        super().__init__(*args, **kwargs)
        self.mapping = mapping

    def clean_name(self):
        name = self.cleaned_data["name"]
        if ImportMapping.objects.filter(name__iexact=name).exclude(pk=self.mapping.pk).exists():
            raise forms.ValidationError(self.duplicate, code="duplicate")
        return name


class ListForm(forms.ModelForm):
    class Meta:
        model = ContactList
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class TagForm(forms.ModelForm):
    """A tag's name is stored encrypted; it is unique in its normalised form (two
    spellings of case are one tag), checked on the blind index."""

    name = forms.CharField(label=_("name"), max_length=60)

    class Meta:
        model = Tag
        fields = []

    def clean_name(self):
        name = clean_label(self.cleaned_data["name"])
        digest = label_index(name, "tag")
        if not digest:
            raise forms.ValidationError(self.fields["name"].error_messages["required"], code="required")
        if Tag.objects.filter(name_hash=digest).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("A tag with this name already exists."), code="duplicate")
        return name

    def save(self, commit=True):
        self.instance.name = self.cleaned_data["name"]
        return super().save(commit=commit)


STATUS_CHOICES = Contact.Status.choices
SOURCE_CHOICES = [
    ("flyer", _("Flyer signup")),
    ("signup", _("Public signup")),
    ("import", _("Import")),
    ("manual", _("Added by hand")),
    ("ask", _("A petition, pledge or event")),
]


class CampaignsField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        from campaigns.models import Campaign

        super().__init__(
            label=_("Brought in by campaign"),
            queryset=Campaign.objects.all(),
            required=False,
            widget=forms.SelectMultiple(attrs={"size": 4}),
            **kwargs,
        )


class PrintRunsField(forms.ModelMultipleChoiceField):
    """Print runs named by flyer, place, date and code (the code is on the printed QR URL)."""

    def __init__(self, **kwargs):
        from flyers.models import PrintRun

        super().__init__(
            label=_("Brought in by print run"),
            queryset=PrintRun.objects.select_related("flyer"),
            required=False,
            widget=forms.SelectMultiple(attrs={"size": 4}),
            **kwargs,
        )

    def label_from_instance(self, obj):
        return " · ".join(str(part) for part in (obj.flyer.name, obj.area, obj.date.isoformat(), obj.code) if part)


class FilterForm(forms.Form):
    """Filters shared by the contact list and the segment builder (GET parameters)."""

    lists = forms.ModelMultipleChoiceField(
        label=_("Lists"), queryset=ContactList.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    tags = TagsField()
    language = forms.MultipleChoiceField(
        label=_("Language"), choices=Contact.Language.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    status = forms.MultipleChoiceField(
        label=_("Status"), choices=STATUS_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    campaign = CampaignsField()
    print_run = PrintRunsField()
    source = forms.MultipleChoiceField(
        label=_("Came from"), choices=SOURCE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    created_after = forms.DateField(
        label=_("Signed up from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_before = forms.DateField(
        label=_("Signed up until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    engagement = forms.ChoiceField(
        label=_("Engagement"),
        required=False,
        choices=[
            ("", _("Any")),
            ("opened", _("Opened or clicked a newsletter")),
            ("not_opened", _("Received newsletters but opened none")),
        ],
    )

    def filters(self):
        """The Segment.filters dict, or None when the filters cannot be read (a list
        deleted in another tab): "no filter" would mean everyone."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        out = {}
        if data.get("lists"):
            out["lists"] = [x.pk for x in data["lists"]]
        if data.get("tags"):
            out["tags"] = [x.pk for x in data["tags"]]
        for key in ("campaign", "print_run"):
            if data.get(key):
                out[key] = [x.pk for x in data[key]]
        for key in ("language", "status", "source"):
            if data.get(key):
                out[key] = list(data[key])
        if data.get("city"):
            out["city"] = data["city"].strip()
        for key in ("created_after", "created_before"):
            if data.get(key):
                out[key] = data[key].isoformat()
        if data.get("engagement"):
            out["engagement"] = data["engagement"]
        return out

    @classmethod
    def initial_from(cls, filters):
        return {
            "lists": filters.get("lists", []),
            "tags": filters.get("tags", []),
            "language": filters.get("language", []),
            "status": filters.get("status", []),
            "city": filters.get("city", ""),
            "campaign": filters.get("campaign", []),
            "print_run": filters.get("print_run", []),
            "source": filters.get("source", []),
            "created_after": filters.get("created_after"),
            "created_before": filters.get("created_before"),
            "engagement": filters.get("engagement", ""),
        }


class SegmentForm(forms.ModelForm):
    class Meta:
        model = Segment
        fields = ["name"]


class _TagField(forms.ModelChoiceField):
    iterator = _TagsByName


class BulkForm(forms.Form):
    """What to do with every supporter matching the list's current filters (contacts/bulk.py)."""

    ACTIONS = [
        ("tag", _("Add a tag")),
        ("add_list", _("Add to a list")),
        ("remove_list", _("Remove from a list")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    tag = _TagField(label=_("Tag"), queryset=Tag.objects.all(), required=False)
    contact_list = forms.ModelChoiceField(label=_("List"), queryset=ContactList.objects.all(), required=False)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "tag" and not data.get("tag"):
            self.add_error("tag", forms.ValidationError(_("Choose a tag."), code="no_tag"))
        if action in ("add_list", "remove_list") and not data.get("contact_list"):
            self.add_error("contact_list", forms.ValidationError(_("Choose a list."), code="no_list"))
        return data

    @property
    def target(self):
        return self.cleaned_data["tag"] if self.cleaned_data["action"] == "tag" else self.cleaned_data["contact_list"]


class ExportForm(forms.Form):
    """One list or one saved segment to export (admins only)."""

    contact_list = forms.ModelChoiceField(label=_("List"), queryset=ContactList.objects.all(), required=False)
    segment = forms.ModelChoiceField(label=_("Segment"), queryset=Segment.objects.all(), required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and bool(data.get("contact_list")) == bool(data.get("segment")):
            raise forms.ValidationError(_("Choose a list or a segment."), code="one_source")
        return data
