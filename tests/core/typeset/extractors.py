"""Text out of a PDF the way other people's tools read it: poppler's pdftotext, pypdf, pdfminer.six.

Each returns the text with whitespace collapsed to single spaces and poppler's bidi
embedding controls (U+202A..U+202E, which it wraps around every direction change) removed.
"""

import io
import re
import subprocess
import unicodedata

import pypdf
from pdfminer.high_level import extract_text
from pdfminer.layout import LAParams

from tests.services import need_tool

_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def normal(text: str) -> str:
    return " ".join(_BIDI_CONTROLS.sub("", text).split())


def pdftotext(pdf: bytes) -> str:
    tool = need_tool("pdftotext", "poppler-utils")
    out = subprocess.run([tool, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return normal(out.stdout.decode())


def with_pypdf(pdf: bytes) -> str:
    return normal("\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages))


def with_pdfminer(pdf: bytes) -> str:
    # pdfminer's layout analysis starts a new line where the next character is more than
    # char_margin (default 2) character widths away: in reading order that is every change
    # of direction ("على" then the far end of "0944 123 456"), and the pieces are then put
    # left to right. It has no bidi; a margin of 10 keeps one printed line one line.
    return normal(extract_text(io.BytesIO(pdf), laparams=LAParams(char_margin=10)))


EXTRACTORS = {"pdftotext": pdftotext, "pypdf": with_pypdf, "pdfminer": with_pdfminer}


def squeezed(text: str) -> str:
    """Letters and digits only, for pdftotext. poppler reorders each line itself
    (TextOutputDev's reorderText, from the glyphs' positions, whatever the PDF
    says): it moves the space that follows a left-to-right number inside
    right-to-left text to before the number, and it reverses a letter and its
    combining mark (حيّنا comes out حّينا) -- it did both before this engine
    wrote glyphs in logical order, and nothing in the PDF changes it. So for
    pdftotext letters and digits are compared in order, spaces and marks not."""
    return "".join(c for c in text if not c.isspace() and not unicodedata.combining(c))
