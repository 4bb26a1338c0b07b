"""Crediting a visit or a signup to the flyer print run whose QR code brought it, and the signup form's context."""

import re

from django.urls import reverse

from contacts.forms import SignupForm
from contacts.signup import RateLimited, request_signup
from flyers.models import PrintRun

CODE = re.compile(r"[A-Za-z0-9_-]{1,16}")


def print_run_for(campaign, code):
    """The print run of one of this campaign's flyers with this QR code, or None.
    Codes of other campaigns' flyers are ignored, so they cannot be credited here."""
    # Codes are url-safe base64; anything else (NUL bytes, quotes, huge strings) never reaches the database.
    if not CODE.fullmatch(code or ""):
        return None
    return PrintRun.objects.filter(code=code, flyer__campaign=campaign).first()


def any_print_run(code):
    """The print run with this QR code, whatever its campaign (the standalone signup page), or None."""
    if not CODE.fullmatch(code or ""):
        return None
    return PrintRun.objects.select_related("flyer__campaign").filter(code=code).first()


def record_visit(print_run):
    """Count one visit from this print run's QR code; nothing about the visitor is stored."""
    print_run.record_visit(print_run.code)


def signup_context(request, campaign, print_run):
    """Context for the signup form of contacts on the public page; on a valid POST, asks
    contacts to send the double opt-in email (attributed to the campaign and print run)
    and returns {"redirect": url} so a reload cannot post twice."""
    action = campaign.public_url()
    extra = {"print_run_code": print_run.code} if print_run is not None else {}
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            request_signup(request, form, campaign=campaign, print_run=print_run)
        except RateLimited:
            return {"signup_form": form, "signup_action": action, "rate_limited": True, **extra}
        return {"redirect": reverse("public:campaign", args=[campaign.slug]) + "?sent=1"}
    return {"signup_form": form, "signup_action": action, **extra}
