"""Rendering and sending newsletter emails (the one module with this side effect).

`prepare()` renders a message for one language once; `build()` produces one
recipient's EmailMultiAlternatives from it with a few string replacements, so
the cost per recipient is building the MIME message, not rendering templates.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from core.i18n import bilingual
from core.mailheaders import StandardEmail, message_id
from organisation.models import Organisation

from . import compose

FONTS = "Tahoma,'Segoe UI','Noto Naskh Arabic','Noto Sans Arabic',Arial,sans-serif"


@dataclass(frozen=True)
class Prepared:
    language: str
    subject: str
    html: str
    text: str
    # The organisation's sender name on DEFAULT_FROM_EMAIL's address (read once per language,
    # not once per recipient).
    from_email: str


def campaign_title_in(campaign, language):
    """The campaign's title in the recipient's language (the other language's if that one is
    not written); a plain string is taken as it is."""
    if hasattr(campaign, "title_ar"):
        return bilingual(campaign, "title", language)
    return campaign or ""


def prepare(subject, body, language, campaign_title=""):
    """Render one language version once, merge fields left as placeholders. `campaign_title`
    is the campaign itself (its title is then read in `language`) or a string."""
    rtl = language == "ar"
    profile = Organisation.current()
    fragment = compose.body_html(body)
    context = {
        "language": language,
        "direction": "rtl" if rtl else "ltr",
        "start": "right" if rtl else "left",
        "end": "left" if rtl else "right",
        "fonts": FONTS,
        "subject": compose.subject_template(subject),
        "preheader": compose.preheader(fragment),
        "sender_name": profile.display_sender(),
        "organisation_name": profile.name_in(language),
        "contact_line": profile.contact_line,
        "accent": profile.accent or "#0b6e4f",
        "campaign_title": campaign_title_in(campaign_title, language),
        "unsubscribe_url": compose.PLACEHOLDER.format("unsubscribe_url"),
        "preferences_url": compose.PLACEHOLDER.format("preferences_url"),
    }
    with translation.override(language):
        html = render_to_string("messaging/email/newsletter.html", {**context, "body": mark_safe(fragment)})  # noqa: S308 - sanitised by nh3
        text = render_to_string("messaging/email/newsletter.txt", {**context, "body": compose.html_to_text(fragment)})
    return Prepared(
        language=language,
        subject=context["subject"],
        html=html,
        text=text.strip() + "\n",
        from_email=profile.from_email(),
    )


# Bidi embedding, override and isolate controls: in a name they could turn the rest of
# a line around.
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def one_line(value):
    """A merge value as one line without bidi controls: a line break in a name would
    make the subject an invalid header (and the send fail for good)."""
    return " ".join(str(value).translate(_BIDI_CONTROLS).split())


def build(prepared, to, values, headers=None):
    """One recipient's email. `values` maps merge-field names to plain strings."""
    values = {name: one_line(value) for name, value in values.items()}
    sender = prepared.from_email
    message = StandardEmail(
        subject=compose.fill(prepared.subject, values, escape=False),
        body=compose.fill(prepared.text, values, escape=False),
        from_email=sender,
        to=[to],
        headers={"Message-ID": message_id(sender), **(headers or {})},
    )
    message.attach_alternative(compose.fill(prepared.html, values, escape=True), "text/html")
    return message


def unsubscribe_headers(unsubscribe_url, mailto=None):
    """RFC 2369 / RFC 8058 one-click unsubscribe headers (the URL is https in production:
    see `one_click_needs_https`)."""
    targets = [f"<{unsubscribe_url}>"]
    if mailto:
        targets.append(f"<mailto:{mailto}?subject=unsubscribe>")
    return {"List-Unsubscribe": ", ".join(targets), "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


HTTPS_CHECK_ID = "messaging.E001"


def one_click_needs_https(app_configs=None, **kwargs):
    """`check --deploy`: RFC 8058 §3.1 allows List-Unsubscribe-Post only next to an
    https List-Unsubscribe URL, and those URLs are built on SITE_URL."""
    from django.core.checks import Error

    if settings.DEBUG or settings.SITE_URL.lower().startswith("https://"):
        return []
    return [
        Error(
            "SITE_URL must be an https:// address in production: newsletters carry one-click "
            "unsubscribe links built on it, which RFC 8058 requires to be https.",
            hint="Set SITE_URL=https://your.domain (see the configuration table in README.md).",
            obj="SITE_URL",
            id=HTTPS_CHECK_ID,
        )
    ]


def send_test(subject, body, language, address, campaign_title=""):
    """Send one preview to an address the organizer typed; links point nowhere real."""
    prepared = prepare(subject, body, language, campaign_title)
    values = compose.sample_values(language)
    values["unsubscribe_url"] = values["preferences_url"] = settings.SITE_URL + "/"
    email = build(prepared, address, values)
    email.subject = "[TEST] " + email.subject
    return get_connection().send_messages([email])
