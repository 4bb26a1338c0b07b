"""Cells a spreadsheet will not run: the one rule for every CSV Hamla hands to people.

A cell starting with one of FORMULA_START is read as a formula by Excel, LibreOffice
and Google Sheets (`=HYPERLINK(...)` in a supporter's name, a `+` or `-` that starts a
calculation, `@` for functions, a tab or carriage return that some of them skip). Such
a cell gets a leading apostrophe, which every one of them shows as text and hides.
"""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """`value` as text that no spreadsheet takes for a formula."""
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_START) else value
