"""Drawing laid-out text on a reportlab canvas, and a platypus Flowable for reports.

Every glyph is placed on its own (``BT x y Tm (g) Tj ET``, by glyph id
through reportlab's TrueType subsetting) at the visual position HarfBuzz gave
it, and the glyphs of a line are written in LOGICAL order. The page looks the
same as when runs were written left to right, but text extractors that read
the content stream in order (pypdf, pdfminer.six) now get Arabic in reading
order, digits included, while those that sort by position (poppler) still do;
a text object per glyph is what makes pypdf append rather than reverse.
Ligatures and mirrored brackets get their own codes (``layout._coded``).
"""

from __future__ import annotations

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.platypus.flowables import Flowable

from .errors import TypesetError
from .fonts import loaded_fonts
from .layout import Run, TextBlock, layout_text

_ESC = [escapePDF(bytes([b])) for b in range(256)]


def _num(v: float) -> str:
    # Six decimals: each glyph lands where the old TJ arithmetic put it
    # (fp_str's seven significant digits moved some by 1e-4 pt, enough to
    # change a rasterised edge pixel).
    text = f"{v:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def _glyph_codes(run: Run, doc) -> list[tuple[str, str]]:
    """(subset font name, escaped byte) of each glyph of ``run``, in its visual order."""
    ttf = loaded_fonts()[run.font].ttf
    out = []
    for subset, data in ttf.splitString("".join(g[0] for g in run.glyphs), doc):
        name = ttf.getSubsetInternalName(subset, doc)
        out += [(name, _ESC[b]) for b in data]
    return out


def _emit_line(code: list, doc, line, x0: float, y: float, size: float) -> None:
    """Draw one line, each glyph at its visual place, in LOGICAL order."""
    scale = size / 1000.0
    placed = []
    for run in line.runs:
        pen = 0.0
        for n, ((_ch, xa, xo, yo, at), (font, byte)) in enumerate(zip(run.glyphs, _glyph_codes(run, doc), strict=True)):
            placed.append((at, n if not run.rtl else -n, font, byte, x0 + run.x + (pen + xo) * scale, y + yo * scale))
            pen += xa
    placed.sort(key=lambda p: (p[0], p[1]))
    font = None
    for _at, _n, name, byte, gx, gy in placed:
        tf = ""
        if name != font:
            font = name
            tf = f"{name} {fp_str(size)} Tf "
        code.append(f"BT {tf}1 0 0 1 {_num(gx)} {_num(gy)} Tm ({byte}) Tj ET")


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
    raise TypesetError("bad_color", color=repr(color))


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
            _emit_line(code, doc, line, x0, y, block.size)
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
