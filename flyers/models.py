import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign


class Flyer(models.Model):
    """A printable flyer of a campaign; its QR code leads to the campaign's public page."""

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
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated"]
        verbose_name = _("flyer")
        verbose_name_plural = _("flyers")

    def __str__(self):
        return self.name


def new_print_run_code():
    # 10 url-safe characters: short enough for a QR at A6, too many to guess.
    return secrets.token_urlsafe(8)[:10]


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

    @classmethod
    def record_visit(cls, code):
        """Count one visit from this print run's QR code (no IP or other trace stored)."""
        return cls.objects.filter(code=code).update(visits=models.F("visits") + 1) == 1
