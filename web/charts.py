"""Charts drawn on the server as inline SVG (issue 12): no script, and no style attributes, so
they live within the app's Content-Security-Policy (web/headers.py). Colours and fonts come from
classes (.chart-*, .seg-N) in web/static/style.css and web/static/report.css.

Each chart draws only values that may be shown (data.results hides small numbers): a share left
out is not drawn, and the table under the chart says "<5".
"""
from __future__ import annotations

from collections import OrderedDict

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 270
BAR_HEIGHT = 18
GAP = 8
SEGMENTS = 10  # colour classes .seg-0 .. .seg-9


def _svg(chart_id: str, title: str, height: int, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>{"".join(body)}</svg>')


def _text(x: float, y: float, text, css: str = "chart-label", anchor: str = "start") -> str:
    return f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(str(text))}</text>'


def stacked_shares(chart_id: str, title: str, rows: list[tuple[str, str, float | None]],
                   tooltips: bool = True) -> Markup:
    """One 100 % bar per series, split in its categories' shares: rows are (series, category, share).
    `tooltips`: each segment names its category and share on hover (the page; a printed report
    has no hover, and WeasyPrint styles each of those elements for nothing)."""
    series: OrderedDict[str, list[tuple[str, float]]] = OrderedDict()
    categories: list[str] = []
    for name, category, value in rows:
        series.setdefault(name, [])
        if category not in categories:
            categories.append(category)
        if value is not None:
            series[name].append((category, value))
    plot = WIDTH - LABEL_WIDTH - 10
    body, y = [], 4
    for name, parts in series.items():
        body.append(_text(0, y + BAR_HEIGHT - 5, name[:44]))
        x = LABEL_WIDTH
        body.append(f'<rect class="chart-track" x="{x}" y="{y}" width="{plot}" height="{BAR_HEIGHT}"/>')
        for category, value in parts:
            width = plot * value / 100
            css = f"seg-{categories.index(category) % SEGMENTS}"
            tooltip = f'<title>{escape(name)}: {escape(category)} {value:g} %</title>' if tooltips else ""
            body.append(f'<rect class="{css}" x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}">'
                        f'{tooltip}</rect>')
            x += width
        y += BAR_HEIGHT + GAP
    y += 6
    # Legend: the categories in colour order, wrapped in two columns.
    for index, category in enumerate(categories):
        column, row = index % 2, index // 2
        lx, ly = (WIDTH // 2) * column, y + row * 18
        body.append(f'<rect class="seg-{index % SEGMENTS}" x="{lx:.1f}" y="{ly}" width="12" height="12"/>')
        body.append(_text(lx + 16, ly + 10, category))
    height = y + ((len(categories) + 1) // 2) * 18 + 4
    return _svg(chart_id, title, height, body)


def bars(chart_id: str, title: str, rows: list[tuple[str, float | None, str]], maximum: float,
         aim: float | None = None) -> Markup:
    """Horizontal bars: rows are (label, value or None, text at the bar's end); `aim` draws a line."""
    plot = WIDTH - LABEL_WIDTH - 80
    maximum = max(maximum, aim or 0, max((v for _, v, _ in rows if v is not None), default=0), 1)
    body, y = [], 4
    for label, value, shown in rows:
        body.append(_text(0, y + BAR_HEIGHT - 5, label[:44]))
        width = plot * (value or 0) / maximum
        if value is not None:
            body.append(f'<rect class="seg-0" x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}"/>')
        body.append(_text(LABEL_WIDTH + width + 6, y + BAR_HEIGHT - 5, shown))
        y += BAR_HEIGHT + GAP
    if aim is not None:
        x = LABEL_WIDTH + plot * aim / maximum
        body.append(f'<line class="chart-aim" x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{y}"/>')
        body.append(_text(x, y + 12, f"Mål: {aim:g}", "chart-label chart-aim-label", "middle"))
        y += 16
    return _svg(chart_id, title, y + 4, body)
