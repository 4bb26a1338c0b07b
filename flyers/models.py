import re
import secrets
import string
from datetime import timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from core.i18n import bilingual


class Flyer(models.Model):
    """A printable flyer of a campaign; its QR code leads to the campaign's public page, or to
    one of its asks (`target`)."""

    class Design(models.TextChoices):
        BOLD = "bold", _("Bold headline")
        BILINGUAL = "bilingual", _("Bilingual, two columns")
        NOTICE = "notice", _("Notice")

    class PaperSize(models.TextChoices):
        A4 = "a4", "A4"
        A5 = "a5", "A5"
        A6 = "a6", "A6"
        LETTER = "letter", "Letter"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="flyers")
    name = models.CharField(_("name"), max_length=120)
    headline_ar = models.CharField(_("headline (Arabic)"), max_length=200, blank=True)
    body_ar = models.TextField(_("body (Arabic)"), blank=True)
    cta_ar = models.CharField(_("call to action (Arabic)"), max_length=200, blank=True)
    headline_en = models.CharField(_("headline (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("body (English)"), blank=True)
    cta_en = models.CharField(_("call to action (English)"), max_length=200, blank=True)
    design = models.CharField(_("design"), max_length=20, choices=Design.choices, default=Design.BOLD)
    paper_size = models.CharField(_("paper size"), max_length=10, choices=PaperSize.choices, default=PaperSize.A5)
    grayscale = models.BooleanField(_("grayscale (photocopy-friendly)"), default=False)
    logo = models.BinaryField(_("logo"), null=True, blank=True, editable=False)
    footer = models.CharField(
        _("footer line"), max_length=120, blank=True, help_text=_("For example the organisation's name.")
    )
    # Where the QR code leads besides the campaign's page: a key of flyers.targets (an ask of
    # the campaign, "ask:<id>"); blank, or a target gone since, is the campaign's page.
    target = models.CharField(_("the QR code leads to"), max_length=64, blank=True)
    accent = models.CharField(
        _("accent colour"),
        max_length=7,
        default="#C62828",
        validators=[RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("Use a colour like #C62828."))],
        help_text=_("Used in colour prints only."),
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated"]
        verbose_name = _("flyer")
        verbose_name_plural = _("flyers")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("flyers:detail", args=[self.pk])

    def resolved_target(self):
        """The flyers.targets.Target this flyer points at, or None (blank, or its ask is gone
        or no longer public). Looked up once per instance: the spec and the QR ask together."""
        if not self.target:
            return None
        asked = (self.campaign_id, self.target)
        if getattr(self, "_target_for", None) != asked:
            from .targets import resolve

            self._resolved, self._target_for = resolve(self.campaign, self.target), asked
        return self._resolved

    def landing_path(self):
        """The public page the QR code leads to: the target's, else the campaign's."""
        target = self.resolved_target()
        return target.path if target is not None else self.campaign.public_url()

    def qr_url(self, print_run=None):
        """Absolute link to the page the flyer leads to; with a print run, the run's short
        address /r/<code> (public_pages.views.short_link redirects it to landing_path()
        with ?r=<code>): short enough to print on one line and type by hand, a smaller QR code,
        and still right when the target changes or goes after printing."""
        if print_run is not None:
            return settings.SITE_URL + reverse("public:short_link", args=[print_run.code])
        return settings.SITE_URL + self.landing_path()

    def cta(self, language):
        """The call to action printed in `language`: the flyer's own, else, when the flyer is
        written in that language at all, the title of the ask its QR code leads to (so a
        flyer for a petition says what scanning it does without retyping). A language the
        flyer does not use stays empty: an Arabic-only flyer gets no English line."""
        own = getattr(self, f"cta_{language}")
        if own:
            return own
        written = getattr(self, f"headline_{language}") or getattr(self, f"body_{language}")
        target = self.resolved_target() if written else None
        return getattr(target, f"title_{language}", "") if target is not None else ""

    def spec(self, print_run=None, grayscale=None):
        """The PDF engine's description of this flyer (flyers.designs.FlyerSpec); pure data, no rendering."""
        from organisation.models import Organisation

        from .designs import FlyerSpec, with_defaults

        profile = Organisation.current()
        spec = FlyerSpec(
            headline_ar=_keep_numbers_whole(self.headline_ar),
            body_ar=_keep_numbers_whole(self.body_ar),
            cta_ar=_keep_numbers_whole(self.cta("ar")),
            headline_en=_keep_numbers_whole(self.headline_en),
            body_en=_keep_numbers_whole(self.body_en),
            cta_en=_keep_numbers_whole(self.cta("en")),
            design=self.design,
            grayscale=self.grayscale if grayscale is None else bool(grayscale),
            logo=bytes(self.logo) if self.logo else None,
            qr_url=self.qr_url(print_run),
            footer=self.footer,
            accent=self.accent or "#C62828",
        )
        # The organisation's names and logo where the flyer sets no footer or logo of its own.
        return with_defaults(spec, footer=profile.flyer_footer, logo=profile.logo_bytes)

    @property
    def headline(self):
        return bilingual(self, "headline")


# Spaces inside a digit group (phone numbers such as "0944 123 456") become no-break
# spaces so a number is never split across two lines of a flyer.
_DIGIT_SPACE = re.compile(r"(?<=\d) (?=\d)")


def _keep_numbers_whole(text):
    return _DIGIT_SPACE.sub("\u00a0", text)


_CODE_ALPHABET = string.ascii_letters + string.digits


def new_print_run_code():
    # 10 letters and digits (59 bits): short enough for a QR at A6, too many to guess,
    # and, unlike url-safe base64, never starting with "-" (render_flyer --print-run -x…).
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


class PrintRun(models.Model):
    """Copies of a flyer a volunteer printed and put up; its code rides in the QR URL."""

    flyer = models.ForeignKey(Flyer, on_delete=models.CASCADE, related_name="print_runs")
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="print_runs"
    )
    quantity = models.PositiveIntegerField(_("copies"))
    city = models.CharField(_("city"), max_length=100, blank=True)
    neighbourhood = models.CharField(_("neighbourhood"), max_length=100, blank=True)
    date = models.DateField(_("date"), default=timezone.localdate)
    code = models.CharField(max_length=16, unique=True, default=new_print_run_code, editable=False)
    visits = models.PositiveIntegerField(default=0, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("print run")
        verbose_name_plural = _("print runs")

    def __str__(self):
        return f"{self.flyer} × {self.quantity}"

    def get_absolute_url(self):
        return reverse("flyers:run", args=[self.code])

    @property
    def area(self):
        return " · ".join(part for part in (self.neighbourhood, self.city) if part)

    def qr_url(self):
        return self.flyer.qr_url(self)

    @property
    def distributed(self):
        """Copies put up: those left at its drops, or, while none is logged, all it printed
        (how runs were logged before drops existed). Needs .drop_copies (flyer_totals) or queries."""
        placed = getattr(self, "drop_copies", None)
        if placed is None:
            placed = self.drops.aggregate(n=models.Sum("copies"))["n"]
        return self.quantity if placed is None else placed

    def signups(self):
        return signup_counts([self]).get(self.pk, 0)

    def response_count(self):
        # Not .responses: that is asks.Response's reverse accessor (who, not how many).
        return response_counts([self]).get(self.pk, 0)

    @classmethod
    def record_visit(cls, code):
        """Count one visit from this print run's QR code (no IP or other trace stored)."""
        return cls.objects.filter(code=code).update(visits=models.F("visits") + 1) == 1


# Confirmed signups are kept by contacts, which registers how to count them per print
# run (contacts.goals); flyers only shows the numbers. Nothing registered: no signups.
_signup_counter = None


def count_signups_with(counter):
    """Register `counter(print_run_ids) -> {print_run_id: signups}`."""
    global _signup_counter
    _signup_counter = counter


def signup_counts(print_runs):
    """{print_run_id: confirmed signups} for the given print runs (numbers only, never who)."""
    if _signup_counter is None:
        return {}
    return _signup_counter([run.pk for run in print_runs])


# Confirmed responses to a campaign's asks (signatures, pledges, RSVPs) are kept by asks,
# which registers how to count them per print run (asks.flyer_targets), like signups above.
_response_counter = None


def count_responses_with(counter):
    """Register `counter(print_run_ids) -> {print_run_id: confirmed responses}`."""
    global _response_counter
    _response_counter = counter


def response_counts(print_runs):
    """{print_run_id: confirmed signatures, pledges and RSVPs} for the given print runs
    (numbers only, never who)."""
    if _response_counter is None:
        return {}
    return _response_counter([run.pk for run in print_runs])


def with_drop_copies(runs):
    """Annotate print runs with .drop_copies: copies left at their drops, None without drops."""
    placed = Drop.objects.filter(print_run=models.OuterRef("pk")).order_by().values("print_run")
    placed = placed.annotate(n=models.Sum("copies")).values("n")
    return runs.annotate(drop_copies=models.Subquery(placed, output_field=models.IntegerField()))


def flyer_totals(flyers):
    """Attach .copies, .distributed, .visits, .runs, .signups and .responses to each flyer
    (a few queries in all)."""
    flyers = list(flyers)
    runs = PrintRun.objects.filter(flyer__in=flyers).only("id", "flyer_id", "quantity", "visits")
    runs = list(with_drop_copies(runs))
    signups, responses = signup_counts(runs), response_counts(runs)
    for flyer in flyers:
        mine = [r for r in runs if r.flyer_id == flyer.pk]
        flyer.runs = len(mine)
        flyer.copies = sum(r.quantity for r in mine)
        flyer.distributed = sum(r.distributed for r in mine)
        flyer.visits = sum(r.visits for r in mine)
        flyer.signups = sum(signups.get(r.pk, 0) for r in mine)
        flyer.responses = sum(responses.get(r.pk, 0) for r in mine)
    return flyers


class Drop(models.Model):
    """Copies of a print run left at one place (a neighbourhood, a shop, a notice board):
    a run has as many as the volunteer logs, added and corrected after printing.
    Places and numbers only, never anything about the people who pick a flyer up."""

    print_run = models.ForeignKey(PrintRun, on_delete=models.CASCADE, related_name="drops")
    place = models.CharField(_("neighbourhood or place"), max_length=100)
    city = models.CharField(_("city"), max_length=100, blank=True)
    copies = models.PositiveIntegerField(_("copies left there"))
    date = models.DateField(_("date"), default=timezone.localdate)
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="flyer_drops"
    )
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("drop")
        verbose_name_plural = _("drops")

    def __str__(self):
        return f"{self.place} × {self.copies}"

    def get_absolute_url(self):
        return reverse("flyers:drop", args=[self.print_run.code, self.pk])

    @property
    def area(self):
        return " · ".join(part for part in (self.place, self.city) if part)


class BatchRender(models.Model):
    """One PDF holding a flyer personalised for several print runs (each with its own QR),
    rendered by the Celery worker into the content cache."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    # A render that has been "rendering" this long was lost with its worker and may be taken over.
    STALE_AFTER = timedelta(minutes=10)

    flyer = models.ForeignKey(Flyer, on_delete=models.CASCADE, related_name="batches")
    print_runs = models.ManyToManyField(PrintRun, related_name="batches")
    layout = models.CharField(max_length=10)
    grayscale = models.BooleanField(default=False)
    crop_marks = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    content_key = models.CharField(max_length=64, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(default=timezone.now, editable=False)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.flyer} ({self.layout}, {self.status})"

    def get_absolute_url(self):
        return reverse("flyers:batch", args=[self.pk])

    @property
    def pending(self):
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)

    def claim(self):
        """Move QUEUED (or a stale RENDERING left by a dead worker) to RENDERING.
        True for exactly one caller; everyone else must leave the batch alone."""
        now = timezone.now()
        claimable = models.Q(status=self.Status.QUEUED) | models.Q(
            status=self.Status.RENDERING, started__lt=now - self.STALE_AFTER
        )
        won = BatchRender.objects.filter(claimable, pk=self.pk).update(status=self.Status.RENDERING, started=now)
        if won:
            self.status, self.started = self.Status.RENDERING, now
        return won == 1

    def finish(self, content_key, pages):
        """RENDERING -> READY with the cached file's key; False if someone else already finished it."""
        done = BatchRender.objects.filter(pk=self.pk, status=self.Status.RENDERING).update(
            status=self.Status.READY, content_key=content_key, pages=pages, error="", finished=timezone.now()
        )
        if done:
            self.status, self.content_key, self.pages = self.Status.READY, content_key, pages
        return done == 1

    def fail(self, error):
        """RENDERING -> FAILED with a message for the organizer (input problems are not retried)."""
        done = BatchRender.objects.filter(pk=self.pk, status=self.Status.RENDERING).update(
            status=self.Status.FAILED, error=error[:2000], finished=timezone.now()
        )
        if done:
            self.status, self.error = self.Status.FAILED, error
        return done == 1
