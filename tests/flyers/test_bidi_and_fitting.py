"""Text direction and fitting of flyer stacks (the engine's own bidi tests: tests/core/typeset)."""

import pytest

from core.typeset import fit_text
from flyers import stack
from flyers.designs import FlyerSpec, render_flyer
from flyers.errors import FlyerOverflowError

from .factories import make_campaign, make_flyer, make_run


def element(field, text):
    return stack.El(field, text, 20, 6, False, "center", None)


def test_a_field_is_laid_out_in_the_direction_it_was_typed_whatever_its_first_letter():
    assert element("headline_ar", "Hamla 2024: حملة النظافة في حلب").lay_out(400, 20).lines[0].rtl
    assert not element("body_en", "مرحبا means hello in Arabic").lay_out(400, 20).lines[0].rtl
    assert element("footer", "مرحبا means hello").lay_out(400, 20).lines[0].rtl  # no language: its first letter


def test_text_that_fits_only_by_breaking_a_word_gets_the_largest_size_that_fits():
    word = [stack.El("body_en", "x" * 102, 30, 10, False, "left", None)]
    height = stack.fit_stack(word, 300, 400, "a5")
    alone = fit_text("x" * 102, 300, 400, max_size=30, min_size=10)
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
    with pytest.raises(FlyerOverflowError) as err:
        render_flyer(spec, "a6")
    assert err.value.field == "footer"
