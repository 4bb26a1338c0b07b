"""The printable mobilisation-history report (PDF, reportlab).

All text goes through the bidi/HarfBuzz engine of core.typeset (BidiParagraph,
draw_paragraph), so Arabic is shaped and right-to-left; charts are
reportlab.graphics bar charts whose Arabic labels are drawn by that engine
too. There is one text engine in Hamla, not two.
"""

import io
from collections import Counter, defaultdict

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from core.typeset import PAGE_SIZES, BidiParagraph, HamlaCanvas, document, draw_paragraph, measure_text, register_fonts
from organisation.models import Organisation

from .charts import fill_years
from .models import Action, Campaign, years_of
from .results import for_campaigns

ACCENT = HexColor("#0b6e4f")
HIGHLIGHT = HexColor("#e0a100")
MUTED = HexColor("#5b6670")
LINE = HexColor("#d8dde2")


def _date(value, approximate):
    if value is None:
        return "—"
    if approximate:
        return _("about %(month)s") % {"month": formats.date_format(value, "YEAR_MONTH_FORMAT")}
    return formats.date_format(value, "DATE_FORMAT")


class LabelledChart(Flowable):
    """A reportlab Drawing plus text labels drawn with the bidi engine.

    reportlab's own chart labels would lay Arabic out letter by letter in the
    wrong order, so the charts carry numbers only and words come from here:
    `labels` is a list of (text, x, y_top, width, size, align)."""

    def __init__(self, drawing, labels):
        super().__init__()
        self.drawing = drawing
        self.labels = labels
        self.width, self.height = drawing.width, drawing.height

    def wrap(self, availWidth, availHeight):  # noqa: N803 - platypus API
        return self.width, self.height

    def draw(self):
        self.drawing.drawOn(self.canv, 0, 0)
        for text, x, y_top, width, size, align in self.labels:
            draw_paragraph(self.canv, text, x, y_top, width, size, align=align, color=MUTED)


def _drawing(width, height):
    # reportlab.graphics starts every drawing in Helvetica (a font it references but
    # never embeds) until a label sets another: start in the embedded Noto Sans instead.
    drawing = Drawing(width, height)
    drawing.initialFontName = register_fonts()["latin"]
    return drawing


def _number_font(chart_axis, size=8):
    chart_axis.labels.fontName = register_fonts()["latin"]
    chart_axis.labels.fontSize = size


def year_chart(counts, width, *, rtl, highlight=None, title=""):
    """Vertical bars of actions per year (every year from first to last, gaps as 0)."""
    series = fill_years(counts)
    height = 62 * mm
    drawing = _drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 9 * mm
    chart.width, chart.height = width - 20 * mm, height - 22 * mm
    chart.data = [[count for _, count in series] or [0]]
    chart.categoryAxis.categoryNames = [str(year) for year, _ in series] or [""]
    chart.categoryAxis.reverseDirection = rtl
    chart.categoryAxis.labels.angle = 0 if len(series) <= 16 else 60
    chart.categoryAxis.labels.boxAnchor = "n" if len(series) <= 16 else "ne"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = True
    _number_font(chart.categoryAxis, 8 if len(series) <= 16 else 6)
    _number_font(chart.valueAxis)
    chart.valueAxis.labelTextFormat = "%d"
    chart.valueAxis.valueStep = max(1, _nice_step(max([c for _, c in series] or [1])))
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = _count_label
    chart.barLabels.fontName = register_fonts()["latin"]
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 5
    for index, (year, _count) in enumerate(series):
        if year == highlight:
            chart.bars[(0, index)].fillColor = HIGHLIGHT
    drawing.add(chart)
    labels = [(title, 0, height, width, 10, "auto")] if title else []
    return LabelledChart(drawing, labels)


def _count_label(value):
    # Empty years stay unlabelled so the years with actions stand out.
    return f"{value:.0f}" if value else ""


def _nice_step(maximum):
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if maximum / step <= 6:
            return step
    return maximum // 5


