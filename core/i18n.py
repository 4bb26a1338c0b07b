"""Fields kept in Arabic and English, read in the language a person asked for.

Hamla stores user-written text twice (``title_ar`` / ``title_en``) rather than
in a translation table: an organizer writes both on one form, and either may be
empty. One rule everywhere: the requested language if written, else the other
(Arabic when the active language is neither), so a page never shows an empty
title because only one language was filled in.
"""

from django.utils.translation import get_language

LANGUAGES = ("ar", "en")


def current_language(default="ar"):
    """The active language reduced to "ar" or "en" ("en-gb" → "en"; anything else → default)."""
    language = (get_language() or "").split("-")[0]
    return language if language in LANGUAGES else default


def bilingual(obj, field, language=None):
    """``obj.<field>_<language>``, falling back to the other language's text.

    With no `language`, the active one (Arabic unless English is active)."""
    first = language if language in LANGUAGES else current_language()
    second = "en" if first == "ar" else "ar"
    return getattr(obj, f"{field}_{first}") or getattr(obj, f"{field}_{second}")
