"""Hamla PDF engine: bidi text, flyers, imposition (pure Python, reportlab).

No Django at import time; every function here is a pure function of its
arguments, so it can run in a web request, a Celery task or a test.

Text engine (also used by the printable mobilisation-history report)
--------------------------------------------------------------------
reportlab 5.1 shapes Arabic glyphs correctly through HarfBuzz, but its
Paragraph / mixed-direction code lays Arabic words out in the wrong order.
This module does the whole pipeline itself:

1. clean the text (NFC, control characters, characters no vendored font can
   draw -- e.g. emoji -- are DROPPED, explicit bidi embedding controls are
   removed);
2. resolve Unicode bidi embedding levels with python-bidi's pure-Python
   algorithm (phone numbers and other digit groups such as
   ``0944 123 456`` or ``+963 944 123 456`` are kept left-to-right as a unit,
   dates like ``2011-12-15`` already are);
3. choose a font per character (Arabic script -> Noto Sans Arabic, everything
   else -> Noto Sans, neutrals follow their neighbours);
4. shape every (level, font) item with uharfbuzz, in font units, once (cached);
5. wrap lines in LOGICAL order by measuring the shaped clusters (overlong
   words are broken between grapheme clusters), then reorder each line
   visually (UBA rule L2) into runs;
6. draw each run at its own x position glyph by glyph (by glyph id, through
   reportlab's TrueType subsetting) with HarfBuzz advances and offsets.

Extractability: every embedded font has a ToUnicode map that maps contextual
Arabic forms back to the base letters, glyphs are written in visual order
(like other PDF producers do) and RTL runs are reversed back by text
extractors. ``pypdf``'s ``extract_text`` gives back the Arabic words in
logical order for pure-Arabic lines; in mixed lines the order of the runs can
come back visually (tests normalise with NFKC and compare words).

Public API::

    register_fonts() -> dict[str, str]
    measure_text(text, size, *, bold=False) -> float
    layout_text(text, width, size, *, bold=False, leading=None,
                align="auto", direction="auto") -> TextBlock
    fit_text(text, width, height, max_size, min_size, *, bold=False,
             leading=None, align="auto", direction="auto") -> TextBlock
             # TextBlock.overflow is True when it does not fit at min_size
    draw_text_block(canvas, block, x, y_top, width=None, *, color=None) -> float
    draw_paragraph(canvas, text, x, y_top, width, size, *, bold=False,
                   align="auto", direction="auto", leading=None, color=None) -> float
    BidiParagraph(text, size=10, ...)     # platypus Flowable (wrap/split/draw)
    HamlaCanvas(...)                      # Canvas with neutral metadata,
                                          # invariant output, no Helvetica
    FlyerSpec(...)                        # dataclass describing a flyer
    render_flyer(spec, page_size="a5") -> bytes
    render_sheet(spec, layout="a4-2up", crop_marks=True,
                 personalised_qr_urls=None) -> bytes
    render_batch(spec, qr_urls, page_size="a5") -> bytes
    FlyerLayoutError, FlyerOverflowError(field, ...)

Coordinates are reportlab points with the origin bottom-left; ``y_top`` is the
top edge of the text box, the functions draw downwards from it and return the
height used. ``align="auto"`` means right for right-to-left paragraphs and
left for left-to-right ones.

For a platypus report use::

    doc.build(story, canvasmaker=HamlaCanvas)   # story may hold BidiParagraph

Output PDFs carry no author or user name (creator/producer "Hamla") and are
byte-for-byte reproducible for identical inputs (``invariant=1``), so they
can be cached by content hash.
"""

from __future__ import annotations

import functools
import io
import itertools
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import uharfbuzz as hb
from bidi import algorithm as _uba
from reportlab import rl_config
from reportlab.lib.colors import Color, HexColor, black, white
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus.flowables import Flowable

from .qr import QRDataError, draw_qr, qr_path

__all__ = [
    "BidiParagraph",
    "DESIGNS",
    "FONT_DIR",
    "FlyerLayoutError",
    "FlyerOverflowError",
    "FlyerSpec",
    "HamlaCanvas",
    "LAYOUTS",
    "PAGE_SIZES",
    "TextBlock",
    "draw_paragraph",
    "draw_text_block",
    "fit_text",
    "layout_text",
    "measure_text",
    "register_fonts",
    "render_batch",
    "render_flyer",
    "render_sheet",
]

FONT_DIR = Path(__file__).resolve().parent / "fonts"

PAGE_SIZES: dict[str, tuple[float, float]] = {
    "a4": (210 * mm, 297 * mm),
    "a5": (148 * mm, 210 * mm),
    "a6": (105 * mm, 148 * mm),
    "letter": (612.0, 792.0),
}
DESIGNS = ("bold", "bilingual", "notice")
LAYOUTS = ("a4-2up", "a4-4up")

CREATOR = "Hamla"


class FlyerLayoutError(ValueError):
    """The flyer cannot be produced from this input; ``str(err)`` is a
    human-readable message suitable for showing to the user."""


class FlyerOverflowError(FlyerLayoutError):
    """A text does not fit its box even at the smallest allowed size.

    ``field`` names the offending FlyerSpec field (e.g. ``"body_ar"``)."""

    def __init__(self, message: str, field: str = "", page_size: str = ""):
        super().__init__(message)
        self.field = field
        self.page_size = page_size


# ---------------------------------------------------------------------------
# Fonts
# ---------------------------------------------------------------------------

_FONT_FILES = {
    "ar": "NotoSansArabic-Regular.ttf",
    "ar-b": "NotoSansArabic-Bold.ttf",
    "la": "NotoSans-Regular.ttf",
    "la-b": "NotoSans-Bold.ttf",
}
FONT_NAMES = {
    "ar": "HamlaArabic",
    "ar-b": "HamlaArabic-Bold",
    "la": "HamlaSans",
    "la-b": "HamlaSans-Bold",
}

_PRESENTATION_FORMS = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def _is_presentation_form(cp: int) -> bool:
    return any(a <= cp <= b for a, b in _PRESENTATION_FORMS)


def _to_unicode_cmap(fontname: str, subset: list[int], overrides: dict[int, str]) -> str:
    def hexs(text: str) -> str:
        return text.encode("utf-16-be").hex().upper()

    entries = []
    for i, cp in enumerate(subset):
        text = overrides.get(cp)
        if text is None:
            text = chr(cp)
            if _is_presentation_form(cp):
                base = unicodedata.normalize("NFKC", text)
                if len(base) == 1:
                    text = base
        entries.append(f"<{i:02X}> <{hexs(text)}>")
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(entries)} beginbfchar",
            *entries,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


