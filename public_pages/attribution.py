"""Crediting a visit or a signup to the flyer print run whose QR code brought it, and the signup form's context."""

import hashlib
import hmac
import re
import secrets
from urllib.parse import quote, urlencode

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from contacts.forms import SignupForm
from contacts.signup import RateLimited, request_signup
from core.clientip import client_ip
from core.i18n import current_language
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


DAY = 24 * 3600


def _daily_salt(day):
    """A random salt for `day`, kept only in the cache and gone after two days at most.

    Not derived from SECRET_KEY or any other lasting secret: once it expires nobody, the
    server's operator included, can recompute yesterday's fingerprints from an address."""
    key = f"qr-visit-salt:{day}"
    cache.add(key, secrets.token_hex(32), timeout=2 * DAY)
    return cache.get(key) or ""


def visitor_fingerprint(request, print_run, day):
    """A keyed hash of (print run, address, user agent) under `day`'s random salt.

    It identifies no one: the address and user agent are never stored, only this digest,
    and only in the cache for 24 hours; the salt is random, rotates daily and expires, so the
    digest cannot be reversed, looked up in a table, or linked to the same visitor on
    another day or another flyer. Its only use is "this print run had this visit already today"."""
    salt = _daily_salt(day)
    agent = request.META.get("HTTP_USER_AGENT", "")[:512]
    text = f"{print_run.pk}\n{client_ip(request) or ''}\n{agent}"
    return hmac.new(salt.encode(), text.encode("utf-8", "replace"), hashlib.sha256).hexdigest()


def record_visit(request, print_run):
    """Count a visit from this print run's QR code once per visitor per day (a reload, or a
    second look the same day, is not a new visit); nothing identifying the visitor is kept."""
    day = timezone.localdate().isoformat()
    seen = f"qr-visit:{day}:{visitor_fingerprint(request, print_run, day)}"
    if cache.add(seen, 1, timeout=DAY):
        print_run.record_visit(print_run.code)


def signup_context(request, campaign, print_run):
    """Context for the signup form of contacts on the public page; on a valid POST, asks
    contacts to send the double opt-in email (attributed to the campaign and print run)
    and returns {"redirect": url} so a reload cannot post twice."""
    action = campaign.public_url()
    extra = {"print_run_code": print_run.code} if print_run is not None else {}
    form = SignupForm(request.POST if request.method == "POST" else None, initial={"language": page_language_code()})
    if request.method == "POST" and form.is_valid():
        try:
            request_signup(request, form, campaign=campaign, print_run=print_run)
        except RateLimited:
            return {"signup_form": form, "signup_action": action, "rate_limited": True, **extra}
        return {"redirect": reverse("public:campaign", args=[campaign.slug]) + "?sent=1#signup"}
    return {"signup_form": form, "signup_action": action, **extra}


def page_language_code():
    """The page's language as a newsletter language: who signs up on the English page gets
    English newsletters unless they pick otherwise."""
    return current_language()


def share_links(request, path, title):
    """Plain share links for the page at `path` (no third-party script: nothing loads until
    the visitor taps one), and its absolute address for the copy-the-link field."""
    url = request.build_absolute_uri(path)
    text = f"{title} {url}"
    links = [
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": text})),
        ("Telegram", "https://t.me/share/url?" + urlencode({"url": url, "text": title})),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ("X", "https://x.com/intent/post?" + urlencode({"text": text})),
        (gettext("Email"), "mailto:?" + urlencode({"subject": title, "body": url}, quote_via=quote)),
    ]
    return {"share_links": links, "share_url": url}


def next_steps(request, campaign, upcoming):
    """What the thank-you offers: share links and the campaign's next public action."""
    return {
        **share_links(request, campaign.public_url(), campaign.title),
        "next_action": upcoming[0] if upcoming else None,
    }
