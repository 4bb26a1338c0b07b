"""QR codes as a single PDF path (pure Python).

segno builds the symbol (error correction M, raised automatically by segno
when it fits in the same version). The dark modules of each row are merged
into horizontal run rectangles and all of them go into ONE path object that is
filled once. Compared with reportlab's QR widget (one rectangle object per
module) this is several times faster and gives a much smaller content stream,
which is what makes personalised batches of 1,000 flyers fast.

The path is emitted in module units under a scaling ``cm`` so the numbers stay
short integers; each rectangle overlaps the row above by a hair so that
anti-aliasing renderers do not show seams between rows.
"""

from __future__ import annotations

import functools

import segno

from .errors import TypesetError

QUIET_ZONE = 4  # modules, as required by ISO/IEC 18004
MAX_QR_DATA = 1200  # bytes; well below the version-40-M capacity, keeps modules printable


class QRDataError(TypesetError):
    """The QR payload is empty or not text (``code="qr_empty"``), or too long
    (``code="qr_too_long"``, ``max_bytes``)."""


FAST_MASK = 2  # fixed data mask for batches (any of the 8 masks is valid)


@functools.lru_cache(maxsize=4096)
def qr_path(data: str, error: str = "m", fast: bool = False) -> tuple[str, int]:
    """Return ``(path_operators, modules)`` for ``data``.

    ``fast=True`` uses a fixed data mask instead of segno's evaluation of
    all eight masks (ISO/IEC 18004 lets the encoder pick any mask; the
    evaluation only optimises the module pattern and costs ~4 ms in pure
    Python). Personalised batches use it; single flyers use the best mask.

    ``path_operators`` is PDF path syntax in module units with the origin at
    the bottom-left module and ends with the fill operator ``f``;
    ``modules`` is the symbol width without quiet zone.
    """
    if not isinstance(data, str) or not data.strip():
        raise QRDataError("qr_empty")
    if len(data.encode("utf-8")) > MAX_QR_DATA:
        raise QRDataError("qr_too_long", max_bytes=MAX_QR_DATA)
    qr = segno.make_qr(data, error=error, boost_error=True, mask=FAST_MASK if fast else None)
    rows = qr.matrix
    n = len(rows)
    ops = []
    add = ops.append
    for y, row in enumerate(rows):
        yy = n - 1 - y
        x = 0
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                add(f"{start} {yy} {x - start} 1.03 re")
            else:
                x += 1
    add("f")
    return " ".join(ops), n


def qr_modules(data: str) -> int:
    """Width of the symbol in modules (without quiet zone)."""
    return qr_path(data)[1]


def draw_qr(canvas, data: str, x: float, y: float, size: float, *, background: bool = True, fast: bool = False) -> None:
    """Draw ``data`` as a QR code whose quiet-zone-inclusive square is
    ``(x, y, size, size)`` on a reportlab canvas (bottom-left origin).

    The symbol is black on white; with ``background`` a white square is
    painted first (needed on coloured backgrounds).
    """
    ops, n = qr_path(data, fast=fast)
    total = n + 2 * QUIET_ZONE
    scale = size / total
    ox = x + QUIET_ZONE * scale
    oy = y + QUIET_ZONE * scale
    parts = ["q"]
    if background:
        parts.append(f"1 g {x:.3f} {y:.3f} {size:.3f} {size:.3f} re f")
    parts.append(f"0 g {scale:.5f} 0 0 {scale:.5f} {ox:.3f} {oy:.3f} cm {ops} Q")
    canvas._code.append(" ".join(parts))
