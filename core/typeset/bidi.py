"""Bidi: resolved embedding levels per character, and the font for each character.

Levels come from python-bidi's pure-Python Unicode Bidirectional Algorithm, with
two additions it lacks: rule N0 (paired brackets take the direction of what they
enclose) and digit groups (phone numbers, dates) kept left to right as one unit
inside right-to-left text.
"""

from __future__ import annotations

import unicodedata

from bidi import algorithm as _uba

from .clean import DIGIT_GROUPS, ZERO_WIDTH
from .errors import TypesetError
from .fonts import loaded_fonts


def is_arabic_char(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("AL", "R") or 0x0600 <= ord(ch) <= 0x06FF


def embedding_levels(text: str, base_level: int) -> list[int]:
    """Resolved embedding levels (rules up to I2) for one paragraph."""
    # python-bidi's X9 drops BN characters; keep indices aligned by resolving
    # on a copy where they are replaced by a neutral.
    probe = "".join("\u00b7" if unicodedata.bidirectional(c) == "BN" else c for c in text)
    storage = _uba.get_empty_storage()
    storage["base_level"] = base_level
    storage["base_dir"] = ("L", "R")[base_level]
    _uba.get_embedding_levels(probe, storage)
    _uba.explicit_embed_and_overrides(storage)
    _uba.resolve_weak_types(storage)
    _pair_brackets(storage)
    _uba.resolve_neutral_types(storage, False)
    _uba.resolve_implicit_levels(storage, False)
    levels = [c["level"] for c in storage["chars"]]
    # Digit groups (phone numbers, dates, "+963 ...") read left to right as
    # a unit inside right-to-left text.
    for m in DIGIT_GROUPS.finditer(text):
        lv = max(levels[m.start() : m.end()])
        if lv % 2:
            lv += 1
        for i in range(m.start(), m.end()):
            levels[i] = lv
    return levels


# Bidi_Paired_Bracket pairs (the common ones; UAX #9 BD16).
_OPENING = dict(
    zip("([{⁅⁽₍〈⟨❨❪❬❮❰❲❴⦃⦅〈《「『【〔〖〘〚（［｛｟｢", ")]}⁆⁾₎〉⟩❩❫❭❯❱❳❵⦄⦆〉》」』】〕〗〙〛）］｝｠｣", strict=True)
)
_CLOSING = {close: open_ for open_, close in _OPENING.items()}


def _strong(bidi_type: str) -> str | None:
    if bidi_type == "L":
        return "L"
    if bidi_type in ("R", "AL", "EN", "AN"):  # numbers count as R here (N0, N1)
        return "R"
    return None


def _pair_brackets(storage) -> None:
    """Rule N0 of the bidi algorithm (paired brackets), which python-bidi's pure-Python
    algorithm lacks: without it "حملة Hamla (Syria) للتغيير" prints "(Hamla (Syria".
    Brackets of a pair take the direction of the text they enclose, or of the context."""
    chars = storage["chars"]
    for run in storage["runs"]:
        start, end = run["start"], run["start"] + run["length"]
        if start >= end:
            continue
        embedding = "R" if chars[start]["level"] % 2 else "L"
        pairs, stack = [], []
        for i in range(start, end):
            if chars[i]["type"] != "ON":
                continue
            ch = chars[i]["ch"]
            if ch in _OPENING:
                if len(stack) == 63:  # BD16: stop pairing on overflow
                    break
                stack.append((ch, i))
            elif ch in _CLOSING:
                for depth in range(len(stack) - 1, -1, -1):
                    if stack[depth][0] == _CLOSING[ch]:
                        pairs.append((stack[depth][1], i))
                        del stack[depth:]
                        break
        for opening, closing in sorted(pairs):
            inside = {_strong(chars[k]["type"]) for k in range(opening + 1, closing)} - {None}
            if embedding in inside:
                direction = embedding
            elif inside:
                # Only the opposite direction inside: it wins if the text before the pair
                # (or the run's start) is of that direction too, else the embedding does.
                direction = next(
                    (_strong(chars[k]["type"]) for k in range(opening - 1, start - 1, -1) if _strong(chars[k]["type"])),
                    _strong(run["sor"]),
                )
            else:
                continue
            chars[opening]["type"] = chars[closing]["type"] = direction


def paragraph_level(text: str, direction: str) -> int:
    if direction == "rtl":
        return 1
    if direction == "ltr":
        return 0
    if direction != "auto":
        raise TypesetError("bad_direction", direction=direction)
    for ch in text:
        bd = unicodedata.bidirectional(ch)
        if bd in ("AL", "R"):
            return 1
        if bd == "L":
            return 0
    return 0


def font_keys(text: str, base_level: int, bold: bool) -> list[str]:
    fonts = loaded_fonts()
    suffix = "-b" if bold else ""
    ar, la = "ar" + suffix, "la" + suffix
    n = len(text)
    script: list[str | None] = [None] * n
    for i, ch in enumerate(text):
        bd = unicodedata.bidirectional(ch)
        if bd in ("AL", "R") or (0x0600 <= ord(ch) <= 0x06FF and bd != "EN"):
            script[i] = ar
        elif bd == "L":
            script[i] = la
    # neutrals, digits and marks follow the previous strong character,
    # else the next one, else the paragraph direction
    prev = None
    for i in range(n):
        if script[i] is None:
            script[i] = prev
        else:
            prev = script[i]
    nxt = ar if base_level % 2 else la
    for i in range(n - 1, -1, -1):
        if script[i] is None:
            script[i] = nxt
        else:
            nxt = script[i]
    out = []
    for i, ch in enumerate(text):
        key = script[i]
        cp = ord(ch)
        if cp not in fonts[key].cmap and ch not in ZERO_WIDTH:
            other = la + "" if key == ar else ar
            if cp in fonts[other].cmap:
                key = other
        out.append(key)
    return out
