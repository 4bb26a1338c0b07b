"""The petition as a printable PDF for delivery to its target, in Arabic or English.

It says what was asked and of whom, how many confirmed signatures it has, from which
neighbourhoods, and the names of the signers who agreed to be named (Response.named, off
by default) — and of no one else: the others are counted, never listed. No email, phone or
print run is in it. Text goes through core.typeset (shaped, right-to-left Arabic), as the
history report does (campaigns/report.py).
"""

import io

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from core.i18n import bilingual
from core.typeset import PAGE_SIZES, BidiParagraph, HamlaCanvas, document, draw_paragraph
from organisation.models import Organisation

from . import breakdown
from .closing import number

ACCENT = HexColor("#0b6e4f")
MUTED = HexColor("#5b6670")


def named_signers(ask):
    """The names of confirmed signers who agreed to be named, in the order they signed."""
    named = ask.confirmed().filter(named=True).order_by("confirmed_at", "pk")
    names = (r.name for r in named.only("pk", "given_name_enc", "family_name_enc").iterator(chunk_size=2000))
    return [name for name in names if name]


def render_petition(ask, language="ar"):
    """(PDF bytes, how many names it holds) for `ask`, a petition, in `language`."""
    with translation.override(language):
        return _render(ask, language)


def _render(ask, language):
    rtl = translation.get_language_bidi()
    direction = "rtl" if rtl else "ltr"
    count = ask.confirmed().count()
    names = named_signers(ask)
    profile = Organisation.current()
    organisation = profile.name_in(language)
    title = bilingual(ask, "title", language)
    buffer = io.BytesIO()
    page_width, page_height = PAGE_SIZES["a4"]
    margin = 18 * mm
    width = page_width - 2 * margin
    doc = document(buffer, title=title, language=language, margin=margin)
    footer = _("%(organisation)s — %(title)s — page %(page)s")

    def on_page(canvas, doc):
        text = footer % {"organisation": organisation, "title": title, "page": doc.page}
        draw_paragraph(canvas, text, margin, margin, width, 8, align="center", direction=direction, color=MUTED)

    story = [
        BidiParagraph(organisation, 13, bold=True, color=MUTED, direction=direction, space_after=2 * mm),
        BidiParagraph(title, 20, bold=True, color=ACCENT, direction=direction, space_after=3 * mm),
    ]
    target = bilingual(ask, "target", language)
    if target:
        story.append(BidiParagraph(_("To: %(target)s") % {"target": target}, 12, bold=True, direction=direction))
        story.append(Spacer(1, 3 * mm))
    text = bilingual(ask, "text", language)
    for paragraph in filter(None, (p.strip() for p in text.split("\n"))):
        story.append(BidiParagraph(paragraph, 11, direction=direction, space_after=2 * mm))
    signed = ngettext("%(n)s confirmed signature", "%(n)s confirmed signatures", count) % {"n": number(count)}
    as_of = _("as of %(date)s") % {"date": formats.date_format(timezone.localdate(), "DATE_FORMAT")}
    story += [
        Spacer(1, 4 * mm),
        BidiParagraph(f"{signed} · {as_of}", 14, bold=True, color=ACCENT, direction=direction, space_after=2 * mm),
        BidiParagraph(
            _("Each signature was confirmed by its signer through a link sent to them; one per person."),
            9,
            color=MUTED,
            direction=direction,
            space_after=4 * mm,
        ),
        BidiParagraph(_("Signatures by neighbourhood"), 13, bold=True, direction=direction, space_after=2 * mm),
    ]
    for label, n in breakdown.by_neighbourhood(ask):
        story.append(
            BidiParagraph(f"{label or _('Not given')}: {number(n)}", 10, direction=direction, space_after=0.8 * mm)
        )
    story += [
        Spacer(1, 4 * mm),
        BidiParagraph(_("Signers who agreed to be named"), 13, bold=True, direction=direction, space_after=2 * mm),
    ]
    if names:
        separator = "، " if rtl else ", "
        story.append(BidiParagraph(separator.join(names), 10, direction=direction, space_after=2 * mm))
    unnamed = count - len(names)
    if unnamed:
        story.append(
            BidiParagraph(
                ngettext(
                    "%(n)s more signer is counted above but not named, as they chose.",
                    "%(n)s more signers are counted above but not named, as they chose.",
                    unnamed,
                )
                % {"n": number(unnamed)},
                10,
                color=MUTED,
                direction=direction,
            )
        )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=HamlaCanvas)
    return buffer.getvalue(), len(names)
