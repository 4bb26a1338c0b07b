"""Text drawn by the engine reads back, with other people's extractors, as it was written:
Arabic in logical order as base letters (no presentation forms), ligatures as their letters,
digits in order, brackets as typed. Also the PDF's /Lang and /Title."""

import io

import pypdf
import pytest

from core.typeset import HamlaCanvas, draw_paragraph
from tests.core.typeset.extractors import EXTRACTORS, normal, squeezed

HEADLINE = "حملة النظافة ١٤ تشرين 2026"
BODY = "اتصل بنا على 0944 123 456 للاستفسار"


def pdf_of(*paragraphs, lang="ar", title="") -> bytes:
    buf = io.BytesIO()
    canvas = HamlaCanvas(buf, lang=lang, title=title)
    y = 800
    for text in paragraphs:
        y -= draw_paragraph(canvas, text, 40, y, 500, 14) + 20
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def read_back(name, pdf, source):
    """(extracted, expected), compared in full, or without spaces for pdftotext."""
    text = EXTRACTORS[name](pdf)
    if name == "pdftotext":
        return squeezed(text), squeezed(source)
    return text, normal(source)


@pytest.fixture(autouse=True)
def isolated_cache_and_outbox():
    """Overrides the project-wide Django fixture: the engine needs no Django."""
    yield


@pytest.mark.parametrize("extractor", sorted(EXTRACTORS))
def test_arabic_with_both_kinds_of_digits_reads_back_in_logical_order(extractor):
    got, expected = read_back(extractor, pdf_of(HEADLINE, BODY), f"{HEADLINE} {BODY}")
    assert got == expected


@pytest.mark.parametrize("extractor", sorted(EXTRACTORS))
def test_lam_alef_ligatures_read_back_as_lam_then_alef(extractor):
    source = "للاستفسار لا إله الاجتماع على"
    got, expected = read_back(extractor, pdf_of(source), source)
    assert got == expected


@pytest.mark.parametrize("extractor", ["pypdf", "pdfminer"])
def test_brackets_in_arabic_read_back_as_typed_not_as_their_mirrored_glyphs(extractor):
    source = "الاجتماع في 2011-12-15 (قاعة البلدية)."
    got, expected = read_back(extractor, pdf_of(source), source)
    assert got == expected


@pytest.mark.parametrize("extractor", sorted(EXTRACTORS))
def test_english_with_an_arabic_name_reads_back_in_order(extractor):
    source = "Call +963 944 123 456 or visit hamla.org today"
    got, expected = read_back(extractor, pdf_of(source, lang="en"), source)
    assert got == expected


def test_no_arabic_presentation_form_is_left_in_the_text():
    for name, extract in EXTRACTORS.items():
        text = extract(pdf_of(HEADLINE, BODY, "لا إله إلا الله"))
        assert not [c for c in text if 0xFB50 <= ord(c) <= 0xFDFF or 0xFE70 <= ord(c) <= 0xFEFF], name


def test_the_document_carries_its_language_and_title():
    pdf = pdf_of(HEADLINE, lang="ar", title="حملة النظافة")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert (reader.trailer["/Root"]["/Lang"], reader.metadata.title) == ("ar", "حملة النظافة")


def test_identical_text_still_gives_identical_bytes():
    assert pdf_of(HEADLINE, BODY) == pdf_of(HEADLINE, BODY)
