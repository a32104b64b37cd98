"""Server-rendered SVG charts: geometry only (no Django, no data access). Templates draw what these return
(templates/includes/chart_*.html); each chart comes with its numbers as a table for screen readers and keyboards.

Why SVG from the server and not a charting library: the portal's CSP allows no inline script or style, the charts
are small (tens of bars), and server-side SVG needs no JavaScript, no extra dependency and prints the same numbers
the table beside it shows."""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 1000  # viewBox units; the SVG scales to its container
PLOT_LEFT = 44
PLOT_RIGHT = WIDTH - 8


@dataclass
class Bar:
    label: str  # shown in the table and the tooltip
    value: float
    href: str = ""
    failed: bool = False
    detail: str = ""  # more for the tooltip and table
    secondary: float | None = None  # e.g. a run's duration, drawn in a second strip
    position: float | None = None  # 0..1 along the time axis; None: the bar's own slot
    # geometry, filled by the layout functions
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0
    secondary_y: float = 0
    secondary_height: float = 0


@dataclass
class Chart:
    bars: list[Bar]
    max_value: float
    height: int
    plot_height: int
    max_secondary: float = 0
    secondary_top: int = 0
    secondary_height: int = 0
    ticks: list[dict] = field(default_factory=list)  # y gridlines: {"y", "label"}
    axis_start: str = ""
    axis_end: str = ""
    axis_y: int = 0  # where the time axis's labels stand (inside the SVG, so they line up with the bars)

    @property
    def view_box(self) -> str:
        return f"0 0 {WIDTH} {self.height}"

    @property
    def plot_left(self) -> int:
        return PLOT_LEFT

    @property
    def plot_right(self) -> int:
        return PLOT_RIGHT


def nice_max(value: float) -> float:
    """A round top for the axis at or above value: 1, 2, 5, 10, 20, 50, ..."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def column_chart(bars: list[Bar], *, plot_height: int = 140, secondary_height: int = 0, axis_start: str = "",
                 axis_end: str = "", slots: int | None = None) -> Chart:
    """Vertical bars left to right (one slot each, or ``slots`` evenly spaced slots with bars at their index in
    ``bars`` order); a failed bar is drawn full height in the failure colour so it is seen even with no changes.
    ``secondary`` values, when given, are drawn in a strip below the main plot."""
    top = 8
    max_value = nice_max(max((bar.value for bar in bars), default=0))
    max_secondary = nice_max(max((bar.secondary or 0 for bar in bars), default=0)) if secondary_height else 0
    count = max(slots or len(bars), 1)
    slot = (PLOT_RIGHT - PLOT_LEFT) / count
    width = max(min(slot * 0.7, 40), 1.5)
    secondary_top = top + plot_height + 14
    for index, bar in enumerate(bars):
        if bar.position is None:
            bar.x = PLOT_LEFT + index * slot + (slot - width) / 2
        else:
            centre = PLOT_LEFT + bar.position * (PLOT_RIGHT - PLOT_LEFT)
            bar.x = min(max(centre - width / 2, PLOT_LEFT), PLOT_RIGHT - width)
        bar.width = width
        bar.height = plot_height if bar.failed and not bar.value else max(bar.value / max_value * plot_height,
                                                                           2 if bar.value else 0)
        bar.y = top + plot_height - bar.height
        if secondary_height:
            bar.secondary_height = (bar.secondary or 0) / max_secondary * secondary_height
            bar.secondary_y = secondary_top + secondary_height - bar.secondary_height
    ticks = [{"y": top + plot_height - fraction * plot_height, "label": _number(max_value * fraction)}
             for fraction in (0, 0.5, 1)]
    height = secondary_top + secondary_height + 4 if secondary_height else top + plot_height + 4
    axis_y = 0
    if axis_start or axis_end:
        axis_y, height = height + 12, height + 20
    return Chart(bars=bars, max_value=max_value, height=height, plot_height=plot_height,
                 max_secondary=max_secondary, secondary_top=secondary_top, secondary_height=secondary_height,
                 ticks=ticks, axis_start=axis_start, axis_end=axis_end, axis_y=axis_y)


@dataclass
class Row:
    """A bar of a horizontal bar chart (categories: mailboxes, presence states)."""

    label: str
    value: float
    css: str = ""  # a class for the bar's colour
    failed: bool = False
    detail: str = ""
    href: str = ""
    width: float = 0  # percent of the track


def row_chart(rows: list[Row]) -> list[Row]:
    """Horizontal bars as percentages of the largest value (drawn with SVG rects in a 100-unit track)."""
    top = nice_max(max((row.value for row in rows), default=0))
    for row in rows:
        row.width = round(row.value / top * 100, 2) if row.value else 0
    return rows


def _number(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or float(value).is_integer() else f"{value:.1f}"
