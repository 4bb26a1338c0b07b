"""Hamla's text engine for PDFs: shaped right-to-left Arabic, bidi, fitting, QR codes.

Pure Python on reportlab, python-bidi, uharfbuzz and segno; no Django and no
Hamla app. Every function is a pure function of its arguments, so it can run in
a web request, a Celery task or a test. Flyers (``flyers.designs``,
``flyers.imposition``) and the history report (``campaigns.report``) use it
through the names below only; the modules behind them are private.

reportlab shapes Arabic glyphs through HarfBuzz, but its Paragraph /
mixed-direction code lays Arabic words out in the wrong order, so the engine
does the whole pipeline itself, one module per step:

1. ``clean``: NFC, control characters and explicit bidi embeddings removed,
   characters no vendored font can draw (emoji, ...) dropped (``unprintable``
   lists them first, so a form can refuse them instead);
2. ``bidi``: Unicode bidi embedding levels (python-bidi, plus paired brackets
   and digit groups such as ``0944 123 456`` kept left to right as a unit) and
   a font per character (Arabic script -> Noto Sans Arabic, else Noto Sans);
3. ``shaping``: every (level, font) item shaped with HarfBuzz, cached;
4. ``paragraph`` and ``layout``: lines wrapped in LOGICAL order by measuring
   the shaped clusters (overlong words break between grapheme clusters), then
   reordered visually (UBA rule L2) into runs; ``fit_text`` picks a size;
5. ``draw``: every glyph placed where the visual layout puts it, written in
   logical order, so pdftotext, pypdf and pdfminer.six read Arabic in
   reading order with digits in order;
6. ``fonts``: the vendored fonts, embedded as subsets with ToUnicode maps that
   send contextual Arabic forms back to base letters, ligatures to their
   letters one by one and mirrored brackets to the bracket typed;
7. ``canvas``: ``HamlaCanvas``, neutral metadata, ``/Title`` and ``/Lang``,
   reproducible bytes;
8. ``qr``: a QR code as one filled PDF path.

Coordinates are reportlab points with the origin bottom-left; ``y_top`` is
the top edge of a text box, drawing goes downwards from it and returns the
height used. ``align="auto"`` means right for right-to-left paragraphs and
left for left-to-right ones. For a platypus document use
``doc.build(story, canvasmaker=HamlaCanvas)``; the story may hold
``BidiParagraph``.

Errors are ``TypesetError`` (a ``ValueError``) with a ``code`` and ``params``,
never a sentence: callers translate codes for people.
"""

from .canvas import CREATOR, PAGE_SIZES, HamlaCanvas
from .clean import clean_text, unprintable
from .document import document
from .draw import BidiParagraph, draw_paragraph, draw_text_block
from .errors import TypesetError
from .fonts import FONT_DIR, register_fonts
from .layout import Line, Run, TextBlock, fit_text, layout_text, measure_text
from .qr import QRDataError, draw_qr, qr_path

__all__ = [
    "CREATOR",
    "FONT_DIR",
    "PAGE_SIZES",
    "BidiParagraph",
    "HamlaCanvas",
    "Line",
    "QRDataError",
    "Run",
    "TextBlock",
    "TypesetError",
    "clean_text",
    "document",
    "draw_paragraph",
    "draw_qr",
    "draw_text_block",
    "fit_text",
    "layout_text",
    "measure_text",
    "qr_path",
    "register_fonts",
    "unprintable",
]
