"""Rendering flyers to files, cached by content.

A rendered PDF is stored under VAR_DIR/flyer-cache/<key>.pdf where the key is the
sha256 of everything that can change its bytes: the FlyerSpec fields (the logo by
its own hash), the layout options, the personalised QR links and the version of
the engine (its source and fonts). The engine output is reproducible, so the same
flyer with the same options is always the same file and is rendered only once.
PNG previews are cached next to the PDF they show.
"""

import dataclasses
import functools
import hashlib
import importlib.metadata
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import pdf

PAGE_LAYOUTS = ("a4", "a5", "a6", "letter")
SHEET_LAYOUTS = {"a4-2up": 2, "a4-4up": 4}  # copies per sheet
LAYOUTS = PAGE_LAYOUTS + tuple(SHEET_LAYOUTS)
LAYOUT_CHOICES = [
    ("a4", _("A4, one flyer")),
    ("a5", _("A5, one flyer")),
    ("a6", _("A6, one flyer")),
    ("letter", _("Letter, one flyer")),
    ("a4-2up", _("A4 sheet, 2 × A5 to cut")),
    ("a4-4up", _("A4 sheet, 4 × A6 to cut")),
]
# Long side of a preview in pixels, whatever the paper: an A6 is as legible as an A4 sheet.
PREVIEW_PIXELS = 480
# Cached files unused this long are removed by the periodic prune (they can always be re-rendered).
CACHE_MAX_AGE_DAYS = 30


class PreviewUnavailable(RuntimeError):
    """pdftoppm (poppler-utils) is missing or failed; the PDF itself is fine."""


def cache_dir():
    path = Path(settings.VAR_DIR) / "flyer-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


@functools.cache
def engine_version():
    """Changes whenever the engine's code or fonts change, so stale files are never served."""
    digest = hashlib.sha256()
    here = Path(pdf.__file__).resolve().parent
    for path in [here / "pdf.py", here / "qr.py", here / "render.py", *sorted((here / "fonts").glob("*.ttf"))]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.suffix == ".py" else str(path.stat().st_size).encode())
    # The libraries that draw, order and shape the text and the code.
    for package in ("reportlab", "python-bidi", "uharfbuzz", "segno"):
        digest.update(f"{package}=={importlib.metadata.version(package)}".encode())
    return digest.hexdigest()[:16]


def content_key(spec, layout, crop_marks=False, qr_urls=None):
    fields = dataclasses.asdict(spec)
    logo = fields.pop("logo")
    fields["logo"] = hashlib.sha256(logo).hexdigest() if logo else None
    payload = {
        "spec": fields,
        "layout": layout,
        # A single page has no cut lines, so the option must not split the cache.
        "crop_marks": bool(crop_marks) and layout in SHEET_LAYOUTS,
        "qr_urls": list(qr_urls) if qr_urls else None,
        "engine": engine_version(),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()


def _produce(spec, layout, crop_marks, qr_urls):
    if layout in SHEET_LAYOUTS:
        if qr_urls:
            # One sheet per link: all copies on a sheet carry the same print run's QR.
            per_slot = [url for url in qr_urls for _ in range(SHEET_LAYOUTS[layout])]
            return pdf.render_sheet(spec, layout, crop_marks, per_slot)
        return pdf.render_sheet(spec, layout, crop_marks)
    if layout not in PAGE_LAYOUTS:
        raise pdf.FlyerLayoutError(f"Unknown layout {layout!r}.")
    if qr_urls:
        return pdf.render_batch(spec, list(qr_urls), layout)
    return pdf.render_flyer(spec, layout)


def _atomic_write(path, data):
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cached_path(key, suffix=".pdf"):
    return cache_dir() / f"{key}{suffix}"


def render_pdf(spec, layout, *, crop_marks=False, qr_urls=None):
    """Path of the PDF for these inputs, rendering it only if no identical one is cached.
    Raises flyers.pdf.FlyerLayoutError (with a message for the user) for input it cannot lay out."""
    key = content_key(spec, layout, crop_marks, qr_urls)
    path = cached_path(key)
    try:
        # A hit refreshes the file's age so the prune keeps what is in use.
        os.utime(path)
    except FileNotFoundError:
        _atomic_write(path, _produce(spec, layout, crop_marks, qr_urls))
    return path


def prune_cache(max_age_days=CACHE_MAX_AGE_DAYS):
    """Delete cached PDFs and PNGs not used for max_age_days (and stray temp files). Returns the count."""
    cutoff = time.time() - max_age_days * 86400
    removed = 0
    for path in cache_dir().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def preview_png(pdf_path):
    """Path of a small PNG of the PDF's first page (pdftoppm), cached next to it."""
    pdf_path = Path(pdf_path)
    png = pdf_path.with_suffix(".png")
    if png.exists():
        return png
    with tempfile.TemporaryDirectory(dir=pdf_path.parent, prefix=".png-") as tmp:
        prefix = Path(tmp) / "page"
        try:
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-scale-to",
                    str(PREVIEW_PIXELS),
                    "-singlefile",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    pdf_path,
                    prefix,
                ],
                check=True,
                capture_output=True,
                timeout=60,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise PreviewUnavailable(str(exc)) from exc
        os.replace(prefix.with_suffix(".png"), png)
    return png


def page_count(pdf_path):
    from pypdf import PdfReader

    return len(PdfReader(str(pdf_path)).pages)


def user_message(error):
    """A translated message for a FlyerLayoutError the organizer or volunteer can act on."""
    from .models import Flyer

    if isinstance(error, pdf.FlyerOverflowError) and error.field:
        try:
            label = Flyer._meta.get_field(error.field).verbose_name
        except Exception:  # noqa: BLE001 - an engine field the model does not have
            label = error.field
        return _("The text does not fit on this paper size: please shorten the %(field)s.") % {"field": label}
    text = str(error)
    if text.startswith("The flyer has no text"):
        return _("The flyer has no text: write a headline, text or call to action in Arabic or English.")
    return text
