import pytest

from core.spreadsheets import neutralise


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://evil")', "+963944", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_is_shown_as_text(cell):
    assert neutralise(cell) == "'" + cell


def test_ordinary_text_and_none_are_left_as_text():
    assert (neutralise("سارة"), neutralise(None), neutralise(12)) == ("سارة", "", "12")
