"""Labels that tell about a supporter without naming them: tag names (``detainee-family``)
and a contact's city and neighbourhood. Tied to contact ids they are as sensitive as a
name, so they are stored like names: AES-GCM ciphertext in ``<field>_enc`` (see
contacts/crypto.py), plus ``<field>_hash``, a blind index of the normalised value that
serves exact-match filters and keeps tag names unique without reading them.

Normalised means what a person would call the same label: NFKC, runs of spaces
collapsed, trimmed, case-folded (as names are for search), and spelled-alike Arabic
made alike — no harakat or tatweel, one alef (أ إ آ ٱ → ا), ى → ي, ة → ه — so
"حماة" finds "حماه" and "Detainee-Family" is the tag "detainee-family".
"""

import re

from . import crypto

# Harakat and Quranic annotation marks, superscript alef, tatweel.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans("أإآٱىة", "اااايه")


def normalise_label(value):
    """The form of a label that its blind index is computed from ('' for nothing)."""
    value = _ARABIC_MARKS.sub("", crypto.normalise_name(value))
    return " ".join(value.translate(_ARABIC_LETTERS).split())


def label_index(value, kind, ring=None):
    """Blind index (hex) of a label of `kind` ("tag", "city", "neighbourhood"), or None
    when it normalises to ''. The kind is mixed in, so a city never matches a tag.
    `ring`: a keyring already in hand (the importer's, for a whole batch)."""
    normalised = normalise_label(value)
    if ring is not None:
        return ring.blind_index(normalised, kind)
    return crypto.blind_index(normalised, kind, normalised=True)


def clean_label(value):
    """What is stored: the text as typed, trimmed, with runs of spaces collapsed."""
    return " ".join(str(value or "").split())


def encrypted_label(name, kind=None):
    """A property over ``<name>_enc`` and ``<name>_hash``: decrypts lazily (cached per
    ciphertext object, so refresh_from_db is honoured), encrypts and indexes on set."""
    column, index, kind = f"{name}_enc", f"{name}_hash", kind or name

    def get(self):
        blob = getattr(self, column)
        plain = self.__dict__.setdefault("_plain", {})
        cached = plain.get(name)
        if cached is None or cached[0] is not blob:
            cached = plain[name] = (blob, crypto.decrypt(blob))
        return cached[1]

    def set(self, value):
        value = clean_label(value)
        blob = crypto.encrypt(value)
        setattr(self, column, blob)
        setattr(self, index, label_index(value, kind))
        self.__dict__.setdefault("_plain", {})[name] = (blob, value)

    return property(get, set, doc=f"{name}, decrypted on access (stored encrypted in {column}, indexed in {index})")