def kind_chart(rows, width, *, rtl, title=""):
    """Horizontal bars of actions per kind; the kind names are drawn by the bidi engine."""
    rows = rows or [("—", 0)]
    bar_slot = 7 * mm
    label_width = max(measure_text(label, 9) for label, _ in rows) + 4 * mm
    top = 9 * mm if title else 2 * mm
    height = bar_slot * len(rows) + 10 * mm + top
    drawing = _drawing(width, height)
    chart = HorizontalBarChart()
    chart.width = width - label_width - 12 * mm
    chart.height = bar_slot * len(rows)
    chart.y = 8 * mm
    chart.x = 6 * mm if rtl else label_width + 4 * mm
    # First row at the top, as it is read.
    chart.data = [[count for _, count in reversed(rows)]]
    chart.categoryAxis.categoryNames = ["" for _ in rows]
    chart.categoryAxis.visibleTicks = False
    chart.categoryAxis.visible = False
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = True
    chart.valueAxis.reverseDirection = rtl
    chart.valueAxis.labelTextFormat = "%d"
    chart.valueAxis.valueStep = max(1, _nice_step(max(c for _, c in rows) or 1))
    _number_font(chart.valueAxis)
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = _count_label
    chart.barLabels.fontName = register_fonts()["latin"]
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    chart.barWidth = 4 * mm
    drawing.add(chart)
    labels = [(title, 0, height, width, 10, "auto")] if title else []
    label_x = chart.x + chart.width + 2 * mm if rtl else 0
    for index, (label, _count) in enumerate(rows):
        row_top = chart.y + chart.height - index * bar_slot
        labels.append((label, label_x, row_top - 1.2 * mm, label_width, 9, "left" if rtl else "right"))
    return LabelledChart(drawing, labels)


# Above this many actions the report lists campaigns only (one line each, with their
# counts): every action of a long history would be hundreds of pages and a minute of work.
MAX_LISTED_ACTIONS = 600


def history_data(year=None, max_listed_actions=MAX_LISTED_ACTIONS):
    """Everything the report shows, in a handful of queries: per-year counts (all years),
    counts per kind and totals of the selection, and its campaigns with their actions
    (or, past `max_listed_actions`, with their action counts only)."""
    per_year = years_of(Action.objects.all(), "date")
    actions = Action.objects.all()
    campaigns = Campaign.objects.order_by("start_date", "id")
    if year:
        actions = actions.filter(date__year=year)
        campaigns = campaigns.filter(Q(start_date__year=year) | Q(actions__date__year=year)).distinct()
    kinds = Counter({row["kind"]: row["n"] for row in actions.order_by().values("kind").annotate(n=Count("pk"))})
    action_count = sum(kinds.values())
    condensed = action_count > max_listed_actions
    by_campaign = defaultdict(list)
    if condensed:
        counted = actions.filter(campaign=OuterRef("pk")).order_by().values("campaign")
        campaigns = campaigns.annotate(
            action_count=Subquery(counted.annotate(n=Count("pk")).values("n")),
            participant_count=Subquery(counted.annotate(p=Sum("participants")).values("p")),
        )
    else:
        for action in actions.order_by("date", "id"):
            by_campaign[action.campaign_id].append(action)
    campaigns = list(campaigns)
    return {
        "per_year": per_year,
        "campaigns": campaigns,
        "results": for_campaigns(campaign.pk for campaign in campaigns),
        "actions_of": by_campaign,
        "kinds": kinds,
        "action_count": action_count,
        "participants": actions.aggregate(p=Sum("participants"))["p"] or 0,
        "condensed": condensed,
    }


def render_history_report(year=None, language="ar"):
    """The report as PDF bytes, for all years or one, in Arabic or English."""
    with translation.override(language):
        return _render(history_data(year), year, language)


def _render(data, year, language):
    rtl = translation.get_language_bidi()
    # Headings and fact lines follow the report's direction even when they start with a number.
    direction = "rtl" if rtl else "ltr"
    buffer = io.BytesIO()
    page_width, page_height = PAGE_SIZES["a4"]
    margin = 16 * mm
    width = page_width - 2 * margin
    title = _("Mobilisation history")
    scope = str(year) if year else _("All years")
    # The title page names the organisation (in the report's language) and shows its logo.
    profile = Organisation.current()
    organisation_name = profile.name_in(language)
    doc = document(buffer, title=f"{title} — {scope}", language=language, margin=margin)
    footer = _("%(organisation)s — mobilisation history — page %(page)s")

    def on_page(canvas, doc):
        draw_paragraph(
            canvas,
            footer % {"organisation": organisation_name, "page": doc.page},
            margin,
            margin,
            width,
            8,
            align="center",
            direction=direction,
            color=MUTED,
        )

    kind_labels = dict(Action.Kind.choices)
    story = [
        *_title_logo(profile.logo_bytes, rtl),
        BidiParagraph(organisation_name, 14, bold=True, color=MUTED, direction=direction, space_after=1 * mm),
        BidiParagraph(title, 22, bold=True, color=ACCENT, space_after=2 * mm),
        BidiParagraph(
            f"{scope} · " + _("generated %(date)s") % {"date": formats.date_format(timezone.localdate())},
            10,
            color=MUTED,
            direction=direction,
            space_after=4 * mm,
        ),
        BidiParagraph(
            _("%(campaigns)s campaigns · %(actions)s actions · %(participants)s participants recorded")
            % {
                "campaigns": len(data["campaigns"]),
                "actions": data["action_count"],
                "participants": data["participants"],
            },
            11,
            bold=True,
            direction=direction,
            space_after=5 * mm,
        ),
        year_chart(data["per_year"], width, rtl=rtl, highlight=year, title=_("Actions per year")),
        Spacer(1, 5 * mm),
        kind_chart(
            [(str(kind_labels.get(kind, kind)), n) for kind, n in data["kinds"].most_common()],
            width,
            rtl=rtl,
            title=_("Actions by kind") + (f" ({year})" if year else ""),
        ),
        Spacer(1, 6 * mm),
    ]
    if not data["campaigns"]:
        story.append(BidiParagraph(_("Nothing recorded for this period."), 11))
    if data["condensed"]:
        story.append(
            BidiParagraph(
                _("Too many actions to list them all: each campaign shows its totals. Choose one year for details."),
                10,
                color=MUTED,
                direction=direction,
                space_after=2 * mm,
            )
        )
    current_year = object()  # neither a year nor None: undated campaigns get a heading too
    for campaign in data["campaigns"]:
        if campaign.year != current_year:
            current_year = campaign.year
            story += [
                CondPageBreak(40 * mm),
                BidiParagraph(
                    str(current_year or _("Undated")),
                    16,
                    bold=True,
                    color=ACCENT,
                    direction=direction,
                    space_before=4 * mm,
                ),
                _Rule(width),
            ]
        if data["condensed"]:
            story.append(_campaign_line(campaign, direction))
        else:
            story += _campaign_block(campaign, data["actions_of"].get(campaign.pk, []), direction)
            story += _results(data["results"].get(campaign.pk, []), direction)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=HamlaCanvas)
    return buffer.getvalue()


