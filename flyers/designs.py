"""Flyer designs: what a flyer shows (``FlyerSpec``) and how each design lays it out.

Three designs ("bold", "bilingual", "notice") draw a flyer on one page of any
paper size, scaled from A5; every text goes through the ``core.typeset`` engine
and is fitted to its box (``flyers.stack``). Text that cannot fit even at the
smallest size is refused with ``FlyerOverflowError`` naming the field, never
cut off in print; every refusal is a ``FlyerLayoutError`` with a code. Imposition of several copies on a
sheet lives in ``flyers.imposition``; caching and user messages in
``flyers.render``.

No Django: every function is a pure function of its arguments.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass

from reportlab.lib.colors import Color, HexColor, black, white
from reportlab.lib.units import mm

from core.typeset import PAGE_SIZES, HamlaCanvas, QRDataError, clean_text, draw_qr, qr_path

from .errors import FlyerLayoutError, FlyerOverflowError, as_layout_errors
from .stack import El, draw_stack, fit_stack, fit_with_link

DESIGNS = ("bold", "bilingual", "notice")
# A field longer than this is refused before any layout is tried.
MAX_FIELD_CHARS = 5000


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


def with_defaults(spec: FlyerSpec, footer: str = "", logo: bytes | None = None) -> FlyerSpec:
    """`spec` with the organisation's name as its footer and its logo when the flyer sets
    neither itself; a flyer's own footer or logo is kept as it is."""
    changes = {}
    if not (spec.footer or "").strip() and footer:
        changes["footer"] = footer
    if not spec.logo and logo:
        changes["logo"] = bytes(logo)
    return FlyerSpec(**{**spec.__dict__, **changes}) if changes else spec


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
        raise FlyerLayoutError("bad_accent", accent=spec.accent) from None
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


def validate(spec: FlyerSpec) -> _Texts:
    if not isinstance(spec, FlyerSpec):
        raise FlyerLayoutError("not_a_spec")
    values = {}
    for name in _TEXT_FIELDS:
        value = getattr(spec, name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise FlyerLayoutError("not_text", field=name)
        if len(value) > MAX_FIELD_CHARS:
            raise FlyerOverflowError("too_long", name, max_chars=MAX_FIELD_CHARS)
        values[name] = clean_text(value)
    texts = _Texts(**values)
    if not (texts.has_ar or texts.has_en):
        raise FlyerLayoutError("no_text")
    if spec.design not in DESIGNS:
        raise FlyerLayoutError("unknown_design", design=spec.design, choices=DESIGNS)
    if spec.qr_url:
        try:
            qr_path(spec.qr_url)
        except QRDataError as exc:
            raise FlyerLayoutError(exc.code, **exc.params) from None
    if spec.logo is not None and not isinstance(spec.logo, bytes | bytearray):
        raise FlyerLayoutError("bad_logo")
    return texts


def page_dimensions(name: str) -> tuple[float, float]:
    try:
        return PAGE_SIZES[name]
    except (KeyError, TypeError):
        raise FlyerLayoutError("unknown_page_size", page_size=name, choices=tuple(PAGE_SIZES)) from None


@functools.lru_cache(maxsize=32)
def _logo_image(data: bytes, grayscale: bool):
    from PIL import Image, ImageOps, UnidentifiedImageError
    from reportlab.lib.utils import ImageReader

    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, ValueError):
        raise FlyerLayoutError("unreadable_logo") from None
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
        El(
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
        El(
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
        El("body_ar", t.body_ar, 15 * s, max(6.5, 8 * s), False, "right", pal.ink, 8 * s),
        El("body_en", t.body_en, 13.5 * s, max(6.5, 7.5 * s), False, "left", pal.ink, 0),
    ]
    ctas = [
        El("cta_ar", t.cta_ar, 19 * s, max(7, 9 * s), True, "center", pal.accent if pal.fills else pal.ink, 2 * s, 1.2),
        El("cta_en", t.cta_en, 15 * s, max(7, 8 * s), True, "center", pal.accent if pal.fills else pal.ink, 0, 1.2),
    ]
    avail = top - (m + bottom_h) - 14 * s
    head_h_max = 0.42 * avail
    inner_w = w - 2 * pad
    hh = (
        fit_stack(heads, inner_w, head_h_max - 2 * pad - (logo_h + 6 * s if logo_h else 0), page)
        if any(e.text for e in heads)
        else 0
    )
    panel_h = (hh + 2 * pad + (logo_h + 6 * s if logo_h else 0)) if (hh or logo_h) else 0
    cta_h = fit_stack(ctas, inner_w, 0.2 * avail, page) if any(e.text for e in ctas) else 0
    cta_box = cta_h + 2 * 9 * s if cta_h else 0
    body_space = avail - panel_h - cta_box - (14 * s if panel_h else 0) - (14 * s if cta_box else 0)
    bh = fit_stack(body, w - 4 * s, body_space, page) if any(e.text for e in body) else 0

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
        draw_stack(
            canvas, heads, x0 + pad, yy - (panel_h - 2 * pad - (logo_h + 6 * s if logo_h else 0) - hh) / 2, inner_w
        )
        y -= panel_h + gap
    else:
        y -= gap
    if bh:
        draw_stack(canvas, body, x0 + 2 * s, y, w - 4 * s)
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
        draw_stack(canvas, ctas, x0 + pad, y - 9 * s, inner_w)
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
        lines.append(El("footer", t.footer, 13 * s, max(6, 7 * s), True, "auto", pal.ink, 3 * s, 1.0))
    if spec.qr_url:
        lines.append(El("link", _short_url(spec.qr_url), 10 * s, max(5.5, 6 * s), False, "auto", pal.muted, 0, 1.0))
    if lines:
        hh, lines = fit_with_link(lines, text_w, band_h, "flyer")
        yb = y0 + (band_h + hh) / 2
        for e in lines:
            if e.block is None:
                continue
            # footer sits at the right edge (RTL-first), link too
            for ln in e.block.lines:
                object.__setattr__(ln, "align", "right")
        draw_stack(canvas, lines, text_x, yb, text_w)
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
            El(
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
            El(
                f"body_{lang}",
                body,
                (14 if both else 15.5) * s * (1 if lang == "ar" else 0.93),
                max(6.5, 7.5 * s),
                False,
                align,
                pal.ink,
                12 * s,
            ),
            El(f"cta_{lang}", cta, (17 if both else 20) * s * big, max(7, 8.5 * s), True, align, pal.ink, 0, 1.2),
        ]

    cols = []
    if t.has_ar:
        cols.append(("ar", column("ar")))
    if t.has_en:
        cols.append(("en", column("en")))
    heights = {lang: fit_stack(els, col_w, avail, page) for lang, els in cols}
    # equalise: both columns start at the same top
    for lang, els in cols:
        if both:
            cx = x0 + col_w + gutter if lang == "ar" else x0
        else:
            cx = x0
        # CTA gets an accent marker bar on its reading side
        draw_stack(canvas, els, cx, y, col_w)
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
        label = [El("footer", t.footer, 12 * s, max(6, 7 * s), True, "center", pal.muted, 0, 1.0)]
        y -= fit_stack(label, w, 40 * s, page)
        draw_stack(canvas, label, x0, y + label[0].block.height, w)
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
        El("headline_ar", t.headline_ar, 40 * s, 12 * s, True, "center", pal.ink, 4 * s, 1.6),
        El("headline_en", t.headline_en, 26 * s, 10 * s, True, "center", pal.ink, 14 * s, 1.6),
        El("body_ar", t.body_ar, 14.5 * s, max(6.5, 7.5 * s), False, "right", pal.ink, 8 * s),
        El("body_en", t.body_en, 13 * s, max(6.5, 7.5 * s), False, "left", pal.ink, 14 * s),
        El("cta_ar", t.cta_ar, 17 * s, max(7, 8.5 * s), True, "center", colour if pal.fills else pal.ink, 2 * s, 1.2),
        El("cta_en", t.cta_en, 14 * s, max(7, 8 * s), True, "center", colour if pal.fills else pal.ink, 0, 1.2),
    ]
    shown = [e for e in els if e.text]
    if shown:
        shown[-1].gap_after = 0
    avail = y - bottom
    hh = fit_stack(els, w, avail, page)
    draw_stack(canvas, els, x0, y - max(0.0, (avail - hh) * 0.35), w)
    qr_rect = None
    if qr_size:
        qr_rect = ((g.w - qr_size) / 2, m + inset + pad * 0.5 + 11 * s, qr_size)
        link = [El("link", _short_url(spec.qr_url), 9 * s, max(5.5, 6 * s), False, "center", pal.muted, 0, 1.0)]
        return qr_rect, link
    return qr_rect


