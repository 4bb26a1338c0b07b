"""Flyers, sheets and batches from flyers.designs and flyers.imposition: pure functions, no Django."""

import io
import subprocess
import unicodedata

import pypdf
import pytest
from PIL import Image

from core.typeset import PAGE_SIZES, qr_path
from flyers.designs import DESIGNS, FlyerSpec, render_flyer
from flyers.errors import FlyerLayoutError, FlyerOverflowError
from flyers.imposition import render_batch, render_sheet

BASE14 = {
    "Courier",
    "Helvetica",
    "Times-Roman",
    "Symbol",
    "ZapfDingbats",
    "Times-Bold",
    "Helvetica-Bold",
    "Courier-Bold",
}
A4 = PAGE_SIZES["a4"]


@pytest.fixture
def poppler_and_zbar():
    """The project's rule for tools: skip with how to install them, but fail under CI=true."""
    from tests.services import need_tool

    need_tool("pdftoppm", "poppler-utils")
    need_tool("zbarimg", "zbar-tools")


@pytest.fixture(autouse=True)
def isolated_cache_and_outbox():
    """Overrides the project-wide Django fixture: these tests need no Django."""
    yield


def spec(**kw) -> FlyerSpec:
    values = dict(
        headline_ar="معاً من أجل مياه نظيفة",
        body_ar="اتصل بنا على 0944 123 456 أو زوروا hamla.org. الاجتماع في 2011-12-15.",
        cta_ar="شارك اليوم",
        headline_en="Together for clean water",
        body_en="Call +963 944 123 456 or visit hamla.org. Meeting on 2011-12-15.",
        cta_en="Join today",
        qr_url="https://hamla.org/c/water",
        footer="جمعية المياه · Water Association",
    )
    values.update(kw)
    return FlyerSpec(**values)


def reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    return unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in reader(pdf).pages))


def fonts_used(pdf: bytes) -> list:
    """Every font dictionary reachable from pages and their form XObjects."""
    found = []

    def walk(resources):
        resources = resources.get_object() if resources else {}
        for font in (resources.get("/Font") or {}).values():
            found.append(font.get_object())
        for xobj in (resources.get("/XObject") or {}).values():
            xobj = xobj.get_object()
            if xobj.get("/Subtype") == "/Form":
                walk(xobj.get("/Resources"))

    for page in reader(pdf).pages:
        walk(page.get("/Resources"))
    return found


def decode_qr(pdf: bytes, tmp_path, page: int = 1) -> list[str]:
    path = tmp_path / "f.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-gray", "-png", "-f", str(page), "-l", str(page), str(path), str(tmp_path / "p")],
        check=True,
    )
    (png,) = tmp_path.glob("p-*.png")
    out = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True)
    png.unlink()
    return sorted(out.stdout.split())


@pytest.mark.parametrize("design", DESIGNS)
@pytest.mark.parametrize("page_size", sorted(PAGE_SIZES))
def test_it_renders_each_design_on_one_page_of_the_requested_size(design, page_size):
    pdf = render_flyer(spec(design=design), page_size)
    pages = reader(pdf).pages
    assert len(pages) == 1
    box = pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(PAGE_SIZES[page_size], abs=0.01)


@pytest.mark.parametrize("design", DESIGNS)
def test_the_arabic_words_can_be_extracted_back(design):
    text = text_of(render_flyer(spec(design=design), "a5"))
    for word in ("معاً", "أجل", "مياه", "نظيفة", "اتصل", "زوروا", "الاجتماع", "شارك", "اليوم"):
        assert word in text
    for token in ("0944 123 456", "2011-12-15", "hamla.org", "Together for clean water"):
        assert token in " ".join(text.split())


def test_it_embeds_every_font_and_uses_no_base14_font():
    pdf = render_sheet(spec(design="bilingual"), "a4-4up")
    fonts = fonts_used(pdf)
    assert len(fonts) >= 4  # Arabic and Latin, regular and bold
    for font in fonts:
        base = str(font["/BaseFont"]).lstrip("/")
        assert "+" in base, f"{base} is not a subset"
        assert base.split("+", 1)[1].split("-")[0] not in BASE14
        assert "/FontFile2" in font["/FontDescriptor"].get_object()  # TrueType outlines embedded
    assert b"Helvetica" not in pdf


def test_it_writes_no_author_or_user_names_into_the_metadata():
    meta = reader(render_flyer(spec(), "a5")).metadata
    assert not meta.get("/Author")
    assert meta.get("/Creator") == "Hamla"
    assert meta.get("/Producer") == "Hamla"


def test_identical_inputs_give_identical_bytes():
    assert render_flyer(spec(), "a6") == render_flyer(spec(), "a6")
    assert render_sheet(spec(), "a4-4up") == render_sheet(spec(), "a4-4up")


