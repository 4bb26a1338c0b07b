"""Cleaning text for drawing, and which characters the vendored fonts can print.

The character classes shared by the other steps (bidi marks, zero-width
characters, break opportunities, digit groups) are defined here, once.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from .errors import TypesetError
from .fonts import loaded_fonts

_KEEP_FORMAT = {"\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c"}
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
ZERO_WIDTH = {"\u200b", "\u200c", "\u200d"}
MARKS = {"\u200e", "\u200f", "\u061c"}  # influence bidi only, never drawn
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
BREAK_CHARS = {" ", "\u200b"}
DIGIT_GROUPS = re.compile(r"(?:\+|\b00)?\d+(?:[ \u00a0./\-]\d+)+|\+\d+")


@functools.lru_cache(maxsize=1)
def _coverage() -> frozenset[int]:
    fonts = loaded_fonts()
    return frozenset().union(*(f.cmap for f in fonts.values()))


def unprintable(text: str) -> list[str]:
    """The visible characters of ``text`` that no vendored font can draw (emoji, some
    symbols), which :func:`clean_text` would leave out; in order, each once."""
    cover = _coverage()
    found = []
    for ch in unicodedata.normalize("NFC", text or ""):
        if ch in "\n\r" or _SPACES.match(ch) or ch in _KEEP_FORMAT or ch in _BIDI_CONTROLS:
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me"):
            continue  # invisible anyway
        if ord(ch) not in cover and ch not in found:
            found.append(ch)
    return found


@functools.lru_cache(maxsize=2048)
def clean_text(text: str) -> str:
    """Normalise ``text`` for drawing: NFC, ``\\r\\n`` -> ``\\n``, other
    control characters and explicit bidi embeddings removed, exotic spaces
    -> space, characters no vendored font can draw (emoji, ...) dropped."""
    if text is None:
        return ""
    if not isinstance(text, str):
        raise TypesetError("not_text", type=type(text).__name__)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    cover = _coverage()
    out = []
    for ch in text:
        if ch == "\n":
            out.append(ch)
        elif _SPACES.match(ch):
            out.append(" " if ch != "\u00a0" else "\u00a0")
        elif ch in _KEEP_FORMAT:
            out.append(ch)
        elif ch in _BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        elif ord(ch) in cover:
            out.append(ch)
    text = "".join(out)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip(" \n")
