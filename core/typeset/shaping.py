"""Shaping with HarfBuzz: glyphs and advances of one run of text in one font.

Results are in 1000-unit em (size independent) and cached, so a text that is
laid out at several sizes while fitting is shaped once.
"""

from __future__ import annotations

import functools

import uharfbuzz as hb

from .fonts import loaded_fonts


@functools.lru_cache(maxsize=8192)
def shape(font_key: str, text: str, rtl: bool) -> tuple[tuple[int, int, int, int, int], ...]:
    """HarfBuzz glyphs (gid, cluster, x_advance, x_offset, y_offset) in
    1000-unit em, in VISUAL order (left to right)."""
    font = loaded_fonts()[font_key]
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
