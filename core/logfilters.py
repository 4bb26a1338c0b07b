"""A logging filter that keeps credentials and addresses out of log lines.

A supporter's token in a URL (`/u/<token>/`, `/signup/confirm/<token>/`) is their key to
their subscription; an email address or a search term is personal data. Django's request
log (`django.server` for runserver, `django.request` for 4xx/5xx) writes the path as it
came, so the message is redacted here before any handler formats it.
"""

import logging
import re

from django.urls import Resolver404, resolve

# A URL argument with one of these names is a credential (a supporter's unsubscribe or
# confirmation token, a staff member's enrolment or password-set link): whichever URL
# carries it, found through the resolver, so a new token-bearing URL needs no entry here.
CREDENTIAL_ARGUMENTS = ("token", "uidb64")
PATH = re.compile(r"(?<![\w.])/[^\s?\"'#]*")
# Addresses as written or percent-encoded in a URL (%40 for @).
ADDRESS = re.compile(r"[^\s/?&=\"'<>]+(?:@|%40)[^\s/?&=\"'<>]+", re.IGNORECASE)
SEARCH_TERM = re.compile(r"([?&]q=)[^&\s\"']*")


def _without_credentials(match):
    path = match.group(0)
    try:
        found = resolve(path)
    except Resolver404:
        return path
    for name in CREDENTIAL_ARGUMENTS:
        value = found.kwargs.get(name)
        if value:
            path = path.replace(f"/{value}/", "/[token]/", 1)
    return path


def redact(text):
    text = PATH.sub(_without_credentials, text)
    text = SEARCH_TERM.sub(r"\1[search]", text)
    return ADDRESS.sub("[address]", text)


class RedactURLs(logging.Filter):
    """Rewrites the record's message with tokens, search terms and addresses replaced."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record is left to logging's own error handling
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
