"""Logo uploads (a flyer's, the organisation's): only real PNG/JPEG images, size-limited,
re-encoded so no metadata survives."""

import io
import warnings

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_SIDE = 4000
# A logo on a flyer never needs more; smaller images keep every PDF small.
STORED_SIDE = 1200


def clean_logo(upload):
    """Return PNG bytes re-encoded from an uploaded PNG/JPEG file, or raise ValidationError.

    The upload is checked before it is decoded (byte size, format, pixel size from the
    header), so a decompression bomb is refused without ever being expanded. Re-encoding
    from pixels drops EXIF, GPS, comments and any trailing data."""
    if upload.size > MAX_LOGO_BYTES:
        raise ValidationError(_("The logo is too large: the limit is 2 MB."), code="too_large")
    data = upload.read(MAX_LOGO_BYTES + 1)
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(_("The logo is too large: the limit is 2 MB."), code="too_large")
    not_an_image = ValidationError(_("This file is not a PNG or JPEG image."), code="not_image")
    too_many_pixels = ValidationError(
        _("The logo is too big: at most %(max)s × %(max)s pixels.") % {"max": MAX_LOGO_SIDE}, code="too_many_pixels"
    )
    try:
        with Image.open(io.BytesIO(data), formats=("PNG", "JPEG")) as probe:
            width, height = probe.size
            if width > MAX_LOGO_SIDE or height > MAX_LOGO_SIDE:
                raise too_many_pixels
            probe.verify()
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=("PNG", "JPEG")) as image:
                image.load()
                # Honour the camera's rotation before the EXIF that carries it is dropped.
                image = ImageOps.exif_transpose(image)
                image = image.convert("RGBA" if _has_alpha(image) else "RGB")
                image.thumbnail((STORED_SIDE, STORED_SIDE))
                out = io.BytesIO()
                image.save(out, format="PNG", optimize=True)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        # Truncated files, wrong formats, corrupt chunks and bombs all end here.
        raise not_an_image
    return out.getvalue()


def _has_alpha(image):
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
