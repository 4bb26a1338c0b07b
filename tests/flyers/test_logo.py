import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.images import MAX_LOGO_BYTES, clean_logo

from .factories import image_bytes


def upload(data, name="logo.png"):
    return SimpleUploadedFile(name, data)


def refused(data, code):
    with pytest.raises(ValidationError) as err:
        clean_logo(upload(data))
    assert err.value.code == code
    return err.value


def png_header_only(width, height):
    """A tiny PNG that claims huge dimensions: a decompression bomb's header."""

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_a_real_png_is_kept_as_png():
    stored = clean_logo(upload(image_bytes("PNG", size=(300, 200))))
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size) == ("PNG", (300, 200))


def test_a_jpeg_loses_its_exif_and_gps_metadata():
    exif = Image.Exif()
    exif[0x013B] = "Photographer Name"  # Artist
    exif[0x8825] = {1: "N", 2: (36.0, 12.0, 0.0)}  # GPSInfo
    original = image_bytes("JPEG", size=(120, 80), exif=exif.tobytes())
    assert b"Photographer Name" in original
    stored = clean_logo(upload(original, "logo.jpg"))
    assert b"Photographer Name" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG"
        assert not image.getexif()
        assert "exif" not in image.info


def test_text_named_like_an_image_is_refused():
    refused(b"<script>alert(1)</script>", "not_image")


def test_other_image_formats_are_refused():
    refused(image_bytes("GIF"), "not_image")


def test_a_truncated_png_is_refused():
    refused(image_bytes("PNG", size=(400, 400))[:200], "not_image")


def test_a_file_over_two_megabytes_is_refused():
    refused(b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_LOGO_BYTES, "too_large")


@pytest.mark.parametrize("side", [5000, 60000])
def test_a_decompression_bomb_is_refused_without_decoding_it(side):
    error = refused(png_header_only(side, side), "too_many_pixels")
    assert "4000" in str(error.messages[0])


def test_large_logos_are_scaled_down_for_storage():
    stored = clean_logo(upload(image_bytes("PNG", size=(3000, 1500))))
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (1200, 600)
