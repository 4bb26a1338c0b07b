"""The metadata-neutral canvas every Hamla PDF is drawn on, and the paper sizes.

Output PDFs carry no author or user name (creator/producer ``CREATOR``) and are
byte-for-byte reproducible for identical inputs (``invariant=1``), so they can
be cached by content hash. They do carry what a reader needs: a ``/Title``
and the document language (``/Lang`` in the catalog, ``ar`` unless told).
"""

from __future__ import annotations

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .fonts import FONT_NAMES, register_fonts

CREATOR = "Hamla"

PAGE_SIZES: dict[str, tuple[float, float]] = {
    "a4": (210 * mm, 297 * mm),
    "a5": (148 * mm, 210 * mm),
    "a6": (105 * mm, 148 * mm),
    "letter": (612.0, 792.0),
}


class HamlaCanvas(Canvas):
    """reportlab Canvas with neutral metadata (no author/user names),
    reproducible output and no stray Helvetica font resource."""

    def __init__(self, filename, pagesize=None, *, title: str = "", **kw):
        register_fonts()
        # platypus passes these explicitly, often as None
        for key, value in (
            ("invariant", 1),
            ("pageCompression", 1),
            ("initialFontName", FONT_NAMES["la"]),
            ("lang", "ar"),
        ):
            if kw.get(key) is None:
                kw[key] = value
        kw.setdefault("initialFontSize", 10)
        super().__init__(filename, pagesize=pagesize or PAGE_SIZES["a4"], **kw)
        self.setAuthor("")
        self.setCreator(CREATOR)
        self.setProducer(CREATOR)
        self.setSubject("")
        self.setKeywords("")
        self.setTitle(title or CREATOR)  # platypus sets its document's title after this

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
