"""A paragraph prepared once (levels, fonts, shaped advances) and broken into lines.

``prepare`` turns one paragraph of clean text into a size-independent
``Paragraph``: items of one level and font, per-character advances as prefix
sums, grapheme cluster starts and words (a phone number or a date is one word).
``break_lines`` wraps it greedily in logical order for a width in font units.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

from .bidi import embedding_levels, font_keys, is_arabic_char, paragraph_level
from .clean import DIGIT_GROUPS, MARKS
from .shaping import shape


@dataclass(frozen=True)
class _Item:
    start: int
    end: int
    level: int
    font: str


@dataclass(frozen=True)
class Paragraph:
    """A shaped paragraph in font units (size independent)."""

    text: str
    base_level: int
    items: tuple[_Item, ...]
    prefix: tuple[int, ...]  # prefix sums of per-character advances
    cluster_start: tuple[bool, ...]
    words: tuple[tuple[int, int], ...]
    has_arabic: bool


@functools.lru_cache(maxsize=2048)
def prepare(text: str, bold: bool, direction: str) -> Paragraph:
    base = paragraph_level(text, direction)
    levels = embedding_levels(text, base) if text else []
    fonts = font_keys(text, base, bold)
    items = []
    start = 0
    n = len(text)
    for i in range(1, n + 1):
        if i == n or levels[i] != levels[start] or fonts[i] != fonts[start]:
            items.append(_Item(start, i, levels[start], fonts[start]))
            start = i
    adv = [0] * n
    cstart = [False] * (n + 1)
    cstart[n] = True
    for it in items:
        seg = text[it.start : it.end]
        for _gid, cl, xa, _xo, _yo in shape(it.font, seg, bool(it.level % 2)):
            adv[it.start + cl] += xa
            cstart[it.start + cl] = True
    for i, ch in enumerate(text):
        if ch in MARKS:
            adv[i] = 0
    prefix = (0, *itertools.accumulate(adv))
    # A phone number or a date ("0944 123 456") is one word: a flyer must not split it.
    unbroken = DIGIT_GROUPS.sub(lambda m: m.group().replace(" ", "\u00a0"), text)
    words = tuple((m.start(), m.end()) for m in re.finditer(r"[^ \u200b]+", unbroken))
    return Paragraph(
        text=text,
        base_level=base,
        items=tuple(items),
        prefix=prefix,
        cluster_start=tuple(cstart),
        words=words,
        has_arabic=any(is_arabic_char(c) for c in text),
    )


def break_lines(p: Paragraph, max_units: float) -> tuple[list[tuple[int, int]], bool]:
    """Greedy line breaking in logical order. Returns ``(lines, broke_word)``."""
    P = p.prefix
    lines: list[tuple[int, int]] = []
    broke = False
    ls = le = None
    eps = 1e-6
    for ws, we in p.words:
        if ls is not None and P[we] - P[ls] <= max_units + eps:
            le = we
            continue
        if ls is not None:
            lines.append((ls, le))
            ls = None
        if P[we] - P[ws] <= max_units + eps:
            ls, le = ws, we
            continue
        # overlong word: break between grapheme clusters
        broke = True
        s = ws
        while s < we:
            e = s + 1
            while e < we and not p.cluster_start[e]:
                e += 1
            best = e
            while e < we:
                e2 = e + 1
                while e2 < we and not p.cluster_start[e2]:
                    e2 += 1
                if P[e2] - P[s] > max_units + eps:
                    break
                best = e = e2
            if best >= we:
                ls, le = s, we
                break
            lines.append((s, best))
            s = best
    if ls is not None:
        lines.append((ls, le))
    return lines, broke
