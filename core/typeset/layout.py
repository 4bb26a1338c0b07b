"""Line layout and fitting: text in, a ``TextBlock`` of visually ordered runs out.

Lines are wrapped in logical order (``paragraph.break_lines``) and then
reordered visually (UBA rule L2) into runs of one font and direction, each
with its x offset and its glyphs. ``fit_text`` finds the largest size at
which a text fits a box.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .clean import BREAK_CHARS, MARKS, clean_text
from .errors import TypesetError
from .fonts import loaded_fonts
from .paragraph import Paragraph, break_lines, prepare
from .shaping import shape


@dataclass(frozen=True)
class Run:
    """A visual run: glyphs in one font and direction, drawn left to right."""

    font: str
    x: float  # offset from the line's left edge, points
    width: float  # points
    glyphs: tuple  # ((char, x_advance, x_offset, y_offset, logical_index), ...) font units
    logical_start: int
    rtl: bool
    text: str = ""  # logical text of the run


@dataclass(frozen=True)
class Line:
    runs: tuple[Run, ...]  # visual order
    width: float
    rtl: bool
    align: str  # "left" | "right" | "center"
    text: str  # logical text of the line


@dataclass
class TextBlock:
    """Laid-out text, ready to draw with :func:`draw_text_block`."""

    lines: list[Line]
    size: float
    line_height: float
    ascent: float  # baseline offset from the top of a line box
    width: float  # the box width it was laid out for
    overflow: bool = False
    broke_words: bool = False
    text: str = ""

    @property
    def height(self) -> float:
        return len(self.lines) * self.line_height

    @property
    def max_line_width(self) -> float:
        return max((ln.width for ln in self.lines), default=0.0)


def _pieces(text: str) -> list[tuple[int, str]]:
    """(offset, text) of each letter of ``text`` with the marks that follow it."""
    out: list[tuple[int, str]] = []
    for k, ch in enumerate(text):
        if out and unicodedata.combining(ch):
            out[-1] = (out[-1][0], out[-1][1] + ch)
        else:
            out.append((k, ch))
    return out


def _coded(font, group: list, src: str, rtl: bool) -> list[tuple]:
    """The glyphs of one cluster as ``(code, x_advance, x_offset, y_offset,
    offset in src)``, in visual order, each code's ToUnicode giving its share
    of ``src`` (a mirrored bracket its logical bracket)."""
    order = list(range(len(group)))[::-1] if rtl else list(range(len(group)))
    texts = [font.natural_text(group[i][0]) for i in order]
    if None in texts or "".join(texts) != src:
        if len(group) > 1:
            return [(font.code_for(gid, src), xa, xo, yo, 0) for gid, xa, xo, yo in group]
        texts = [src]
    parts: dict[int, list] = {}
    off = 0
    for i, text in zip(order, texts, strict=True):
        parts[i] = _split(font, group[i], text, off, rtl)
        off += len(text)
    return [entry for i in range(len(group)) for entry in parts[i]]


def _split(font, glyph: tuple, text: str, off: int, rtl: bool) -> list[tuple]:
    """One glyph standing for several letters (lam-alef, fi) or marks
    (shadda with fatha) is drawn as itself, standing for the letter at its
    visual start (or the first mark), plus an ink-less glyph (the space's
    outline) for each other letter at its share of the width (each other mark
    at the same place): every extractor then reads them one by one, in logical
    order, and poppler attaches marks to their letter."""
    gid, xa, xo, yo = glyph
    marks = all(unicodedata.combining(c) for c in text)
    units = list(enumerate(text)) if marks else _pieces(text)
    if len(units) == 1:
        return [(font.code_for(gid, text), xa, xo, yo, off)]
    k = len(units)
    part = 0 if marks else round(font.advance(gid) / k)
    slots = [0] * k if marks else (list(range(k))[::-1] if rtl else list(range(k)))
    shown = 0 if marks else slots.index(0)
    out = [
        (font.code_for(font.space_gid, t, part), 0, xo + slot * part, yo, off + o)
        for n, ((o, t), slot) in enumerate(zip(units, slots, strict=True))
        if n != shown
    ]
    o, t = units[shown]
    # carriers first: they take no advance, so they sit at this glyph's pen position
    out.append((font.code_for(gid, t, None if marks else part), xa, xo, yo, off + o))
    return out


def _line_runs(p: Paragraph, ls: int, le: int, size: float) -> tuple[list[Run], float]:
    segs = []
    for it in p.items:
        s, e = max(it.start, ls), min(it.end, le)
        if s >= e:
            continue
        segs.append((it, s, e))
    order = list(range(len(segs)))
    levels = [it.level for it, _s, _e in segs]
    odd = [lv for lv in levels if lv % 2]
    if odd:
        lowest_odd = min(odd)
        for lv in range(max(levels), lowest_odd - 1, -1):
            i = 0
            while i < len(order):
                if levels[order[i]] >= lv:
                    j = i
                    while j < len(order) and levels[order[j]] >= lv:
                        j += 1
                    order[i:j] = order[i:j][::-1]
                    i = j
                else:
                    i += 1
    fonts = loaded_fonts()
    scale = size / 1000.0
    runs = []
    x = 0.0
    for idx in order:
        it, s, e = segs[idx]
        font = fonts[it.font]
        seg = p.text[s:e]
        rtl = bool(it.level % 2)
        shaped = shape(it.font, seg, rtl)
        # cluster boundaries give the source text of each glyph (for ToUnicode)
        clusters = sorted({g[1] for g in shaped})
        nxt = {c: (clusters[k + 1] if k + 1 < len(clusters) else len(seg)) for k, c in enumerate(clusters)}
        glyphs = []
        w = 0
        i = 0
        while i < len(shaped):
            cl = shaped[i][1]
            j = i
            group = []
            while j < len(shaped) and shaped[j][1] == cl:
                gid, _cl, xa, xo, yo = shaped[j]
                w += xa
                j += 1
                if gid == 0 or (seg[cl : cl + 1] in MARKS):
                    if group:
                        group[-1] = (*group[-1][:1], group[-1][1] + xa, *group[-1][2:])
                    elif glyphs:
                        ch, a, o, y, at = glyphs[-1]
                        glyphs[-1] = (ch, a + xa, o, y, at)
                    continue
                group.append((gid, xa, xo, yo))
            i = j
            if group:
                glyphs += [
                    (ch, xa, xo, yo, s + cl + off)
                    for ch, xa, xo, yo, off in _coded(font, group, seg[cl : nxt[cl]], rtl)
                ]
        if not glyphs:
            continue
        width = w * scale
        runs.append(Run(it.font, x, width, tuple(glyphs), s, rtl, seg))
        x += width
    return runs, x


def _metrics(p_has_arabic: bool, size: float, leading: float | None) -> tuple[float, float]:
    if leading is None:
        leading = 1.6 if p_has_arabic else 1.3
    line_h = size * leading
    # centre the ink (ascender..descender) in the line box
    asc, desc = (1.0, 0.45) if p_has_arabic else (0.92, 0.25)
    ascent = (line_h - size * (asc + desc)) / 2 + size * asc
    return line_h, ascent


def _resolve_align(align: str, rtl: bool) -> str:
    if align == "auto":
        return "right" if rtl else "left"
    if align not in ("left", "right", "center"):
        raise TypesetError("bad_align", align=align)
    return align


def _paragraphs(text: str, bold: bool, direction: str) -> list[Paragraph]:
    return [prepare(t, bold, direction) for t in text.split("\n")]


def _layout(paras, text, width, size, leading, align, fit_width=True, balance=False) -> TextBlock:
    if size <= 0:
        raise TypesetError("bad_size", size=size)
    has_ar = any(p.has_arabic for p in paras)
    line_h, ascent = _metrics(has_ar, size, leading)
    max_units = width * 1000.0 / size if fit_width else float("inf")
    lines: list[Line] = []
    broke = False
    for p in paras:
        rtl = bool(p.base_level % 2)
        al = _resolve_align(align, rtl)
        if not p.text:
            lines.append(Line((), 0.0, rtl, al, ""))
            continue
        spans, b = break_lines(p, max_units)
        broke = broke or b
        if balance and len(spans) > 1 and not b:
            # narrowest measure giving the same number of lines: no orphans
            lo, hi = 0.0, max_units
            for _ in range(12):
                mid = (lo + hi) / 2
                trial, tb = break_lines(p, mid)
                if len(trial) <= len(spans) and not tb:
                    hi = mid
                else:
                    lo = mid
            spans = break_lines(p, hi)[0]
        i = 0
        while i < len(spans):
            ls, le = spans[i]
            runs, w = _line_runs(p, ls, le, size)
            in_word = (le < len(p.text) and p.text[le] not in BREAK_CHARS) or (
                ls > 0 and p.text[ls - 1] not in BREAK_CHARS
            )
            if w > width + 0.01 and fit_width and in_word:
                # a broken word shaped wider at the cut than measured:
                # move its last cluster to the next line
                e = le - 1
                while e > ls + 1 and not p.cluster_start[e]:
                    e -= 1
                if e > ls:
                    spans[i] = (ls, e)
                    if i + 1 < len(spans) and spans[i + 1][0] == le:
                        spans[i + 1] = (e, spans[i + 1][1])
                    else:
                        spans.insert(i + 1, (e, le))
                    continue
            lines.append(Line(tuple(runs), w, rtl, al, p.text[ls:le]))
            i += 1
    return TextBlock(lines, size, line_h, ascent, width, broke_words=broke, text=text)


def measure_text(text: str, size: float, *, bold: bool = False) -> float:
    """Width in points of ``text`` on one line (widest line if it has
    several), shaped, with the vendored fonts."""
    text = clean_text(text)
    if not text:
        return 0.0
    best = 0.0
    for p in _paragraphs(text, bold, "auto"):
        best = max(best, p.prefix[-1] * size / 1000.0)
    return best


def layout_text(
    text: str,
    width: float,
    size: float,
    *,
    bold: bool = False,
    leading: float | None = None,
    align: str = "auto",
    direction: str = "auto",
    balance: bool = False,
) -> TextBlock:
    """Wrap ``text`` into lines of at most ``width`` points at ``size``.

    ``\\n`` starts a new paragraph; each paragraph gets its own base
    direction when ``direction="auto"``. ``leading`` is a multiple of the
    font size (default 1.6 with Arabic, 1.3 without). Words longer than the
    width are broken (``block.broke_words``). ``balance=True`` evens out
    line lengths (for headlines: no single orphan word on the last line)."""
    text = clean_text(text)
    return _layout(_paragraphs(text, bold, direction), text, width, size, leading, align, balance=balance)


def fit_text(
    text: str,
    width: float,
    height: float,
    max_size: float,
    min_size: float,
    *,
    bold: bool = False,
    leading: float | None = None,
    align: str = "auto",
    direction: str = "auto",
    step: float = 0.5,
) -> TextBlock:
    """Lay out ``text`` at the largest size in ``[min_size, max_size]``
    (in ``step`` point steps) that fits ``width`` x ``height`` without
    breaking words. If only word breaking makes it fit, words are broken at
    the largest size that fits; if nothing fits at ``min_size`` the
    returned block has ``overflow=True`` (it is laid out at ``min_size`` and
    must not be drawn as if complete -- report it to the user)."""
    if min_size > max_size:
        raise TypesetError("bad_size_range", min_size=min_size, max_size=max_size)
    text = clean_text(text)
    paras = _paragraphs(text, bold, direction)
    has_ar = any(p.has_arabic for p in paras)
    sizes = []
    s = float(max_size)
    while s > min_size + 1e-9:
        sizes.append(s)
        s -= step
    sizes.append(float(min_size))

    def fits(size: float) -> tuple[bool, bool]:
        line_h, _ = _metrics(has_ar, size, leading)
        max_units = width * 1000.0 / size
        n = 0
        broke = False
        for p in paras:
            if not p.text:
                n += 1
                continue
            spans, b = break_lines(p, max_units)
            n += len(spans)
            broke = broke or b
        return n * line_h <= height + 1e-6, broke

    # binary search on the (monotone) fit predicate
    def search(pred) -> int | None:
        lo, hi, found = 0, len(sizes) - 1, None
        while lo <= hi:
            mid = (lo + hi) // 2
            if pred(sizes[mid]):
                found, hi = mid, mid - 1
            else:
                lo = mid + 1
        return found

    idx = search(lambda sz: fits(sz) == (True, False))
    if idx is None:
        idx = search(lambda sz: fits(sz)[0])
    if idx is None:
        block = _layout(paras, text, width, float(min_size), leading, align)
        block.overflow = True
        return block
    return _layout(paras, text, width, sizes[idx], leading, align)