class _Rule(Flowable):
    def __init__(self, width):
        super().__init__()
        self.width, self.height = width, 3 * mm

    def draw(self):
        self.canv.setStrokeColor(LINE)
        self.canv.setLineWidth(0.8)
        self.canv.line(0, self.height - 1 * mm, self.width, self.height - 1 * mm)


def _title_logo(data, rtl):
    """The organisation's logo (already validated PNG) at the title's side, 18 mm high."""
    if not data:
        return []
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image

    width, height = ImageReader(io.BytesIO(data)).getSize()
    logo = Image(io.BytesIO(data), width=18 * mm * width / height, height=18 * mm)
    logo.hAlign = "RIGHT" if rtl else "LEFT"
    return [logo, Spacer(1, 2 * mm)]


def _campaign_line(campaign, direction):
    facts = [
        campaign.get_kind_display(),
        _date(campaign.start_date, campaign.dates_approximate),
        _("%(n)s actions") % {"n": campaign.action_count or 0},
        _("%(n)s participants") % {"n": campaign.participant_count or 0},
    ]
    if campaign.city:
        facts.insert(2, campaign.city)
    text = f"{campaign.title} — " + " · ".join(str(f) for f in facts)
    return BidiParagraph(text, 9, direction=direction, space_before=1 * mm)


def _results(results, direction):
    """Other apps' results for a campaign (campaigns.results): its asks and what came of them."""
    if not results:
        return []
    lines = [BidiParagraph(_("Asks and their results"), 9.5, bold=True, direction=direction, space_before=1.5 * mm)]
    for result in results:
        lines.append(BidiParagraph(f"{result.title} — {result.line}", 9, direction=direction))
    return lines


def _campaign_block(campaign, actions, direction):
    facts = [
        campaign.get_kind_display(),
        campaign.get_status_display(),
        _date(campaign.start_date, campaign.dates_approximate),
    ]
    if campaign.city:
        facts.append(campaign.city + (f" · {campaign.neighbourhood}" if campaign.neighbourhood else ""))
    block = [
        BidiParagraph(campaign.title, 13, bold=True, space_before=3 * mm, space_after=1 * mm),
        BidiParagraph(" · ".join(str(f) for f in facts), 9, color=MUTED, direction=direction, space_after=1.5 * mm),
    ]
    if campaign.summary:
        block.append(BidiParagraph(campaign.summary, 10, space_after=1.5 * mm))
    head = [KeepTogether(block)]
    rest = []
    for action in actions:
        line = f"{_date(action.date, action.date_approximate)} — {action.get_kind_display()}"
        if action.neighbourhood:
            line += f" · {action.neighbourhood}"
        if action.participants is not None:
            line += " · " + _("%(n)s participants") % {"n": action.participants}
        rest.append(BidiParagraph(line, 9, bold=True, color=ACCENT, direction=direction, space_before=1 * mm))
        if action.description:
            rest.append(BidiParagraph(action.description, 9.5))
        if action.outcome:
            rest.append(BidiParagraph(_("Outcome: %(outcome)s") % {"outcome": action.outcome}, 9, color=MUTED))
    if campaign.outcome_notes:
        rest.append(
            BidiParagraph(_("Outcome: %(outcome)s") % {"outcome": campaign.outcome_notes}, 9.5, space_before=1 * mm)
        )
    return head + rest