class _GlyphTTFont(TTFont):
    """TTFont that can draw arbitrary glyph ids and writes a ToUnicode map
    pointing contextual forms and unencoded glyphs back to real text."""

    def __init__(self, name: str, filename: str):
        super().__init__(name, filename, shapable=False)
        self.to_unicode: dict[int, str] = {}

    def addObjects(self, doc):  # noqa: N802 - reportlab API
        # Same as TTFont.addObjects but with our ToUnicode CMap.
        state = self._assignState(doc)
        state.frozen = 1
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_name = (b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX))).decode("pdfdoc")
            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.__Comment__ = f"Font {self.fontName} subset {n}"
            pdf_font.Name = internal_name
            pdf_font.BaseFont = base_name
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            pdf_font.Widths = pdfdoc.PDFArray(list(map(self.face.getCharWidth, subset)))
            cmap_stream = pdfdoc.PDFStream()
            cmap_stream.content = _to_unicode_cmap(base_name, subset, self.to_unicode)
            if doc.compression:
                cmap_stream.filters = [pdfdoc.PDFZCompress]
            pdf_font.ToUnicode = doc.Reference(cmap_stream, "toUnicodeCMap:" + base_name)
            pdf_font.FontDescriptor = self.face.addSubsetObjects(doc, base_name, subset)
            doc.Reference(pdf_font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = pdf_font
        del self.state[doc]


class _Font:
    """A vendored font: reportlab TTFont + HarfBuzz font + glyph->char map."""

    def __init__(self, key: str):
        self.key = key
        self.name = FONT_NAMES[key]
        self.ttf = _GlyphTTFont(self.name, str(FONT_DIR / _FONT_FILES[key]))
        face = self.ttf.face
        self.upem = 1000.0  # reportlab widths are per 1000 em
        self.cmap = frozenset(face.charToGlyph)
        blob = hb.Blob(face._ttf_data)
        self.hb_face = hb.Face(blob)
        self.hb_font = hb.Font(self.hb_face)
        self.hb_scale = 1000.0 / self.hb_face.upem
        self.widths = face.charWidths
        self._gid_char: dict[int, str] = {}
        self._lock = threading.Lock()
        self._next_private = 0xE000
        self.space_width = face.charWidths.get(32, 260)

    def char_for_glyph(self, gid: int, text: str) -> str:
        """A character that reportlab maps to ``gid`` (private-use if the
        glyph is not in the cmap; its ToUnicode then maps to ``text``)."""
        ch = self._gid_char.get(gid)
        if ch is not None:
            return ch
        with self._lock:
            face = self.ttf.face
            cps = face.glyphToChar.get(gid)
            if cps:
                cps = sorted(cps, key=lambda c: (_is_presentation_form(c), c))
                cp = cps[0]
            else:
                cp = self._next_private
                while cp in face.charToGlyph:
                    cp += 1
                if cp > 0xF8FF:
                    raise FlyerLayoutError("Too many distinct glyphs for one font.")
                self._next_private = cp + 1
                face.charToGlyph[cp] = gid
                face.glyphToChar.setdefault(gid, []).append(cp)
                face.charWidths[cp] = round(self.hb_font.get_glyph_h_advance(gid) * self.hb_scale)
                if text:
                    self.ttf.to_unicode[cp] = text
            ch = self._gid_char[gid] = chr(cp)
        return ch


_FONTS: dict[str, _Font] = {}
_FONTS_LOCK = threading.Lock()


def _fonts() -> dict[str, _Font]:
    if len(_FONTS) < len(_FONT_FILES):
        with _FONTS_LOCK:
            for key in _FONT_FILES:
                if key not in _FONTS:
                    font = _Font(key)
                    pdfmetrics.registerFont(font.ttf)
                    _FONTS[key] = font
    return _FONTS


def register_fonts() -> dict[str, str]:
    """Register the vendored fonts with reportlab (idempotent).

    Returns ``{"arabic", "arabic-bold", "latin", "latin-bold"} -> reportlab
    font name``. Only use these names through this module's drawing
    functions: drawing Arabic with plain ``canvas.drawString`` gets the word
    order wrong."""
    _fonts()
    return {
        "arabic": FONT_NAMES["ar"],
        "arabic-bold": FONT_NAMES["ar-b"],
        "latin": FONT_NAMES["la"],
        "latin-bold": FONT_NAMES["la-b"],
    }


# ---------------------------------------------------------------------------
# Text cleaning, bidi levels, font choice
# ---------------------------------------------------------------------------

_KEEP_FORMAT = {"\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c"}
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d"}
_MARKS = {"\u200e", "\u200f", "\u061c"}  # influence bidi only, never drawn
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_BREAK_CHARS = {" ", "\u200b"}
_DIGIT_GROUPS = re.compile(r"(?:\+|\b00)?\d+(?:[ \u00a0./\-]\d+)+|\+\d+")


@functools.lru_cache(maxsize=1)
def _coverage() -> frozenset[int]:
    fonts = _fonts()
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
        raise FlyerLayoutError("Text must be a string.")
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


def _is_arabic_char(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("AL", "R") or 0x0600 <= ord(ch) <= 0x06FF


def _levels(text: str, base_level: int) -> list[int]:
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
    for m in _DIGIT_GROUPS.finditer(text):
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


def _direction_level(text: str, direction: str) -> int:
    if direction == "rtl":
        return 1
    if direction == "ltr":
        return 0
    if direction != "auto":
        raise ValueError("direction must be 'auto', 'rtl' or 'ltr'")
    for ch in text:
        bd = unicodedata.bidirectional(ch)
        if bd in ("AL", "R"):
            return 1
        if bd == "L":
            return 0
    return 0


def _font_keys(text: str, base_level: int, bold: bool) -> list[str]:
    fonts = _fonts()
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
        if cp not in fonts[key].cmap and ch not in _ZERO_WIDTH:
            other = la + "" if key == ar else ar
            if cp in fonts[other].cmap:
                key = other
        out.append(key)
    return out


# ---------------------------------------------------------------------------
# Shaping
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def _shape(font_key: str, text: str, rtl: bool) -> tuple[tuple[int, int, int, int, int], ...]:
    """HarfBuzz glyphs (gid, cluster, x_advance, x_offset, y_offset) in
    1000-unit em, in VISUAL order (left to right)."""
    font = _fonts()[font_key]
    buf = hb.Buffer()
    buf.add_str(text)
    buf.direction = "rtl" if rtl else "ltr"
    if font_key.startswith("ar"):
        buf.script = "Arab"
        buf.language = "ar"
    else:
        buf.guess_segment_properties()
        buf.direction = "rtl" if rtl else "ltr"
    hb.shape(font.hb_font, buf, {"kern": True, "liga": True})
    s = font.hb_scale
    out = []
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
        out.append(
            (
                info.codepoint,
                info.cluster,
                round(pos.x_advance * s),
                round(pos.x_offset * s),
                round(pos.y_offset * s),
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class _Item:
    start: int
    end: int
    level: int
    font: str


@dataclass(frozen=True)
class _Para:
    """A shaped paragraph in font units (size independent)."""

    text: str
    base_level: int
    items: tuple[_Item, ...]
    prefix: tuple[int, ...]  # prefix sums of per-character advances
    cluster_start: tuple[bool, ...]
    words: tuple[tuple[int, int], ...]
    has_arabic: bool


@functools.lru_cache(maxsize=2048)
def _prepare(text: str, bold: bool, direction: str) -> _Para:
    base = _direction_level(text, direction)
    levels = _levels(text, base) if text else []
    fonts = _font_keys(text, base, bold)
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
        for _gid, cl, xa, _xo, _yo in _shape(it.font, seg, bool(it.level % 2)):
            adv[it.start + cl] += xa
            cstart[it.start + cl] = True
    for i, ch in enumerate(text):
        if ch in _MARKS:
            adv[i] = 0
    prefix = (0, *itertools.accumulate(adv))
    # A phone number or a date ("0944 123 456") is one word: a flyer must not split it.
    unbroken = _DIGIT_GROUPS.sub(lambda m: m.group().replace(" ", "\u00a0"), text)
    words = tuple((m.start(), m.end()) for m in re.finditer(r"[^ \u200b]+", unbroken))
    return _Para(
        text=text,
        base_level=base,
        items=tuple(items),
        prefix=prefix,
        cluster_start=tuple(cstart),
        words=words,
        has_arabic=any(_is_arabic_char(c) for c in text),
    )


def _break_para(p: _Para, max_units: float) -> tuple[list[tuple[int, int]], bool]:
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


# ---------------------------------------------------------------------------
# Layout results
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A visual run: glyphs in one font and direction, drawn left to right."""

    font: str
    x: float  # offset from the line's left edge, points
    width: float  # points
    glyphs: tuple  # ((char, x_advance, x_offset, y_offset), ...) font units
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


def _line_runs(p: _Para, ls: int, le: int, size: float) -> tuple[list[Run], float]:
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
    fonts = _fonts()
    scale = size / 1000.0
    runs = []
    x = 0.0
    for idx in order:
        it, s, e = segs[idx]
        font = fonts[it.font]
        seg = p.text[s:e]
        rtl = bool(it.level % 2)
        shaped = _shape(it.font, seg, rtl)
        # cluster boundaries give the source text of each glyph (for ToUnicode)
        clusters = sorted({g[1] for g in shaped})
        nxt = {c: (clusters[k + 1] if k + 1 < len(clusters) else len(seg)) for k, c in enumerate(clusters)}
        glyphs = []
        w = 0
        for gid, cl, xa, xo, yo in shaped:
            src = seg[cl : nxt[cl]]
            if gid == 0 or (src and src[0] in _MARKS):
                w += xa
                if glyphs:
                    ch, a, o, y = glyphs[-1]
                    glyphs[-1] = (ch, a + xa, o, y)
                continue
            glyphs.append((font.char_for_glyph(gid, src), xa, xo, yo))
            w += xa
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
        raise ValueError("align must be 'auto', 'left', 'right' or 'center'")
    return align


def _paragraphs(text: str, bold: bool, direction: str) -> list[_Para]:
    return [_prepare(t, bold, direction) for t in text.split("\n")]


def _layout(paras, text, width, size, leading, align, fit_width=True, balance=False) -> TextBlock:
    if size <= 0:
        raise ValueError("size must be positive")
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
        spans, b = _break_para(p, max_units)
        broke = broke or b
        if balance and len(spans) > 1 and not b:
            # narrowest measure giving the same number of lines: no orphans
            lo, hi = 0.0, max_units
            for _ in range(12):
                mid = (lo + hi) / 2
                trial, tb = _break_para(p, mid)
                if len(trial) <= len(spans) and not tb:
                    hi = mid
                else:
                    lo = mid
            spans = _break_para(p, hi)[0]
        i = 0
        while i < len(spans):
            ls, le = spans[i]
            runs, w = _line_runs(p, ls, le, size)
            in_word = (le < len(p.text) and p.text[le] not in _BREAK_CHARS) or (
                ls > 0 and p.text[ls - 1] not in _BREAK_CHARS
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
        raise ValueError("min_size must not exceed max_size")
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
            spans, b = _break_para(p, max_units)
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


# ---------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------

_ESC = [escapePDF(bytes([b])) for b in range(256)]


def _emit_run(code: list, doc, run: Run, x: float, y: float, size: float) -> None:
    font = _fonts()[run.font]
    ttf = font.ttf
    widths = font.widths
    glyphs = run.glyphs
    chars = "".join(g[0] for g in glyphs)
    code.append(f"BT 1 0 0 1 {fp_str(x)} {fp_str(y)} Tm")
    gi = 0
    rise = 0
    for subset, data in ttf.splitString(chars, doc):
        code.append(f"{ttf.getSubsetInternalName(subset, doc)} {fp_str(size)} Tf")
        arr: list[str] = []
        buf: list[str] = []
        pending = 0
        for b in data:
            ch, xa, xo, yo = glyphs[gi]
            gi += 1
            if yo != rise:
                if buf:
                    arr.append("(" + "".join(buf) + ")")
                    buf = []
                if arr:
                    code.append("[" + " ".join(arr) + "] TJ")
                    arr = []
                code.append(f"{fp_str(yo * size / 1000.0)} Ts")
                rise = yo
            pending -= xo
            if pending:
                if buf:
                    arr.append("(" + "".join(buf) + ")")
                    buf = []
                arr.append(fp_str(pending))
            buf.append(_ESC[b])
            pending = widths.get(ord(ch), 0) - xa + xo
        if buf:
            arr.append("(" + "".join(buf) + ")")
        if arr:
            code.append("[" + " ".join(arr) + "] TJ")
    if rise:
        code.append("0 Ts")
    code.append("ET")


def _color_op(color) -> str:
    if color is None:
        return ""
    if isinstance(color, str):
        color = HexColor(color)
    if isinstance(color, Color):
        r, g, b = color.red, color.green, color.blue
        if r == g == b:
            return f"{fp_str(r)} g"
        return f"{fp_str(r)} {fp_str(g)} {fp_str(b)} rg"
    raise TypeError("color must be a reportlab Color or a '#rrggbb' string")


def draw_text_block(
    canvas, block: TextBlock, x: float, y_top: float, width: float | None = None, *, color=None
) -> float:
    """Draw a laid-out block with its top-left corner at ``(x, y_top)``
    within ``width`` (default: the width it was laid out for). Returns the
    height used. Draws in the canvas' current fill colour unless ``color``
    is given."""
    if width is None:
        width = block.width
    code: list[str] = []
    op = _color_op(color)
    if op:
        code.append("q " + op)
    doc = canvas._doc
    y = y_top - block.ascent
    for line in block.lines:
        if line.runs:
            if line.align == "right":
                x0 = x + width - line.width
            elif line.align == "center":
                x0 = x + (width - line.width) / 2
            else:
                x0 = x
            for run in sorted(line.runs, key=lambda r: r.logical_start):
                _emit_run(code, doc, run, x0 + run.x, y, block.size)
        y -= block.line_height
    if op:
        code.append("Q")
    canvas._code.append(" ".join(code))
    return block.height


def draw_paragraph(
    canvas,
    text: str,
    x: float,
    y_top: float,
    width: float,
    size: float,
    *,
    bold: bool = False,
    align: str = "auto",
    direction: str = "auto",
    leading: float | None = None,
    color=None,
) -> float:
    """Wrap and draw ``text`` in a box ``width`` wide whose top edge is at
    ``y_top``; returns the height used (points)."""
    block = layout_text(text, width, size, bold=bold, leading=leading, align=align, direction=direction)
    return draw_text_block(canvas, block, x, y_top, width, color=color)


class BidiParagraph(Flowable):
    """platypus Flowable drawing a bidi paragraph with this engine.

    ``BidiParagraph("نص عربي and English", size=11, bold=False,
    align="auto", color=None, space_after=0)``; supports ``split`` so long
    paragraphs flow across frames/pages."""

    def __init__(
        self,
        text: str,
        size: float = 10,
        *,
        bold: bool = False,
        align: str = "auto",
        direction: str = "auto",
        leading: float | None = None,
        color=None,
        space_before: float = 0,
        space_after: float = 0,
        _block: TextBlock | None = None,
    ):
        super().__init__()
        self.text = text
        self.size = size
        self.bold = bold
        self.align = align
        self.direction = direction
        self.leading = leading
        self.color = color
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self._block = _block
        self._width = None

    def _layout_for(self, width: float) -> TextBlock:
        if self._block is None or self._width != width:
            if self._block is not None and self._width is None:
                return self._block
            self._block = layout_text(
                self.text,
                width,
                self.size,
                bold=self.bold,
                leading=self.leading,
                align=self.align,
                direction=self.direction,
            )
            self._width = width
        return self._block

    def wrap(self, availWidth, availHeight):  # noqa: N803 - platypus API
        block = self._layout_for(availWidth)
        self.width = availWidth
        self.height = block.height
        return availWidth, block.height

    def split(self, availWidth, availHeight):  # noqa: N803 - platypus API
        block = self._layout_for(availWidth)
        n = int(availHeight // block.line_height)
        if n <= 0 or n >= len(block.lines):
            return [] if n <= 0 else [self]
        parts = []
        for lines in (block.lines[:n], block.lines[n:]):
            sub = TextBlock(list(lines), block.size, block.line_height, block.ascent, block.width)
            para = BidiParagraph(
                self.text,
                self.size,
                bold=self.bold,
                align=self.align,
                leading=self.leading,
                color=self.color,
                _block=sub,
            )
            para._width = availWidth
            parts.append(para)
        parts[0].spaceBefore = self.spaceBefore
        parts[1].spaceAfter = self.spaceAfter
        return parts

    def draw(self):
        draw_text_block(self.canv, self._block, 0, self._block.height, self.width, color=self.color)


# ---------------------------------------------------------------------------
# Canvas
# ---------------------------------------------------------------------------


class HamlaCanvas(Canvas):
    """reportlab Canvas with neutral metadata (no author/user names),
    reproducible output and no stray Helvetica font resource."""

    def __init__(self, filename, pagesize=None, *, title: str = "", **kw):
        register_fonts()
        # platypus passes these explicitly, often as None
        for key, value in (("invariant", 1), ("pageCompression", 1), ("initialFontName", FONT_NAMES["la"])):
            if kw.get(key) is None:
                kw[key] = value
        kw.setdefault("initialFontSize", 10)
        super().__init__(filename, pagesize=pagesize or PAGE_SIZES["a4"], **kw)
        self.setAuthor("")
        self.setCreator(CREATOR)
        self.setProducer(CREATOR)
        self.setSubject("")
        self.setKeywords("")
        self.setTitle(title or "")

    def save(self):
        # Binary (Flate only) streams: reportlab's pure-Python ASCII85
        # encoder is the slowest step of big batches and only makes the
        # file larger.
        old = rl_config.useA85
        rl_config.useA85 = 0
        try:
            super().save()
        finally:
            rl_config.useA85 = old


# ---------------------------------------------------------------------------
# Flyers
# ---------------------------------------------------------------------------


@dataclass
class FlyerSpec:
    """Everything a flyer shows. Either language may be empty."""

    headline_ar: str = ""
    body_ar: str = ""
    cta_ar: str = ""
    headline_en: str = ""
    body_en: str = ""
    cta_en: str = ""
    design: str = "bold"  # "bold" | "bilingual" | "notice"
    grayscale: bool = False
    logo: bytes | None = None  # already validated PNG/JPEG bytes
    qr_url: str = ""
    footer: str = ""  # organisation name / footer line
    accent: str = "#C62828"  # colour mode only


_TEXT_FIELDS = ("headline_ar", "body_ar", "cta_ar", "headline_en", "body_en", "cta_en", "footer")

_FIELD_LABELS = {
    "headline_ar": "Arabic headline",
    "body_ar": "Arabic text",
    "cta_ar": "Arabic call to action",
    "headline_en": "English headline",
    "body_en": "English text",
    "cta_en": "English call to action",
    "footer": "footer",
    "link": "printed link",
}


@dataclass
class _Palette:
    ink: Color
    accent: Color
    on_accent: Color
    muted: Color
    fills: bool  # large solid fills allowed


def _palette(spec: FlyerSpec) -> _Palette:
    if spec.grayscale:
        return _Palette(black, black, white, black, False)
    try:
        accent = HexColor(spec.accent or "#C62828")
    except (ValueError, TypeError):
        raise FlyerLayoutError("The accent colour must look like #RRGGBB.") from None
    return _Palette(HexColor("#161616"), accent, white, HexColor("#4A4A4A"), True)


@dataclass
class _Texts:
    headline_ar: str
    body_ar: str
    cta_ar: str
    headline_en: str
    body_en: str
    cta_en: str
    footer: str

    @property
    def has_ar(self) -> bool:
        return bool(self.headline_ar or self.body_ar or self.cta_ar)

    @property
    def has_en(self) -> bool:
        return bool(self.headline_en or self.body_en or self.cta_en)


def _validate(spec: FlyerSpec) -> _Texts:
    if not isinstance(spec, FlyerSpec):
        raise FlyerLayoutError("Expected a FlyerSpec.")
    values = {}
    for name in _TEXT_FIELDS:
        value = getattr(spec, name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise FlyerLayoutError(f"The {_FIELD_LABELS[name]} must be text.")
        if len(value) > 5000:
            raise FlyerOverflowError(f"The {_FIELD_LABELS[name]} is far too long for a flyer: please shorten it.", name)
        values[name] = clean_text(value)
    texts = _Texts(**values)
    if not (texts.has_ar or texts.has_en):
        raise FlyerLayoutError("The flyer has no text: write a headline, text or call to action in Arabic or English.")
    if spec.design not in DESIGNS:
        raise FlyerLayoutError(f"Unknown design {spec.design!r}; choose one of {', '.join(DESIGNS)}.")
    if spec.qr_url:
        try:
            qr_path(spec.qr_url)
        except QRDataError as exc:
            raise FlyerLayoutError(str(exc)) from None
    if spec.logo is not None and not isinstance(spec.logo, bytes | bytearray):
        raise FlyerLayoutError("The logo must be PNG or JPEG bytes.")
    return texts


def _page_size(name: str) -> tuple[float, float]:
    try:
        return PAGE_SIZES[name]
    except (KeyError, TypeError):
        raise FlyerLayoutError(f"Unknown page size {name!r}; choose one of {', '.join(PAGE_SIZES)}.") from None


@functools.lru_cache(maxsize=32)
def _logo_image(data: bytes, grayscale: bool):
    from PIL import Image, ImageOps, UnidentifiedImageError
    from reportlab.lib.utils import ImageReader

    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, ValueError):
        raise FlyerLayoutError("The logo could not be read; upload a PNG or JPEG image.") from None
    if img.mode in ("P", "LA", "RGBA"):
        img = img.convert("RGBA")
        bg = Image.new("RGBA", img.size, (255, 255, 255, 255))
        bg.alpha_composite(img)
        img = bg.convert("RGB")
    if grayscale:
        img = ImageOps.grayscale(img)
    elif img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    img.thumbnail((1200, 1200))
    return ImageReader(img), img.size


@dataclass
class _El:
    """One text element of a flyer stack."""

    field: str
    text: str
    max_size: float
    min_size: float
    bold: bool
    align: str
    color: object
    gap_after: float = 0.0
    shrink: float = 1.0  # exponent: how quickly it shrinks with the scale
    block: TextBlock | None = None

    @property
    def direction(self):
        """The organiser typed *_ar fields right to left and *_en ones left to right: lay
        them out so, whatever letter they begin with ("Hamla 2024: حملة …")."""
        return {"ar": "rtl", "en": "ltr"}.get(self.field.rsplit("_", 1)[-1], "auto")

    def lay_out(self, width, size):
        self.block = layout_text(
            self.text,
            width,
            size,
            bold=self.bold,
            align=self.align,
            balance=self.align == "center",
            direction=self.direction,
        )
        return self.block


def _fit_stack(els: list[_El], width: float, height: float, page: str) -> float:
    """Shrink all elements together until the stack fits ``height``.
    Headlines shrink faster than body text. Returns the stack height."""
    els = [e for e in els if e.text]
    if not els:
        return 0.0
    k = 1.0
    best = None
    while True:
        total = 0.0
        broke = False
        for e in els:
            size = max(e.min_size, e.max_size * k**e.shrink)
            broke = e.lay_out(width, size).broke_words or broke
            total += e.block.height + e.gap_after
        total -= els[-1].gap_after
        at_min = all(e.max_size * k**e.shrink <= e.min_size for e in els)
        if total <= height and not broke:
            return total
        if total <= height and best is None:
            best = k
        if at_min:
            break
        k *= 0.95
    if best is not None:  # fits only with words broken: take the largest such size
        total = 0.0
        for e in els:
            size = max(e.min_size, e.max_size * best**e.shrink)
            total += e.lay_out(width, size).height + e.gap_after
        return total - els[-1].gap_after
    worst = max(els, key=lambda e: e.block.height if "headline" not in e.field else 0)
    raise FlyerOverflowError(
        f"The text does not fit on the {page.upper()} flyer: please shorten the {_FIELD_LABELS[worst.field]}.",
        worst.field,
        page,
    )


def _fit_with_link(els: list[_El], width: float, height: float, page: str) -> tuple[float, list[_El]]:
    """_fit_stack, but the printed link under the QR code (a convenience: the code holds
    the address) is left out rather than failing the flyer when it does not fit, as
    with a long campaign slug and a print run code on an A6. Returns (height, elements)."""
    try:
        return _fit_stack(els, width, height, page), els
    except FlyerOverflowError:
        rest = [e for e in els if e.field != "link"]
        if len(rest) == len(els):
            raise
        return _fit_stack(rest, width, height, page), rest


def _draw_stack(canvas, els: list[_El], x: float, y_top: float, width: float) -> float:
    y = y_top
    shown = [e for e in els if e.text and e.block]
    for i, e in enumerate(shown):
        y -= draw_text_block(canvas, e.block, x, y, width, color=e.color)
        if i < len(shown) - 1:
            y -= e.gap_after
    return y_top - y


def _rounded_rect(canvas, x, y, w, h, r, *, stroke=None, fill=None, line_width=1.0):
    canvas.saveState()
    if stroke is not None:
        canvas.setStrokeColor(stroke)
        canvas.setLineWidth(line_width)
    if fill is not None:
        canvas.setFillColor(fill)
    canvas.roundRect(x, y, w, h, r, stroke=int(stroke is not None), fill=int(fill is not None))
    canvas.restoreState()


def _short_url(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url).rstrip("/")


@dataclass
class _Geometry:
    w: float
    h: float
    s: float  # scale relative to A5
    m: float  # safe margin


def _geometry(size: tuple[float, float]) -> _Geometry:
    w, h = size
    s = min(w / PAGE_SIZES["a5"][0], h / PAGE_SIZES["a5"][1])
    return _Geometry(w, h, s, max(9 * mm, 0.075 * min(w, h)))


def _draw_logo(canvas, spec, x, y, w, h, align="center") -> None:
    if not spec.logo:
        return
    reader, (iw, ih) = _logo_image(bytes(spec.logo), spec.grayscale)
    scale = min(w / iw, h / ih)
    dw, dh = iw * scale, ih * scale
    if align == "center":
        dx = x + (w - dw) / 2
    elif align == "right":
        dx = x + w - dw
    else:
        dx = x
    canvas.drawImage(reader, dx, y + (h - dh) / 2, dw, dh, mask=None)


def _design_bold(canvas, spec: FlyerSpec, t: _Texts, pal: _Palette, g: _Geometry, page: str):
    s, m = g.s, g.m
    x0, w = m, g.w - 2 * m
    top = g.h - m
    qr_size = (min(112 * s, 0.3 * g.w) if spec.qr_url else 0) * (1.0 if spec.qr_url else 0)
    pad = 12 * s
    # bottom band: QR on the left, footer + link on the right
    bottom_h = max(qr_size, 36 * s if (t.footer or spec.qr_url) else 0)
    # heading panel
    logo_h = 34 * s if spec.logo else 0
    heads = [
        _El(
            "headline_ar",
            t.headline_ar,
            46 * s,
            13 * s,
            True,
            "center",
            pal.on_accent if pal.fills else pal.ink,
            4 * s,
            1.6,
        ),
        _El(
            "headline_en",
            t.headline_en,
            30 * s,
            10 * s,
            True,
            "center",
            pal.on_accent if pal.fills else pal.ink,
            0,
            1.6,
        ),
    ]
    body = [
        _El("body_ar", t.body_ar, 15 * s, max(6.5, 8 * s), False, "right", pal.ink, 8 * s),
        _El("body_en", t.body_en, 13.5 * s, max(6.5, 7.5 * s), False, "left", pal.ink, 0),
    ]
    ctas = [
        _El(
            "cta_ar", t.cta_ar, 19 * s, max(7, 9 * s), True, "center", pal.accent if pal.fills else pal.ink, 2 * s, 1.2
        ),
        _El("cta_en", t.cta_en, 15 * s, max(7, 8 * s), True, "center", pal.accent if pal.fills else pal.ink, 0, 1.2),
    ]
    avail = top - (m + bottom_h) - 14 * s
    head_h_max = 0.42 * avail
    inner_w = w - 2 * pad
    hh = (
        _fit_stack(heads, inner_w, head_h_max - 2 * pad - (logo_h + 6 * s if logo_h else 0), page)
        if any(e.text for e in heads)
        else 0
    )
    panel_h = (hh + 2 * pad + (logo_h + 6 * s if logo_h else 0)) if (hh or logo_h) else 0
    cta_h = _fit_stack(ctas, inner_w, 0.2 * avail, page) if any(e.text for e in ctas) else 0
    cta_box = cta_h + 2 * 9 * s if cta_h else 0
    body_space = avail - panel_h - cta_box - (14 * s if panel_h else 0) - (14 * s if cta_box else 0)
    bh = _fit_stack(body, w - 4 * s, body_space, page) if any(e.text for e in body) else 0

    # vertical rhythm: distribute leftover space
    blocks = [h for h in (panel_h, bh, cta_box) if h]
    leftover = max(0.0, avail - sum(blocks))
    gap = min(leftover / (len(blocks) + 1), 40 * s) if blocks else 0
    y = top
    if panel_h:
        if pal.fills:
            _rounded_rect(canvas, x0, y - panel_h, w, panel_h, 6 * s, fill=pal.accent)
        else:
            _rounded_rect(canvas, x0, y - panel_h, w, panel_h, 6 * s, stroke=black, line_width=2.5 * s)
        yy = y - pad
        if logo_h:
            if pal.fills:
                _rounded_rect(
                    canvas, g.w / 2 - logo_h * 1.6, yy - logo_h - 2 * s, logo_h * 3.2, logo_h + 4 * s, 4 * s, fill=white
                )
            _draw_logo(canvas, spec, x0 + pad, yy - logo_h, inner_w, logo_h)
            yy -= logo_h + 6 * s
        _draw_stack(
            canvas, heads, x0 + pad, yy - (panel_h - 2 * pad - (logo_h + 6 * s if logo_h else 0) - hh) / 2, inner_w
        )
        y -= panel_h + gap
    else:
        y -= gap
    if bh:
        _draw_stack(canvas, body, x0 + 2 * s, y, w - 4 * s)
        y -= bh + gap
    if cta_box:
        if pal.fills:
            _rounded_rect(
                canvas,
                x0,
                y - cta_box,
                w,
                cta_box,
                cta_box / 2 if cta_box < 60 * s else 8 * s,
                stroke=pal.accent,
                line_width=2 * s,
            )
        else:
            _rounded_rect(canvas, x0, y - cta_box, w, cta_box, 8 * s, stroke=black, line_width=2 * s)
        _draw_stack(canvas, ctas, x0 + pad, y - 9 * s, inner_w)
    return _bottom_band(canvas, spec, t, pal, g, qr_size)


def _bottom_band(canvas, spec, t, pal, g, qr_size, qr_left=True):
    """QR at the bottom-left, footer (org name) and printed link on the right.
    Returns the QR rectangle (x, y, size) or None."""
    s, m = g.s, g.m
    x0, w = m, g.w - 2 * m
    y0 = m
    qr_rect = None
    # thin rule above the band
    canvas.saveState()
    canvas.setStrokeColor(pal.accent if pal.fills else black)
    canvas.setLineWidth(1.2 * s)
    band_h = max(qr_size, 30 * s)
    canvas.line(x0, y0 + band_h + 7 * s, x0 + w, y0 + band_h + 7 * s)
    canvas.restoreState()
    text_x = x0
    text_w = w
    if qr_size:
        qr_rect = (x0, y0, qr_size)
        text_x = x0 + qr_size + 8 * s
        text_w = w - qr_size - 8 * s
    lines = []
    if t.footer:
        lines.append(_El("footer", t.footer, 13 * s, max(6, 7 * s), True, "auto", pal.ink, 3 * s, 1.0))
    if spec.qr_url:
        lines.append(_El("link", _short_url(spec.qr_url), 10 * s, max(5.5, 6 * s), False, "auto", pal.muted, 0, 1.0))
    if lines:
        hh, lines = _fit_with_link(lines, text_w, band_h, "flyer")
        yb = y0 + (band_h + hh) / 2
        for e in lines:
            if e.block is None:
                continue
            # footer sits at the right edge (RTL-first), link too
            for ln in e.block.lines:
                object.__setattr__(ln, "align", "right")
        _draw_stack(canvas, lines, text_x, yb, text_w)
    return qr_rect


def _design_bilingual(canvas, spec: FlyerSpec, t: _Texts, pal: _Palette, g: _Geometry, page: str):
    s, m = g.s, g.m
    x0, w = m, g.w - 2 * m
    top = g.h - m
    qr_size = min(112 * s, 0.3 * g.w) if spec.qr_url else 0
    band_h = max(qr_size, 30 * s)
    colour = pal.accent if pal.fills else black
    # header: logo at the right, accent rule
    y = top
    logo_h = 30 * s if spec.logo else 0
    if logo_h:
        _draw_logo(canvas, spec, x0, y - logo_h, w, logo_h, align="center")
        y -= logo_h + 8 * s
    canvas.saveState()
    canvas.setFillColor(colour)
    canvas.rect(x0, y - 5 * s, w, 5 * s, stroke=0, fill=1)
    canvas.restoreState()
    y -= 5 * s + 14 * s
    avail = y - (m + band_h + 7 * s) - 12 * s
    both = t.has_ar and t.has_en
    gutter = 18 * s if both else 0
    col_w = (w - gutter) / 2 if both else w

    def column(lang: str):
        hl, body, cta = (t.headline_ar, t.body_ar, t.cta_ar) if lang == "ar" else (t.headline_en, t.body_en, t.cta_en)
        align = "right" if lang == "ar" else "left"
        big = 1.0 if lang == "ar" else 0.85
        return [
            _El(
                f"headline_{lang}",
                hl,
                (34 if both else 44) * s * big,
                11 * s,
                True,
                align,
                colour if pal.fills else pal.ink,
                12 * s,
                1.6,
            ),
            _El(
                f"body_{lang}",
                body,
                (14 if both else 15.5) * s * (1 if lang == "ar" else 0.93),
                max(6.5, 7.5 * s),
                False,
                align,
                pal.ink,
                12 * s,
            ),
            _El(f"cta_{lang}", cta, (17 if both else 20) * s * big, max(7, 8.5 * s), True, align, pal.ink, 0, 1.2),
        ]

    cols = []
    if t.has_ar:
        cols.append(("ar", column("ar")))
    if t.has_en:
        cols.append(("en", column("en")))
    heights = {lang: _fit_stack(els, col_w, avail, page) for lang, els in cols}
    # equalise: both columns start at the same top
    for lang, els in cols:
        if both:
            cx = x0 + col_w + gutter if lang == "ar" else x0
        else:
            cx = x0
        # CTA gets an accent marker bar on its reading side
        _draw_stack(canvas, els, cx, y, col_w)
    if both:
        canvas.saveState()
        canvas.setStrokeColor(colour)
        canvas.setLineWidth(1 * s)
        hmax = max(heights.values())
        canvas.line(x0 + col_w + gutter / 2, y, x0 + col_w + gutter / 2, y - hmax)
        canvas.restoreState()
    return _bottom_band(canvas, spec, t, pal, g, qr_size)


def _design_notice(canvas, spec: FlyerSpec, t: _Texts, pal: _Palette, g: _Geometry, page: str):
    s, m = g.s, g.m
    colour = pal.accent if pal.fills else black
    # double frame
    canvas.saveState()
    canvas.setStrokeColor(colour)
    canvas.setLineWidth(2.4 * s)
    canvas.rect(m, m, g.w - 2 * m, g.h - 2 * m, stroke=1, fill=0)
    canvas.setLineWidth(0.8 * s)
    inset = 4.5 * s
    canvas.rect(m + inset, m + inset, g.w - 2 * (m + inset), g.h - 2 * (m + inset), stroke=1, fill=0)
    canvas.restoreState()
    pad = 16 * s
    x0 = m + inset + pad
    w = g.w - 2 * x0
    top = g.h - m - inset - pad
    y = top
    logo_h = 30 * s if spec.logo else 0
    if logo_h:
        _draw_logo(canvas, spec, x0, y - logo_h, w, logo_h)
        y -= logo_h + 8 * s
    if t.footer:
        label = [_El("footer", t.footer, 12 * s, max(6, 7 * s), True, "center", pal.muted, 0, 1.0)]
        y -= _fit_stack(label, w, 40 * s, page)
        _draw_stack(canvas, label, x0, y + label[0].block.height, w)
        y -= 6 * s
    canvas.saveState()
    canvas.setStrokeColor(colour)
    canvas.setLineWidth(0.8 * s)
    canvas.line(x0 + w * 0.3, y, x0 + w * 0.7, y)
    canvas.restoreState()
    y -= 12 * s
    qr_size = min(96 * s, 0.26 * g.w) if spec.qr_url else 0
    bottom = m + inset + pad + (qr_size + 14 * s if qr_size else 0)
    els = [
        _El("headline_ar", t.headline_ar, 40 * s, 12 * s, True, "center", pal.ink, 4 * s, 1.6),
        _El("headline_en", t.headline_en, 26 * s, 10 * s, True, "center", pal.ink, 14 * s, 1.6),
        _El("body_ar", t.body_ar, 14.5 * s, max(6.5, 7.5 * s), False, "right", pal.ink, 8 * s),
        _El("body_en", t.body_en, 13 * s, max(6.5, 7.5 * s), False, "left", pal.ink, 14 * s),
        _El("cta_ar", t.cta_ar, 17 * s, max(7, 8.5 * s), True, "center", colour if pal.fills else pal.ink, 2 * s, 1.2),
        _El("cta_en", t.cta_en, 14 * s, max(7, 8 * s), True, "center", colour if pal.fills else pal.ink, 0, 1.2),
    ]
    shown = [e for e in els if e.text]
    if shown:
        shown[-1].gap_after = 0
    avail = y - bottom
    hh = _fit_stack(els, w, avail, page)
    _draw_stack(canvas, els, x0, y - max(0.0, (avail - hh) * 0.35), w)
    qr_rect = None
    if qr_size:
        qr_rect = ((g.w - qr_size) / 2, m + inset + pad * 0.5 + 11 * s, qr_size)
        link = [_El("link", _short_url(spec.qr_url), 9 * s, max(5.5, 6 * s), False, "center", pal.muted, 0, 1.0)]
        return qr_rect, link
    return qr_rect


_DESIGN_FUNCS = {"bold": _design_bold, "bilingual": _design_bilingual, "notice": _design_notice}


def _draw_static(canvas, spec: FlyerSpec, texts: _Texts, size: tuple[float, float], page: str):
    """Draw everything except the QR symbol; return the QR rect or None."""
    pal = _palette(spec)
    g = _geometry(size)
    result = _DESIGN_FUNCS[spec.design](canvas, spec, texts, pal, g, page)
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], list):
        rect, link = result
        # notice: printed link under the QR, centred
        qx, qy, qs = rect
        _hh, link = _fit_with_link(link, g.w - 2 * g.m, 20 * g.s, page)
        _draw_stack(canvas, link, g.m, qy - 1 * g.s, g.w - 2 * g.m)
        return rect
    return result


def _new_canvas(buf, pagesize, spec: FlyerSpec, texts: _Texts) -> HamlaCanvas:
    title = texts.headline_ar or texts.headline_en or "Flyer"
    return HamlaCanvas(buf, pagesize=pagesize, title=title[:200])


def _static_form(canvas, spec, texts, size, page, name="flyer") -> tuple | None:
    canvas.beginForm(name, 0, 0, size[0], size[1])
    rect = _draw_static(canvas, spec, texts, size, page)
    canvas.endForm()
    return rect


def render_flyer(spec: FlyerSpec, page_size: str = "a5") -> bytes:
    """One flyer on one page of ``page_size`` ("a4", "a5", "a6", "letter").

    Raises :class:`FlyerLayoutError` (or its subclass
    :class:`FlyerOverflowError`) with a message for the user."""
    texts = _validate(spec)
    size = _page_size(page_size)
    buf = io.BytesIO()
    c = _new_canvas(buf, size, spec, texts)
    rect = _draw_static(c, spec, texts, size, page_size)
    if rect and spec.qr_url:
        draw_qr(c, spec.qr_url, *rect)
    c.showPage()
    c.save()
    return buf.getvalue()


_SHEETS = {
    # layout: (sheet size, cols, rows, cell page name)
    "a4-2up": ((297 * mm, 210 * mm), 2, 1, "a5"),
    "a4-4up": ((210 * mm, 297 * mm), 2, 2, "a6"),
}


def _crop_marks(canvas, sheet, cols, rows) -> None:
    """Cut marks on the interior cut lines, from each sheet edge inwards,
    plus a small cross where cut lines meet (inside the cells' margins)."""
    W, H = sheet
    L = 9 * mm
    canvas.saveState()
    canvas.setStrokeColor(black)
    canvas.setLineWidth(0.5)
    for i in range(1, cols):
        x = W * i / cols
        canvas.line(x, 0, x, L)
        canvas.line(x, H - L, x, H)
    for j in range(1, rows):
        y = H * j / rows
        canvas.line(0, y, L, y)
        canvas.line(W - L, y, W, y)
    for i in range(1, cols):
        for j in range(1, rows):
            x, y = W * i / cols, H * j / rows
            canvas.line(x - 3 * mm, y, x + 3 * mm, y)
            canvas.line(x, y - 3 * mm, x, y + 3 * mm)
    canvas.restoreState()


def render_sheet(
    spec: FlyerSpec,
    layout: str = "a4-2up",
    crop_marks: bool = True,
    personalised_qr_urls: list[str] | None = None,
) -> bytes:
    """Impose copies of a flyer on A4: ``"a4-2up"`` = two A5 on landscape
    A4, ``"a4-4up"`` = four A6 on portrait A4.

    Identical copies are one form XObject drawn N times. With
    ``personalised_qr_urls`` each slot gets its own QR (the static part is
    still one shared form); more URLs than slots make more sheets."""
    texts = _validate(spec)
    try:
        sheet, cols, rows, cell_page = _SHEETS[layout]
    except (KeyError, TypeError):
        raise FlyerLayoutError(f"Unknown sheet layout {layout!r}; choose one of {', '.join(LAYOUTS)}.") from None
    cell = (sheet[0] / cols, sheet[1] / rows)
    slots = cols * rows
    urls = _check_urls(personalised_qr_urls) if personalised_qr_urls is not None else None
    buf = io.BytesIO()
    c = _new_canvas(buf, sheet, spec, texts)
    positions = [(i * cell[0], sheet[1] - (j + 1) * cell[1]) for j in range(rows) for i in range(cols)]
    if urls is None:
        # whole flyer, QR included, as one form
        c.beginForm("flyer", 0, 0, cell[0], cell[1])
        rect = _draw_static(c, spec, texts, cell, cell_page)
        if rect and spec.qr_url:
            draw_qr(c, spec.qr_url, *rect)
        c.endForm()
        for x, y in positions:
            c.saveState()
            c.translate(x, y)
            c.doForm("flyer")
            c.restoreState()
        if crop_marks:
            _crop_marks(c, sheet, cols, rows)
        c.showPage()
    else:
        rect = _static_form(c, spec, texts, cell, cell_page)
        if not rect:
            raise FlyerLayoutError("This flyer has no QR code area.")
        for start in range(0, len(urls), slots):
            for (x, y), url in zip(positions, urls[start : start + slots], strict=False):
                c.saveState()
                c.translate(x, y)
                c.doForm("flyer")
                draw_qr(c, url, *rect, fast=True)
                c.restoreState()
            if crop_marks:
                _crop_marks(c, sheet, cols, rows)
            c.showPage()
    c.save()
    return buf.getvalue()


def _check_urls(urls) -> list[str]:
    if isinstance(urls, str) or not hasattr(urls, "__iter__"):
        raise FlyerLayoutError("Personalised QR links must be a list of links.")
    urls = list(urls)
    if not urls:
        raise FlyerLayoutError("No personalised QR links were given.")
    for u in urls:
        try:
            qr_path(u, fast=True)
        except QRDataError as exc:
            raise FlyerLayoutError(str(exc)) from None
    return urls


def render_batch(spec: FlyerSpec, qr_urls: list[str], page_size: str = "a5") -> bytes:
    """One page per personalised flyer: the static part is a single form
    XObject shared by all pages, only the QR code is drawn per page."""
    texts = _validate(spec)
    size = _page_size(page_size)
    urls = _check_urls(qr_urls)
    if not spec.qr_url:
        spec = FlyerSpec(**{**spec.__dict__, "qr_url": urls[0]})
    buf = io.BytesIO()
    c = _new_canvas(buf, size, spec, texts)
    rect = _static_form(c, spec, texts, size, page_size)
    for url in urls:
        c.doForm("flyer")
        draw_qr(c, url, *rect, fast=True)
        c.showPage()
    c.save()
    return buf.getvalue()
