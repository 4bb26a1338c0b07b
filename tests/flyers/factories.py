"""Campaigns, flyers and print runs for the flyers tests."""

import io

from PIL import Image

from campaigns.models import Campaign
from flyers.models import Flyer, PrintRun


def make_campaign(slug="clean-streets", status=Campaign.Status.ACTIVE, **extra):
    return Campaign.objects.create(
        slug=slug, title_ar="حملة النظافة", title_en="Clean streets", status=status, is_public=True, **extra
    )


def make_flyer(campaign=None, **extra):
    fields = {
        "name": "Clean-up day",
        "headline_ar": "حلب نظيفة بأيدينا",
        "body_ar": "انضموا إلينا يوم السبت الساعة ٩ صباحاً. للاستفسار: 0944 123 456",
        "cta_ar": "امسح الرمز وسجّل",
        "headline_en": "A clean Aleppo",
        "body_en": "Join us on Saturday at 9 am.",
        "cta_en": "Scan to sign up",
        "design": Flyer.Design.BOLD,
        "paper_size": Flyer.PaperSize.A5,
    }
    fields.update(extra)
    return Flyer.objects.create(campaign=campaign or make_campaign(), **fields)


def make_run(flyer, volunteer=None, quantity=100, **extra):
    return PrintRun.objects.create(flyer=flyer, volunteer=volunteer, quantity=quantity, **extra)


def image_bytes(fmt="PNG", size=(60, 40), color=(200, 30, 30), **save_args):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt, **save_args)
    return out.getvalue()


def make_ask(campaign, slug="stop-dumping", kind="petition", status="open", **extra):
    """An ask of `campaign` (asks.Ask: open unless said otherwise), for flyers pointing at it."""
    from asks.models import Ask

    fields = {"title_ar": "أوقفوا رمي النفايات", "title_en": "Stop the dumping", "goal": 500}
    fields.update(extra)
    return Ask.objects.create(campaign=campaign, slug=slug, kind=kind, status=status, **fields)


def make_response(ask, email, print_run=None, confirm=True):
    """A response to `ask` (confirmed through Response.confirm unless said otherwise)."""
    from asks.models import Response

    response = Response(ask=ask, print_run=print_run)
    response.given_name = "Test"
    response.email = email
    response.set_person()
    response.save()
    if confirm:
        response.confirm()
    return response