_DESIGN_FUNCS = {"bold": _design_bold, "bilingual": _design_bilingual, "notice": _design_notice}


def draw_static(canvas, spec: FlyerSpec, texts: _Texts, size: tuple[float, float], page: str):
    """Draw everything except the QR symbol; return the QR rect or None."""
    pal = _palette(spec)
    g = _geometry(size)
    result = _DESIGN_FUNCS[spec.design](canvas, spec, texts, pal, g, page)
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], list):
        rect, link = result
        # notice: printed link under the QR, centred
        qx, qy, qs = rect
        _hh, link = fit_with_link(link, g.w - 2 * g.m, 20 * g.s, page)
        draw_stack(canvas, link, g.m, qy - 1 * g.s, g.w - 2 * g.m)
        return rect
    return result


def new_canvas(buf, pagesize, spec: FlyerSpec, texts: _Texts) -> HamlaCanvas:
    title = " ".join((texts.headline_ar or texts.headline_en or "Flyer").split())
    # The document language is the one the flyer leads with: Arabic if it has any.
    lang = "ar" if (texts.headline_ar or texts.body_ar or texts.cta_ar) else "en"
    return HamlaCanvas(buf, pagesize=pagesize, title=title[:200], lang=lang)


def static_form(canvas, spec, texts, size, page, name="flyer") -> tuple | None:
    canvas.beginForm(name, 0, 0, size[0], size[1])
    rect = draw_static(canvas, spec, texts, size, page)
    canvas.endForm()
    return rect


@as_layout_errors
def render_flyer(spec: FlyerSpec, page_size: str = "a5") -> bytes:
    """One flyer on one page of ``page_size`` ("a4", "a5", "a6", "letter").

    Raises :class:`FlyerLayoutError` (or its subclass
    :class:`FlyerOverflowError`) with a code for the user's message."""
    texts = validate(spec)
    size = page_dimensions(page_size)
    buf = io.BytesIO()
    c = new_canvas(buf, size, spec, texts)
    rect = draw_static(c, spec, texts, size, page_size)
    if rect and spec.qr_url:
        draw_qr(c, spec.qr_url, *rect)
    c.showPage()
    c.save()
    return buf.getvalue()
