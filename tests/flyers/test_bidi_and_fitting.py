"""Text direction, paired brackets and fitting in the flyer engine."""

import pytest

from flyers import pdf
from flyers.pdf import FlyerSpec, render_flyer

from .factories import make_campaign, make_flyer, make_run


def element(field, text):
    return pdf._El(field, text, 20, 6, False, "center", None)


def test_a_field_is_laid_out_in_the_direction_it_was_typed_whatever_its_first_letter():
    assert element("headline_ar", "Hamla 2024: حملة النظافة في حلب").lay_out(400, 20).lines[0].rtl
    assert not element("body_en", "مرحبا means hello in Arabic").lay_out(400, 20).lines[0].rtl
    assert element("footer", "مرحبا means hello").lay_out(400, 20).lines[0].rtl  # no language: its first letter


def test_brackets_take_the_direction_of_what_they_enclose():
    text = "نحن حملة Hamla (Syria) للتغيير"
    levels = dict(zip(range(len(text)), pdf._levels(text, 1), strict=True))
    latin = {levels[i] for i, ch in enumerate(text) if ch in "Syria("} | {levels[text.index(")")]}
    assert latin == {2}  # "Hamla (Syria)" is one left-to-right run, brackets included

    english = "The cleanup حملة النظافة (نظفوا) starts"
    levels = pdf._levels(english, 0)
    assert levels[english.index("(")] == levels[english.index(")")] == 1


def test_text_that_fits_only_by_breaking_a_word_gets_the_largest_size_that_fits():
    word = [pdf._El("body_en", "x" * 102, 30, 10, False, "left", None)]
    height = pdf._fit_stack(word, 300, 400, "a5")
    alone = pdf.fit_text("x" * 102, 300, 400, max_size=30, min_size=10)
    assert word[0].block.size == pytest.approx(alone.size, rel=0.06) and word[0].block.size > 10
    assert height <= 400


@pytest.mark.django_db
def test_a_print_run_of_a_long_slug_on_an_a6_notice_still_renders():
    # The printed link would not fit; the QR code holds the address anyway.
    flyer = make_flyer(make_campaign("x" * 72), design="notice")
    run = make_run(flyer)
    pdf_bytes = render_flyer(flyer.spec(print_run=run), "a6")
    assert pdf_bytes.startswith(b"%PDF")


def test_an_overlong_footer_is_still_reported_on_the_footer():
    spec = FlyerSpec(headline_ar="حملة", footer="x" * 2000, qr_url="https://hamla.org/c/x")
    with pytest.raises(pdf.FlyerOverflowError) as err:
        render_flyer(spec, "a6")
    assert err.value.field == "footer"


def test_a_phone_number_is_never_split_across_lines():
    text = "اتصلوا على الرقم 0944 123 456 في أي وقت"
    number = pdf.layout_text("0944 123 456", 1000, 14).lines[0].width
    for width in range(int(number) + 1, 400, 7):
        lines = [line.text for line in pdf.layout_text(text, width, 14, direction="rtl").lines]
        assert any("0944 123 456" in line for line in lines), (width, lines)
