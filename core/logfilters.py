"""A logging filter that keeps credentials and addresses out of log lines.

A supporter's token in a URL (`/u/<token>/`, `/signup/confirm/<token>/`) is their key to
their subscription; an email address or a search term is personal data. Django's request
log (`django.server` for runserver, `django.request` for 4xx/5xx) writes the path as it
came, so the message is redacted here before any handler formats it.
"""

import logging
import re

TOKEN_PATH = re.compile(r"(/u/|/signup/confirm/)[^/\s?\"']+")
# Addresses as written or percent-encoded in a URL (%40 for @).
ADDRESS = re.compile(r"[^\s/?&=\"'<>]+(?:@|%40)[^\s/?&=\"'<>]+", re.IGNORECASE)
SEARCH_TERM = re.compile(r"([?&]q=)[^&\s\"']*")


def redact(text):
    text = TOKEN_PATH.sub(r"\1[token]", text)
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
