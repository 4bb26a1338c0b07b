"""Geometry for the small server-rendered SVG bar chart of actions per year.

The template draws it; this module only turns counts into rectangles so the
page needs no JavaScript and the chart reads right-to-left in Arabic.
"""

from dataclasses import dataclass

MAX_YEARS = 60


@dataclass(frozen=True)
class Bar:
    year: int
    count: int
    x: float
    y: float
    width: float
    height: float
    label_x: float
    count_y: float


@dataclass(frozen=True)
class BarChart:
    bars: list
    width: int
    height: int
    baseline: float
    max_count: int

    @property
    def year_y(self):
        return self.height - 5


def fill_years(counts, span=None):
    """{year: count} -> [(year, count)] for every year from the first to the last (or over
    `span`, a (first, last) pair), gaps as 0, so a quiet year shows as a gap rather than
    vanishing from the timeline."""
    if span is None:
        if not counts:
            return []
        span = (min(counts), max(counts))
    first, last = span
    # A mistyped date (year 201 for 2011) must not turn the chart into two thousand slivers.
    first = max(first, last - MAX_YEARS + 1)
    return [(year, counts.get(year, 0)) for year in range(first, last + 1)]


# Each year gets this many pixels: the SVG is drawn at its own size (never shrunk to a
# phone's width, where its labels became 5 px specks) and scrolls inside its figure when
# there are more years than the screen holds.
SLOT = 40
MIN_WIDTH = 320


def year_bars(counts, *, span=None, rtl=False, width=None, height=180, label_space=22, top_space=18):
    """Lay out one bar per year (over `span` if given). In right-to-left pages the earliest
    year is on the right. Without `width`, SLOT pixels a year (at least MIN_WIDTH)."""
    series = fill_years(counts, span)
    width = width or max(MIN_WIDTH, SLOT * len(series))
    if not series:
        return BarChart([], width, height, height - label_space, 0)
    max_count = max(count for _, count in series) or 1
    slot = width / len(series)
    bar_width = max(2.0, slot * 0.7)
    plot_height = height - label_space - top_space
    baseline = height - label_space
    bars = []
    for index, (year, count) in enumerate(series):
        position = len(series) - 1 - index if rtl else index
        x = position * slot + (slot - bar_width) / 2
        bar_height = plot_height * count / max_count
        bars.append(
            Bar(
                year=year,
                count=count,
                x=round(x, 1),
                y=round(baseline - bar_height, 1),
                width=round(bar_width, 1),
                height=round(bar_height, 1),
                label_x=round(position * slot + slot / 2, 1),
                count_y=round(baseline - bar_height - 4, 1),
            )
        )
    return BarChart(bars, width, height, baseline, max_count)
