"""A stack of text elements (headline, text, call to action...) fitted to one box together.

All elements of a stack shrink by one common factor (headlines faster than body
text, by their ``shrink`` exponent) until the stack fits; words are broken only
if nothing else fits, and a stack that does not fit at the smallest sizes is
refused with ``FlyerOverflowError`` naming the field that takes the most room.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.typeset import TextBlock, draw_text_block, layout_text, measure_text

from .errors import FlyerOverflowError


@dataclass
class El:
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
        if self.field == "link":
            # The printed address is one line or nothing: a link split in two is misread and
            # mistyped. Shrink it to the width (not below its smallest size) instead of wrapping.
            natural = measure_text(self.text, size)
            if natural > width:
                size = max(self.min_size, size * width / natural * 0.98)
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


def fit_stack(els: list[El], width: float, height: float, page: str) -> float:
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
    raise FlyerOverflowError("does_not_fit", worst.field, page)


def fit_with_link(els: list[El], width: float, height: float, page: str) -> tuple[float, list[El]]:
    """fit_stack, but the printed link under the QR code (a convenience: the code holds
    the address) is left out rather than failing the flyer when it does not fit on one
    line, as with a very long site address on an A6. Returns (height, elements)."""
    rest = [e for e in els if e.field != "link"]
    try:
        height_used = fit_stack(els, width, height, page)
    except FlyerOverflowError:
        if len(rest) == len(els):
            raise
        return fit_stack(rest, width, height, page), rest
    if all(len(e.block.lines) <= 1 for e in els if e.field == "link" and e.block):
        return height_used, els
    return fit_stack(rest, width, height, page), rest  # the link would wrap: leave it out


def draw_stack(canvas, els: list[El], x: float, y_top: float, width: float) -> float:
    y = y_top
    shown = [e for e in els if e.text and e.block]
    for i, e in enumerate(shown):
        y -= draw_text_block(canvas, e.block, x, y, width, color=e.color)
        if i < len(shown) - 1:
            y -= e.gap_after
    return y_top - y
