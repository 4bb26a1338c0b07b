"""Imposition: several copies of a flyer on one A4 sheet to cut, and personalised batches.

``"a4-2up"`` puts two A5 flyers on landscape A4, ``"a4-4up"`` four A6 on
portrait A4, with optional crop marks. The static part of a flyer is drawn once
as a form XObject and placed N times, so a sheet or a batch of 1,000
personalised flyers (one QR code each) stays small and fast. Pure functions,
no Django.
"""

from __future__ import annotations

import io

from reportlab.lib.colors import black
from reportlab.lib.units import mm

from core.typeset import QRDataError, draw_qr, qr_path

from .designs import FlyerSpec, draw_static, new_canvas, page_dimensions, static_form, validate
from .errors import FlyerLayoutError, as_layout_errors

LAYOUTS = ("a4-2up", "a4-4up")

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


@as_layout_errors
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
    texts = validate(spec)
    try:
        sheet, cols, rows, cell_page = _SHEETS[layout]
    except (KeyError, TypeError):
        raise FlyerLayoutError("unknown_sheet_layout", layout=layout, choices=LAYOUTS) from None
    cell = (sheet[0] / cols, sheet[1] / rows)
    slots = cols * rows
    urls = _check_urls(personalised_qr_urls) if personalised_qr_urls is not None else None
    buf = io.BytesIO()
    c = new_canvas(buf, sheet, spec, texts)
    positions = [(i * cell[0], sheet[1] - (j + 1) * cell[1]) for j in range(rows) for i in range(cols)]
    if urls is None:
        # whole flyer, QR included, as one form
        c.beginForm("flyer", 0, 0, cell[0], cell[1])
        rect = draw_static(c, spec, texts, cell, cell_page)
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
        rect = static_form(c, spec, texts, cell, cell_page)
        if not rect:
            raise FlyerLayoutError("no_qr_area")
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
        raise FlyerLayoutError("qr_urls_not_a_list")
    urls = list(urls)
    if not urls:
        raise FlyerLayoutError("no_qr_urls")
    for u in urls:
        try:
            qr_path(u, fast=True)
        except QRDataError as exc:
            raise FlyerLayoutError(exc.code, **exc.params) from None
    return urls


@as_layout_errors
def render_batch(spec: FlyerSpec, qr_urls: list[str], page_size: str = "a5") -> bytes:
    """One page per personalised flyer: the static part is a single form
    XObject shared by all pages, only the QR code is drawn per page."""
    texts = validate(spec)
    size = page_dimensions(page_size)
    urls = _check_urls(qr_urls)
    if not spec.qr_url:
        spec = FlyerSpec(**{**spec.__dict__, "qr_url": urls[0]})
    buf = io.BytesIO()
    c = new_canvas(buf, size, spec, texts)
    rect = static_form(c, spec, texts, size, page_size)
    for url in urls:
        c.doForm("flyer")
        draw_qr(c, url, *rect, fast=True)
        c.showPage()
    c.save()
    return buf.getvalue()