@pytest.mark.parametrize(("layout", "size"), [("a4-2up", (A4[1], A4[0])), ("a4-4up", A4)])
def test_sheets_are_one_a4_page_in_the_right_orientation(layout, size):
    pages = reader(render_sheet(spec(), layout)).pages
    assert len(pages) == 1
    assert (float(pages[0].mediabox.width), float(pages[0].mediabox.height)) == pytest.approx(size, abs=0.01)


def test_identical_copies_on_a_4up_sheet_are_one_form_drawn_four_times():
    page = reader(render_sheet(spec(), "a4-4up")).pages[0]
    forms = [x for x in page["/Resources"]["/XObject"].values() if x.get_object()["/Subtype"] == "/Form"]
    assert len(forms) == 1
    assert page.get_contents().get_data().count(b" Do") == 4


def test_personalised_slots_share_the_static_form_and_each_get_their_own_qr():
    urls = [f"https://hamla.org/f/{i}" for i in range(6)]
    pdf = render_sheet(spec(), "a4-4up", personalised_qr_urls=urls)
    pages = reader(pdf).pages
    assert len(pages) == 2  # six flyers, four per sheet
    for page in pages:
        assert len(page["/Resources"]["/XObject"]) == 1
    assert pages[0].get_contents().get_data().count(b" Do") == 4


def test_a_batch_has_one_page_per_link_and_one_shared_form():
    urls = [f"https://hamla.org/f/{i}" for i in range(5)]
    r = reader(render_batch(spec(), urls, "a6"))
    assert len(r.pages) == 5
    forms = {p["/Resources"]["/XObject"].get_object()["/FormXob.flyer"].indirect_reference.idnum for p in r.pages}
    assert len(forms) == 1


def test_the_qr_code_is_one_path_filled_once():
    ops, modules = qr_path("https://hamla.org/c/water")
    assert modules >= 21
    assert ops.endswith(" f") and ops.count(" f") == 1
    assert " m " not in ops  # run rectangles only


@pytest.mark.usefixtures("poppler_and_zbar")
@pytest.mark.parametrize("design", DESIGNS)
def test_the_qr_code_decodes_on_an_a6_flyer(design, tmp_path):
    assert decode_qr(render_flyer(spec(design=design), "a6"), tmp_path) == ["https://hamla.org/c/water"]


@pytest.mark.usefixtures("poppler_and_zbar")
def test_every_personalised_qr_decodes_on_a_4up_sheet(tmp_path):
    urls = [f"https://hamla.org/f/{i:06d}?s=water-campaign" for i in range(4)]
    pdf = render_sheet(spec(grayscale=True), "a4-4up", personalised_qr_urls=urls)
    assert decode_qr(pdf, tmp_path) == sorted(urls)


@pytest.mark.usefixtures("poppler_and_zbar")
def test_the_qr_codes_of_identical_4up_copies_decode(tmp_path):
    pdf = render_sheet(spec(design="notice"), "a4-4up")
    assert decode_qr(pdf, tmp_path) == ["https://hamla.org/c/water"] * 4


@pytest.mark.usefixtures("poppler_and_zbar")
@pytest.mark.parametrize("design", DESIGNS)
def test_grayscale_flyers_are_black_and_white_without_large_fills(design, tmp_path):
    path = tmp_path / "g.pdf"
    path.write_bytes(render_flyer(spec(design=design, grayscale=True), "a6"))
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "g")], check=True)
    (png,) = tmp_path.glob("g-*.png")
    img = Image.open(png).convert("RGB")
    pixels = list(img.getdata())
    assert all(abs(r - g) < 8 and abs(g - b) < 8 for r, g, b in pixels)
    dark = sum(1 for r, _g, _b in pixels if r < 128) / len(pixels)
    assert dark < 0.2


def test_only_arabic_and_only_english_flyers_work():
    ar = render_flyer(spec(headline_en="", body_en="", cta_en="", design="bilingual"), "a5")
    assert "نظيفة" in text_of(ar)
    en = render_flyer(spec(headline_ar="", body_ar="", cta_ar="", footer="Water Association"), "a5")
    assert "Together" in text_of(en)


def test_an_empty_flyer_is_a_clear_error():
    empty = FlyerSpec(qr_url="https://hamla.org")
    with pytest.raises(FlyerLayoutError) as err:
        render_flyer(empty)
    assert err.value.code == "no_text"
    with pytest.raises(FlyerLayoutError) as err:
        render_flyer(FlyerSpec(headline_ar="   ", body_en="📢🔥"))
    assert err.value.code == "no_text"


