"""The organisation profile: one row (primary key 1), read with `Organisation.current()`."""

from email.headerregistry import Address
from email.utils import parseaddr

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.db.compiled import CompiledQuery
from core.i18n import bilingual

DEFAULT_ACCENT = "#0B6E4F"
SINGLETON = 1


class Organisation(models.Model):
    """Who the supporters hear from. Every field may be empty: an installation that has not
    filled the profile in yet shows "Hamla" and the sender name of DEFAULT_FROM_EMAIL."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON, editable=False)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    sender_name = models.CharField(
        _("sender name"),
        max_length=78,
        blank=True,
        help_text=_("The name supporters see as the sender of newsletters and confirmation emails."),
    )
    contact_line = models.CharField(
        _("contact line"),
        max_length=200,
        blank=True,
        help_text=_("Shown at the foot of every email and public page, e.g. an address or a website."),
    )
    logo = models.BinaryField(_("logo"), null=True, blank=True, editable=False)
    accent = models.CharField(
        _("accent colour"),
        max_length=7,
        default=DEFAULT_ACCENT,
        validators=[RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("Use a colour like #0B6E4F."), code="bad_colour")],
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation profile")
        constraints = [models.CheckConstraint(condition=models.Q(id=SINGLETON), name="organisation_single_row")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.id = SINGLETON
        # A fresh instance saved over the existing row updates it (its primary key has a
        # default, so Django would otherwise INSERT and hit the key).
        if self._state.adding and type(self).objects.filter(pk=SINGLETON).exists():
            self._state.adding = False
        super().save(*args, **kwargs)

    @classmethod
    def current(cls):
        """The profile, or an unsaved empty one (nothing is written by reading)."""
        return CURRENT.first() or cls()

    def name_in(self, language=None):
        """The name in `language` (default: the active one), the other language's if only that
        one is written, "Hamla" when neither is."""
        return bilingual(self, "name", language) or gettext("Hamla")

    @property
    def name(self):
        return self.name_in()

    @property
    def both_names(self):
        """Both names, Arabic first ("كش ملك · Kesh Malek"), for bilingual print; "" when unset."""
        names = [n for n in (self.name_ar.strip(), self.name_en.strip()) if n]
        return " · ".join(dict.fromkeys(names))

    @property
    def flyer_footer(self):
        """A flyer's default footer: both names, or the first alone when both would not fit
        the footer line (120 characters, as a flyer's own)."""
        both = self.both_names
        return both if len(both) <= 120 else both.split(" · ")[0]

    @property
    def logo_bytes(self):
        return bytes(self.logo) if self.logo else None

    def from_email(self):
        """DEFAULT_FROM_EMAIL's address with the profile's sender name as its display name
        (StandardEmail encodes it by RFC 2047); DEFAULT_FROM_EMAIL unchanged when no sender
        name is set."""
        display = " ".join((self.sender_name or "").split())
        if not display:
            return settings.DEFAULT_FROM_EMAIL
        address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
        return str(Address(display_name=display, addr_spec=address))

    def display_sender(self):
        """The sender name supporters see: the profile's, else DEFAULT_FROM_EMAIL's, else "Hamla"."""
        return self.sender_name.strip() or parseaddr(settings.DEFAULT_FROM_EMAIL)[0] or gettext("Hamla")


# Read for every mail a worker sends (the sender, the footer): compiled once per process
# (core/db/compiled.py), as building the query was a fifth of a confirmation mail's CPU.
CURRENT = CompiledQuery(lambda: Organisation.objects.filter(pk=SINGLETON).order_by())
