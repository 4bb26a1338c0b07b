"""A platypus document for Hamla's flowing PDFs (the history report, a petition): A4 with
equal margins, a little more at the foot for the page line, and neutral metadata."""

from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from .canvas import CREATOR, PAGE_SIZES


def document(buffer, *, title, language, margin):
    """A SimpleDocTemplate writing to `buffer`; build it with canvasmaker=HamlaCanvas."""
    page_width, page_height = PAGE_SIZES["a4"]
    return SimpleDocTemplate(
        buffer,
        pagesize=(page_width, page_height),
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin + 4 * mm,
        title=title,
        lang=language,
        # platypus would stamp "(anonymous)" and its own name over HamlaCanvas' neutral metadata.
        author="",
        subject="",
        creator=CREATOR,
        producer=CREATOR,
    )
