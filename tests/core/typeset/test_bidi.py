"""Bidi levels and unbreakable digit groups in the text engine."""

import pytest

from core.typeset import layout_text
from core.typeset.bidi import embedding_levels


@pytest.fixture(autouse=True)
def isolated_cache_and_outbox():
    """Overrides the project-wide Django fixture: these tests need no Django."""
    yield


def test_brackets_take_the_direction_of_what_they_enclose():
    text = "نحن حملة Hamla (Syria) للتغيير"
    levels = dict(zip(range(len(text)), embedding_levels(text, 1), strict=True))
    latin = {levels[i] for i, ch in enumerate(text) if ch in "Syria("} | {levels[text.index(")")]}
    assert latin == {2}  # "Hamla (Syria)" is one left-to-right run, brackets included

    english = "The cleanup حملة النظافة (نظفوا) starts"
    levels = embedding_levels(english, 0)
    assert levels[english.index("(")] == levels[english.index(")")] == 1


def test_a_phone_number_is_never_split_across_lines():
    text = "اتصلوا على الرقم 0944 123 456 في أي وقت"
    number = layout_text("0944 123 456", 1000, 14).lines[0].width
    for width in range(int(number) + 1, 400, 7):
        lines = [line.text for line in layout_text(text, width, 14, direction="rtl").lines]
        assert any("0944 123 456" in line for line in lines), (width, lines)
