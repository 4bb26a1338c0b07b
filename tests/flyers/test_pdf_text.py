"""What other tools read out of a flyer, a sheet and a batch: every font embedded
(pdffonts), /Lang and /Title set, and the Arabic text in logical order with pdftotext,
pypdf and pdfminer.six. Pure functions, no Django."""

import io
import subprocess

import pypdf
import pytest

from core.typeset import PAGE_SIZES
from flyers.designs import DESIGNS, FlyerSpec, render_flyer
from flyers.imposition import render_batch, render_sheet
from tests.core.typeset.extractors import EXTRACTORS, normal, squeezed
from tests.services import need_tool

HEADLINE = "حملة النظافة ١٤ تشرين 2026"
BODY = "اتصل بنا على 0944 123 456 للاستفسار"
CTA = "شارك اليوم"


@pytest.fixture(autouse=True)
def isolated_cache_and_outbox():
    """Overrides the project-wide Django fixture: these tests need no Django."""
    yield


def arabic(**kw) -> FlyerSpec:
    values = dict(headline_ar=HEADLINE, body_ar=BODY, cta_ar=CTA, qr_url="https://hamla.org/c/water")
    values.update(kw)
    return FlyerSpec(**values)


def bilingual(**kw) -> FlyerSpec:
    return arabic(
        headline_en="Together for clean water",
        body_en="Call +963 944 123 456 or visit hamla.org.",
        cta_en="Join today",
        footer="جمعية المياه · Water Association",
        **kw,
    )


def unembedded_fonts(pdf: bytes) -> list[str]:
    """The lines of `pdffonts` whose "emb" column is not "yes"."""
    tool = need_tool("pdffonts", "poppler-utils")
    out = subprocess.run([tool, "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    lines = out.splitlines()[2:]
    return [line for line in lines if line.split()[-5] != "yes"]


LAYOUTS = {
    **{size: lambda spec, size=size: render_flyer(spec, size) for size in sorted(PAGE_SIZES)},
    "a4-2up": lambda spec: render_sheet(spec, "a4-2up"),
    "a4-4up": lambda spec: render_sheet(spec, "a4-4up", crop_marks=True),
    "batch": lambda spec: render_batch(spec, ["https://hamla.org/c/1", "https://hamla.org/c/2"], "a6"),
}


@pytest.mark.parametrize("design", DESIGNS)
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_pdffonts_shows_every_font_embedded(design, layout):
    assert unembedded_fonts(LAYOUTS[layout](bilingual(design=design))) == []


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_flyer_pdf_names_its_language_and_title(layout):
    found = []
    for spec in (bilingual(), FlyerSpec(headline_en="Clean water now", body_en="Join us.")):
        reader = pypdf.PdfReader(io.BytesIO(LAYOUTS[layout](spec)))
        found.append((reader.trailer["/Root"]["/Lang"], reader.metadata.title))
    assert found == [("ar", HEADLINE), ("en", "Clean water now")]


@pytest.mark.parametrize("design", DESIGNS)
@pytest.mark.parametrize("extractor", sorted(EXTRACTORS))
def test_an_arabic_flyer_reads_back_as_written(design, extractor):
    text = EXTRACTORS[extractor](render_flyer(arabic(design=design), "a5"))
    source = f"{HEADLINE} {BODY} {CTA}"
    if extractor == "pdftotext":  # poppler moves spaces around numbers (see extractors.squeezed)
        assert squeezed(source) in squeezed(text)
    else:
        assert normal(source) in text


@pytest.mark.parametrize("extractor", ["pypdf", "pdfminer"])
def test_a_bilingual_flyer_reads_back_as_written(extractor):
    text = EXTRACTORS[extractor](render_flyer(bilingual(design="bold"), "a5"))
    for source in (f"{HEADLINE} Together for clean water", BODY, "Call +963 944 123 456 or visit hamla.org."):
        assert normal(source) in text


@pytest.mark.parametrize("extractor", sorted(EXTRACTORS))
def test_every_copy_on_a_sheet_reads_back_as_written(extractor):
    text = EXTRACTORS[extractor](render_sheet(arabic(), "a4-4up"))
    if extractor == "pdftotext":
        assert squeezed(text).count(squeezed(BODY)) == 4
    else:
        assert text.count(normal(BODY)) == 4
