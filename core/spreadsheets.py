"""Cells a spreadsheet will not run: the one rule for every CSV Hamla hands to people.

A cell starting with one of FORMULA_START is read as a formula by Excel, LibreOffice
and Google Sheets (`=HYPERLINK(...)` in a supporter's name, a `+` or `-` that starts a
calculation, `@` for functions, a tab or carriage return that some of them skip). Such
a cell gets a leading apostrophe, which every one of them shows as text and hides.
"""

import csv

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """`value` as text that no spreadsheet takes for a formula."""
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


class _Echo:
    """A file that hands back what is written to it, so csv.writer's writerow() returns the line."""

    def write(self, value):
        return value


def line_writer():
    """A csv writer whose writerow() returns its line as text, for a streamed download. Every
    cell is quoted: a spreadsheet set to split on ";" (common where "," is the decimal mark)
    must not cut a cell into pieces, one of which could start with "="."""
    return csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