def test_an_overlong_body_is_reported_with_its_field():
    with pytest.raises(FlyerOverflowError) as err:
        render_flyer(spec(body_ar="نص طويل جداً للتجربة. " * 400), "a6")
    assert err.value.field == "body_ar"
    assert err.value.code == "too_long"
    assert err.value.page_size == ""
    with pytest.raises(FlyerOverflowError) as err:
        render_flyer(spec(body_en="Long English text for the test. " * 60), "a6")
    assert (err.value.code, err.value.field, err.value.page_size) == ("does_not_fit", "body_en", "a6")
    with pytest.raises(FlyerOverflowError) as err:
        render_flyer(spec(footer="x" * 2000), "a6")
    assert err.value.field == "footer"


@pytest.mark.parametrize(
    "fields",
    [
        {"headline_ar": "١٢٣٤٥ 0944123456", "body_ar": "2011", "body_en": "", "headline_en": "42"},
        {"headline_en": "Supercalifragilistic" * 12, "headline_ar": "استراتيجيات" * 15},
        {"body_ar": "نداء 📢 عاجل 🔥🔥 للجميع 👋🏽", "headline_en": "Help 🙏 now"},
        {"body_en": "Mixed عربي English ١٢٣ 456 (قوسين) «اقتباس» done.", "cta_ar": "!!!"},
        {"headline_ar": "", "body_ar": "", "cta_ar": "", "footer": ""},
        {"qr_url": ""},
        {"footer": "x" * 100},
    ],
)
def test_hostile_inputs_give_a_valid_pdf(fields, design="bold"):
    for d in DESIGNS:
        pdf = render_flyer(spec(design=d, **fields), "a6")
        assert len(reader(pdf).pages) == 1


@pytest.mark.parametrize(
    ("kwargs", "code", "params"),
    [
        ({"design": "fancy"}, "unknown_design", {"design": "fancy", "choices": DESIGNS}),
        ({"headline_ar": 42}, "not_text", {"field": "headline_ar"}),
        ({"logo": b"not an image"}, "unreadable_logo", {}),
        ({"logo": "a string"}, "bad_logo", {}),
        ({"accent": "red"}, "bad_accent", {"accent": "red"}),
        ({"qr_url": "https://hamla.org/" + "x" * 3000}, "qr_too_long", {"max_bytes": 1200}),
    ],
)
def test_invalid_specs_raise_a_flyer_layout_error_with_a_code(kwargs, code, params):
    with pytest.raises(FlyerLayoutError) as err:
        render_flyer(spec(**kwargs), "a5")
    assert (err.value.code, err.value.params) == (code, params)


def test_unknown_page_sizes_and_layouts_raise_a_flyer_layout_error():
    with pytest.raises(FlyerLayoutError) as err:
        render_flyer(spec(), "a3")
    assert (err.value.code, err.value.params["page_size"]) == ("unknown_page_size", "a3")
    with pytest.raises(FlyerLayoutError) as err:
        render_sheet(spec(), "a4-8up")
    assert (err.value.code, err.value.params["layout"]) == ("unknown_sheet_layout", "a4-8up")
    with pytest.raises(FlyerLayoutError) as err:
        render_batch(spec(), [], "a5")
    assert err.value.code == "no_qr_urls"
    with pytest.raises(FlyerLayoutError) as err:
        render_batch(spec(), "https://hamla.org/f/1", "a5")
    assert err.value.code == "qr_urls_not_a_list"
    with pytest.raises(FlyerLayoutError) as err:
        render_sheet(spec(), "a4-4up", personalised_qr_urls=["https://hamla.org/f/1", " "])
    assert err.value.code == "qr_empty"


def test_an_engine_error_met_while_making_a_flyer_is_a_flyer_layout_error_with_its_code(monkeypatch):
    from core.typeset import TypesetError
    from flyers import designs

    def no_more_glyphs(*args, **kwargs):
        raise TypesetError("too_many_glyphs", font="HamlaArabic")

    monkeypatch.setattr(designs, "draw_static", no_more_glyphs)
    with pytest.raises(FlyerLayoutError) as err:
        render_flyer(spec(), "a5")
    assert (err.value.code, err.value.params) == ("too_many_glyphs", {"font": "HamlaArabic"})


def test_a_logo_is_drawn(tmp_path):
    buf = io.BytesIO()
    Image.new("RGBA", (120, 60), (200, 30, 30, 255)).save(buf, "PNG")
    for d in DESIGNS:
        pdf = render_flyer(spec(design=d, logo=buf.getvalue(), grayscale=d == "notice"), "a5")
        xobjects = reader(pdf).pages[0]["/Resources"]["/XObject"]
        assert any(x.get_object()["/Subtype"] == "/Image" for x in xobjects.values())
