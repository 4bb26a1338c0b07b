"""The bidi text engine core.typeset: pure functions, no Django, no DB."""

import io
import unicodedata

import pypdf
import pytest

from core.typeset import (
    BidiParagraph,
    HamlaCanvas,
    TypesetError,
    clean_text,
    draw_paragraph,
    fit_text,
    layout_text,
    measure_text,
    register_fonts,
)

MIXED = "اتصل بنا على 0944 123 456 أو زوروا hamla.org"


@pytest.fixture(autouse=True)
def isolated_cache_and_outbox():
    """Overrides the project-wide Django fixture: these tests need no Django."""
    yield


def visual_texts(line):
    """Logical texts of a line's runs, left to right as printed, trimmed;
    neighbouring left-to-right runs (e.g. a font change) are merged."""
    out, prev_rtl = [], True
    for run in sorted(line.runs, key=lambda r: r.x):
        if not run.rtl and not prev_rtl:
            out[-1] += run.text
        else:
            out.append(run.text)
        prev_rtl = run.rtl
    return [t.strip() for t in out if t.strip()]


def extract(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in reader.pages))


def test_it_registers_the_vendored_fonts():
    names = register_fonts()
    assert set(names) == {"arabic", "arabic-bold", "latin", "latin-bold"}


def test_it_joins_arabic_letters_into_contextual_glyphs():
    block = layout_text("مرحبا", 500, 20)
    (run,) = block.lines[0].runs
    assert run.rtl
    # joined forms are not the isolated base letters
    assert "".join(g[0] for g in run.glyphs) != "مرحبا"[::-1]
    assert len(run.glyphs) == 5


def test_it_prints_a_mixed_line_right_to_left_with_the_phone_number_in_natural_order():
    block = layout_text(MIXED, 1000, 12)
    assert len(block.lines) == 1
    assert visual_texts(block.lines[0]) == ["hamla.org", "أو زوروا", "0944 123 456", "اتصل بنا على"]


def test_it_keeps_an_international_number_and_a_date_left_to_right():
    block = layout_text("موعدنا 2011-12-15 والرقم +963 944 123 456", 1000, 12)
    texts = visual_texts(block.lines[0])
    assert texts == ["+963 944 123 456", "والرقم", "2011-12-15", "موعدنا"]


def test_it_wraps_arabic_lines_in_reading_order():
    words = [f"الكلمة{i}" for i in range(30)]
    block = layout_text(" ".join(words), 150, 12)
    assert len(block.lines) > 3
    assert " ".join(line.text for line in block.lines).split() == words
    assert all(line.width <= 150 + 0.01 for line in block.lines)
    assert all(line.align == "right" for line in block.lines)


def test_it_aligns_english_left_and_arabic_right_by_default():
    block = layout_text("Hello world\nمرحبا بالعالم", 300, 12)
    assert [line.align for line in block.lines] == ["left", "right"]


def test_it_breaks_a_word_longer_than_the_line():
    block = layout_text("x" * 300 + " " + "ب" * 200, 120, 12)
    assert block.broke_words
    assert len(block.lines) > 4
    assert all(line.width <= 120 + 0.01 for line in block.lines)


def test_it_drops_emoji_and_other_characters_without_a_glyph():
    assert clean_text("نداء 📢 call 👋🏽\x00") == "نداء  call"
    block = layout_text("📢👋🏽", 100, 12)
    assert block.lines == [] or all(not line.runs for line in block.lines)


def test_it_measures_wider_at_larger_sizes():
    assert measure_text("مرحبا hello", 20) == pytest.approx(2 * measure_text("مرحبا hello", 10))
    assert measure_text("", 12) == 0


def test_fit_text_shrinks_a_long_headline_until_it_fits():
    headline = "حملة وطنية كبرى من أجل المياه النظيفة والصرف الصحي في كل المدن السورية"
    block = fit_text(headline, 250, 120, 48, 12, bold=True)
    assert not block.overflow
    assert 12 <= block.size < 48
    assert block.height <= 120
    assert not block.broke_words


def test_fit_text_reports_an_overlong_body_instead_of_cutting_it():
    body = "نص طويل جداً لا يتسع في الصندوق. " * 200
    block = fit_text(body, 200, 100, 12, 8)
    assert block.overflow
    assert block.size == 8


def test_a_bidi_paragraph_flows_across_pages_of_a_platypus_document():
    from reportlab.lib.pagesizes import A6
    from reportlab.platypus import SimpleDocTemplate

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A6)
    story = [BidiParagraph("سجل التعبئة " * 150, size=11), BidiParagraph("Mobilisation history", size=11)]
    doc.build(story, canvasmaker=HamlaCanvas)
    pdf = buf.getvalue()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    text = extract(pdf)
    assert "التعبئة" in text and "Mobilisation history" in text
    assert b"Helvetica" not in pdf


def test_draw_paragraph_returns_the_height_it_used():
    buf = io.BytesIO()
    c = HamlaCanvas(buf)
    used = draw_paragraph(c, "سطر أول\nSecond line", 50, 800, 300, 12)
    c.showPage()
    c.save()
    assert used == pytest.approx(2 * 12 * 1.6)
    text = extract(buf.getvalue())
    assert "سطر أول" in text and "Second line" in text


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: clean_text(42), "not_text"),
        (lambda: layout_text("نص", 100, 10, direction="up"), "bad_direction"),
        (lambda: layout_text("نص", 100, 10, align="justify"), "bad_align"),
        (lambda: layout_text("نص", 100, 0), "bad_size"),
        (lambda: fit_text("نص", 100, 100, max_size=8, min_size=12), "bad_size_range"),
    ],
)
def test_bad_arguments_raise_a_typeset_error_with_a_code(call, code):
    with pytest.raises(TypesetError) as err:
        call()
    assert err.value.code == code
    assert isinstance(err.value, ValueError)


def test_a_typeset_error_survives_pickling_with_its_code_and_params():
    import pickle

    from core.typeset import QRDataError, qr_path

    with pytest.raises(QRDataError) as err:
        qr_path("x" * 5000)
    again = pickle.loads(pickle.dumps(err.value))  # noqa: S301 - our own bytes
    assert (type(again), again.code, again.params) == (QRDataError, "qr_too_long", {"max_bytes": 1200})
