"""The vendored fonts: files, reportlab registration, HarfBuzz faces and ToUnicode maps.

Every PDF this engine writes embeds subsets of these four Noto fonts and nothing
else (no base-14 Helvetica). Each embedded font carries a ToUnicode map that
sends contextual Arabic forms and unencoded glyphs back to the text they came
from, so the words can be copied or extracted out of the PDF.

Fonts load once per process, on first use, under a lock; after that the objects
are shared read-mostly (``char_for_glyph`` takes its own lock when it extends a
font's private-use mapping).
"""

from __future__ import annotations

import threading
import unicodedata
from pathlib import Path

import uharfbuzz as hb
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

from .errors import TypesetError

FONT_DIR = Path(__file__).resolve().parent / "fonts"

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

_PRESENTATION_FORMS = ((0xFB00, 0xFDFF), (0xFE70, 0xFEFF))


def _is_presentation_form(cp: int) -> bool:
    return any(a <= cp <= b for a, b in _PRESENTATION_FORMS)


def natural_text(cp: int) -> str:
    """What a font character means as text: a contextual form is its base
    letter, a ligature (lam-alef, fi) its letters in logical order, an
    isolated mark ligature its marks (without NFKC's leading space)."""
    text = chr(cp)
    if _is_presentation_form(cp):
        text = unicodedata.normalize("NFKC", text).replace(" ", "") or text
    return text


def _to_unicode_cmap(fontname: str, subset: list[int], overrides: dict[int, str]) -> str:
    def hexs(text: str) -> str:
        return text.encode("utf-16-be").hex().upper()

    entries = []
    for i, cp in enumerate(subset):
        text = overrides.get(cp)
        if text is None:
            text = natural_text(cp)
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
        self._codes: dict[tuple, str] = {}
        self._aliases: set[int] = set()
        self._lock = threading.Lock()
        self._next_private = 0xE000
        self.space_width = face.charWidths.get(32, 260)
        self.space_gid = face.charToGlyph[32]

    def advance(self, gid: int) -> int:
        """The glyph's own advance, 1000-unit em."""
        return round(self.hb_font.get_glyph_h_advance(gid) * self.hb_scale)

    def natural_text(self, gid: int) -> str | None:
        """The text of the glyph's own cmap entry (a presentation form or a
        ligature as its base letters), or None if no character maps to it."""
        cps = [cp for cp in self.ttf.face.glyphToChar.get(gid, ()) if cp not in self._aliases]
        if not cps:
            return None
        return natural_text(min(cps, key=lambda c: (_is_presentation_form(c), c)))

    def code_for(self, gid: int, text: str, width: int | None = None) -> str:
        """A character that reportlab maps to ``gid`` and whose ToUnicode
        entry is ``text``: the glyph's own character when it means ``text``,
        else a private-use alias (also for ``width``, the advance extractors
        see; drawing positions every glyph itself and never uses it)."""
        key = (gid, text, width)
        ch = self._codes.get(key)
        if ch is not None:
            return ch
        with self._lock:
            face = self.ttf.face
            cps = sorted(
                (c for c in face.glyphToChar.get(gid, ()) if c not in self._aliases),
                key=lambda c: (_is_presentation_form(c), c),
            )
            own = [c for c in cps if natural_text(c) == text]
            if own and width is None:
                cp = own[0]
            else:
                cp = self._next_private
                while cp in face.charToGlyph:
                    cp += 1
                if cp > 0xF8FF:
                    raise TypesetError("too_many_glyphs", font=self.name)
                self._next_private = cp + 1
                self._aliases.add(cp)
                face.charToGlyph[cp] = gid
                face.glyphToChar.setdefault(gid, []).append(cp)
                face.charWidths[cp] = self.advance(gid) if width is None else width
                self.ttf.to_unicode[cp] = text
            ch = self._codes[key] = chr(cp)
        return ch


_FONTS: dict[str, _Font] = {}
_FONTS_LOCK = threading.Lock()


def loaded_fonts() -> dict[str, _Font]:
    """The four fonts by key ("ar", "ar-b", "la", "la-b"), loaded and registered once."""
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
    font name``. Only use these names through the engine's drawing
    functions (``draw_paragraph``, ``BidiParagraph``): drawing Arabic with plain
    ``canvas.drawString`` gets the word order wrong."""
    loaded_fonts()
    return {
        "arabic": FONT_NAMES["ar"],
        "arabic-bold": FONT_NAMES["ar-b"],
        "latin": FONT_NAMES["la"],
        "latin-bold": FONT_NAMES["la-b"],
    }
