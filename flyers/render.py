"""Rendering flyers to files, cached by content.

A rendered PDF is stored under VAR_DIR/flyer-cache/<key>.pdf where the key is the
sha256 of everything that can change its bytes: the FlyerSpec fields (the logo by
its own hash), the layout options, the personalised QR links and the version of
the engine (the source of core.typeset and of the flyer modules, the fonts and
the library versions: ``engine_files``). The engine output is reproducible, so the same
flyer with the same options is always the same file and is rendered only once.
PNG previews are cached next to the PDF they show. Files are written through
``core.files`` (whole or not at all, owner-only).

Layout errors carry codes; ``user_message`` is the one table that turns them into
translated sentences.
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

import core.typeset
from core.files import atomic_write

from . import designs, imposition
from .errors import FlyerLayoutError

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


TYPESET_DIR = Path(core.typeset.__file__).resolve().parent
FLYER_DIR = Path(__file__).resolve().parent
# Flyer modules whose code decides a PDF's bytes (the rest of flyers does not draw).
FLYER_ENGINE_MODULES = ("designs.py", "errors.py", "imposition.py", "render.py", "stack.py")
# The libraries that draw, order and shape the text and the code.
ENGINE_PACKAGES = ("reportlab", "python-bidi", "uharfbuzz", "segno")


def engine_files(typeset_dir=TYPESET_DIR, flyer_dir=FLYER_DIR):
    """(name, path) of every file whose content goes into ``engine_version``: all of
    core/typeset (every .py at any depth, and the fonts), found by listing the folder
    so a new module is covered without anyone adding it here, and the flyer modules."""
    files = [(f"core/typeset/{p.relative_to(typeset_dir).as_posix()}", p) for p in sorted(typeset_dir.rglob("*.py"))]
    files += [(f"core/typeset/fonts/{p.name}", p) for p in sorted((typeset_dir / "fonts").glob("*.ttf"))]
    files += [(f"flyers/{name}", flyer_dir / name) for name in FLYER_ENGINE_MODULES]
    return files


def engine_digest(files):
    """A short hash of the files' names and contents and of the library versions."""
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(name.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for package in ENGINE_PACKAGES:
        digest.update(f"{package}=={importlib.metadata.version(package)}".encode())
    return digest.hexdigest()[:16]


@functools.cache
def engine_version():
    """Changes whenever the engine's code or fonts change, so stale files are never served."""
    return engine_digest(engine_files())


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
            return imposition.render_sheet(spec, layout, crop_marks, per_slot)
        return imposition.render_sheet(spec, layout, crop_marks)
    if layout not in PAGE_LAYOUTS:
        raise FlyerLayoutError("unknown_layout", layout=layout)
    if qr_urls:
        return imposition.render_batch(spec, list(qr_urls), layout)
    return designs.render_flyer(spec, layout)


def cached_path(key, suffix=".pdf"):
    return cache_dir() / f"{key}{suffix}"


def render_pdf(spec, layout, *, crop_marks=False, qr_urls=None):
    """Path of the PDF for these inputs, rendering it only if no identical one is cached.
    Raises flyers.errors.FlyerLayoutError (with a code; see user_message) for input it cannot lay out."""
    key = content_key(spec, layout, crop_marks, qr_urls)
    path = cached_path(key)
    try:
        # A hit refreshes the file's age so the prune keeps what is in use.
        os.utime(path)
    except FileNotFoundError:
        atomic_write(path, _produce(spec, layout, crop_marks, qr_urls))
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
        atomic_write(png, prefix.with_suffix(".png").read_bytes())
    return png


def page_count(pdf_path):
    from pypdf import PdfReader

    return len(PdfReader(str(pdf_path)).pages)


# Every code a FlyerLayoutError can carry, with what the organizer or volunteer reads;
# the %(...)s parameters come from the error's params.
MESSAGES = {
    "no_text": _("The flyer has no text: write a headline, text or call to action in Arabic or English."),
    "does_not_fit": _("The text does not fit on this paper size: please shorten the %(field)s."),
    "too_long": _("The text does not fit on this paper size: please shorten the %(field)s."),
    "not_text": _("The %(field)s must be text."),
    "not_a_spec": _("Expected a FlyerSpec."),
    "unknown_design": _("Unknown design %(design)r; choose one of %(choices)s."),
    "unknown_page_size": _("Unknown page size %(page_size)r; choose one of %(choices)s."),
    "unknown_layout": _("Unknown layout %(layout)r."),
    "unknown_sheet_layout": _("Unknown sheet layout %(layout)r; choose one of %(choices)s."),
    "bad_accent": _("The accent colour must look like #RRGGBB."),
    "bad_logo": _("The logo must be PNG or JPEG bytes."),
    "unreadable_logo": _("The logo could not be read; upload a PNG or JPEG image."),
    "qr_empty": _("The QR code link is empty."),
    "qr_too_long": _("The QR code link is too long (more than %(max_bytes)s bytes)."),
    "no_qr_area": _("This flyer has no QR code area."),
    "qr_urls_not_a_list": _("Personalised QR links must be a list of links."),
    "no_qr_urls": _("No personalised QR links were given."),
    "no_print_runs": _("No print runs were chosen."),
    "too_many_glyphs": _("Too many distinct glyphs for one font."),
}
# A code missing from the table (a new engine error) still gives a sentence, naming the code.
UNKNOWN_ERROR = _("The flyer could not be laid out (%(code)s).")


def _field_label(field):
    from .models import Flyer

    try:
        return Flyer._meta.get_field(field).verbose_name
    except Exception:  # noqa: BLE001 - an engine field the model does not have ("link")
        return field


def user_message(error):
    """A translated message for a FlyerLayoutError the organizer or volunteer can act on,
    chosen by the error's code (never by its text)."""
    params = {
        key: ", ".join(map(str, value)) if isinstance(value, tuple | list) else value
        for key, value in error.params.items()
    }
    if params.get("field"):
        params["field"] = _field_label(params["field"])
    message = MESSAGES.get(error.code)
    if message is None:
        return UNKNOWN_ERROR % {"code": error.code}
    return message % params
