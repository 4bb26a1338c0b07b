"""Splitting a full name into given and family name, with Arabic names in mind.

Only a file's full-name column goes through here: given-name and family-name columns
are taken as they are, never split again (a given name "عبد الرحمن" is one name).

The given name is the first word, but some given names are two words, and the first
is never a name by itself:

- ``عبد`` + a word (عبد الرحمن, عبد الله, عبد الكريم: "servant of …"); greeting
  "عبد الرحمن حداد" as "عبد" would call him "servant";
- ``أبو``/``ابو`` + a word (أبو بكر) and ``أم``/``ام`` + a word (أم كلثوم);
- a word + ``الدين`` (نور الدين, صلاح الدين, علاء الدين).

Everything after the given name is the family part: a word with the article ``ال``
(الحلبي, الأحمد) never joins the given name, and a lineage chain ``بن``/``ابن`` + a word
(… بن سلمان آل سعود) stays whole in it. Latin spellings of the same prefixes (Abd,
Abdul, Abdel, Abu, Abou, Umm) follow the same rules.
"""

import re
import unicodedata

# Given names whose first word needs the next one. Compared after _plain().
_PREFIXES = {"عبد", "ابو", "ام", "abd", "abdul", "abdel", "abdal", "abu", "abou", "umm", "um"}
# Second words that belong to the first (x + الدين: "… of the faith").
_JOINED_SECOND = {"الدين"}
_TATWEEL = "\u0640"
_ALEFS = str.maketrans("أإآ", "ااا")


def _plain(word):
    """A word as compared with the tables: NFKC, no tatweel, one alef, lower case, no
    trailing hyphen (Abd-, Abu-)."""
    word = unicodedata.normalize("NFKC", word).replace(_TATWEEL, "").translate(_ALEFS)
    return word.casefold().strip("-")


def given_length(words):
    """How many of `words` (a full name, split on spaces) make up the given name."""
    if len(words) < 2:
        return len(words)
    first, second = _plain(words[0]), _plain(words[1])
    if first in _PREFIXES or second in _JOINED_SECOND:
        return 2
    # "Abd-al-Rahman", "Abu-Bakr" written with hyphens are one word already.
    return 1


def split_full_name(value):
    """(given, family) from a full name, by the rules in the module docstring."""
    # Split on spaces only: a tab or newline inside a name is kept as written.
    words = re.split(r"[ \u00a0]+", (value or "").strip(" \u00a0"))
    words = [word for word in words if word]
    if not words:
        return "", ""
    size = given_length(words)
    return " ".join(words[:size]), " ".join(words[size:])
