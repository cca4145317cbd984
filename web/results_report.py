"""The Resultater figures as charts, and as files: CSV (long format, one count per line in
`antal`), XLSX (one sheet per chart), and "Erfaringsopsamling {år}" as HTML with print styles or
as PDF (WeasyPrint). Used by the page (web/results.py) and `smajobs report`; works without a
request, so the command line needs no web app.

Every value comes from data.results, which has already turned small counts into "<5" (and
hidden the counts they could be worked out from as "–").
"""
from __future__ import annotations

import csv
import functools
import io
import threading
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from core.formats import danish_date, danish_number
from data.outcomes import FOLLOWUP_STATUS_LABELS
from data.results import HIDDEN, SMALL, Results, Table
from web import charts

HERE = Path(__file__).resolve().parent
REPORT_CSS = HERE / "static" / "report.css"
SHARE_COLUMN = "Andel (%)"
# The small-numbers rule as the page, the report and its definitions say it (data.results applies it).
SMALL_NUMBERS_RULE = (f'Et antal fra 1 til 4 vises som "{SMALL}", og dets andel vises ikke. Et antal vist som '
                      f'"{HIDDEN}" er skjult, så et lille tal ikke kan regnes ud af en total og de andre tal.')


def shown(value) -> str:
    """A cell as text: numbers with a decimal comma, "<5" as it is, a hidden value as "–"."""
    if value is None:
        return "–"
    if isinstance(value, bool) or isinstance(value, str):
        return str(value)
    if isinstance(value, float):
        return danish_number(value, 1)
    return danish_number(value, 0)


def _column(table: Table, name: str) -> int:
    return table.columns.index(name)


def _drawn(count):
    """A count as a bar's length: "<5" and a hidden count draw none."""
    return None if isinstance(count, str) else count


def chart_for(table: Table, tooltips: bool = True) -> Markup | None:
    """The chart drawn above a table (the tables without one are plain lists of figures)."""
    rows = table.rows
    if table.key == "afgangsstatus":
        return charts.stacked_shares("chart-afgangsstatus", table.title, [(r[0], r[1], r[3]) for r in rows], tooltips)
    if table.key == "status_efter":
        return charts.stacked_shares("chart-status-efter", table.title,
                                     [(f"{r[0]} mdr., {r[1].lower()} lønnede timer", r[2], r[4]) for r in rows],
                                     tooltips)
    if table.key == "loennede_timer":
        return charts.bars("chart-loennede-timer", table.title,
                           [(r[0], r[3], f"{shown(r[3])} %, median {shown(r[4])} dage") for r in rows], 100)
    if table.key == "praksis":
        picked = [r for r in rows if r[0].endswith("(%)")]
        return charts.bars("chart-praksis", table.title, [(r[0][:-4], r[2], f"{shown(r[2])} %") for r in picked], 100)
    if table.key == "sagsstamme":
        return charts.bars("chart-sagsstamme", table.title, [(r[0], _drawn(r[1]), shown(r[1])) for r in rows], 20, aim=20)
    if table.key == "brancher":
        return charts.bars("chart-brancher", table.title, [(r[0], _drawn(r[1]), shown(r[1])) for r in rows[:12]],
                           max((r[1] for r in rows if _drawn(r[1]) is not None), default=1))
    return None


def period_text(results: Results) -> str:
    selection = results.filter
    first, last = selection.first_month, selection.last_month
    if first[:4] == last[:4] and first[5:] == "01" and last[5:] == "12":
        return first[:4]
    return f"{first} – {last}"


# --- CSV and XLSX --------------------------------------------------------------------------------------

def to_csv(results: Results) -> str:
    """Long format: one figure per line, its count in `antal` (and the share when it may be shown)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["figur", "periode", "gruppe", "kategori", "antal", "andel_pct", "vaerdi"])
    period = period_text(results)
    for table in results.tables:
        for row in table.rows:
            group, category, count, share_value, value = _long(table, row)
            writer.writerow([table.key, period, group, category, shown(count), "" if share_value is None
                             else shown(share_value), "" if value is None else shown(value)])
    for months, missing in results.missing_statuses.items():
        writer.writerow(["manglende_status", period, f"{months} mdr.", "Mangler", shown(missing), "", ""])
    return out.getvalue()


def _long(table: Table, row: list) -> tuple:
    """(group, category, count, share, value) of a table row, for the long format."""
    if table.key == "afgangsstatus":
        return row[0], row[1], row[2], row[3], None
    if table.key == "status_efter":
        return f"{row[0]} mdr., {row[1].lower()} lønnede timer", row[2], row[3], row[4], None
    if table.key == "loennede_timer":
        return row[0], "Med lønnede timer", row[2], row[3], row[4]
    if table.key == "praksis":
        return "", row[0], row[1], row[2] if row[0].endswith("(%)") else None, \
            None if row[0].endswith("(%)") else row[2]
    if table.key == "brancher":
        return "", row[0], row[1], row[2], None
    return "", row[0], row[1], None, None


def to_xlsx(results: Results) -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    book.remove(book.active)
    for table in results.tables:
        sheet = book.create_sheet(table.title[:31])
        sheet.append([table.title])
        sheet.append([table.sentence])
        sheet.append(table.columns)
        for row in table.rows:
            # Numbers stay numbers for a spreadsheet; "<5" and hidden values are text.
            sheet.append(["–" if v is None else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- HTML and PDF report -------------------------------------------------------------------------------

@functools.cache
def _environment() -> Environment:
    # Its own folder: the report is a standalone file with its styles inside (a download, or
    # WeasyPrint's input), never a page under the site's CSP, which web/templates are.
    environment = Environment(loader=FileSystemLoader(str(HERE / "report_templates")),
                              autoescape=select_autoescape(["html"]))
    environment.filters["vis"] = shown
    environment.filters["dato"] = danish_date
    return environment


# The long tables of stacked shares print as cross tables (a row per category, a column per
# series) and a count and its share share one cell, "1.234 (25,0 %)": WeasyPrint spends about a
# millisecond per table cell, most of the report's time, and this more than halves the cells.
CROSS_TABLES = {"afgangsstatus": "Afgangsstatus", "status_efter": "Status"}
CATEGORY_ORDER = list(FOLLOWUP_STATUS_LABELS.values())  # the outcomes first, in their usual order


def _with_share(count, share_value) -> str:
    return shown(count) if share_value is None else f"{shown(count)} ({shown(share_value)} %)"


def printed_table(table: Table) -> tuple[list[str], list[list[str]], str]:
    """The report's version of a table: its columns, its rows as text, and a note on reading them."""
    if table.key in CROSS_TABLES:
        return (*_cross_table(table), "Antal (andel af kolonnen i %).")
    if SHARE_COLUMN not in table.columns:
        return table.columns, [[shown(value) for value in row] for row in table.rows], ""
    at = _column(table, SHARE_COLUMN)  # the count it is a share of stands just before it
    columns = [*table.columns[:at - 1], f"{table.columns[at - 1]} (andel)", *table.columns[at + 1:]]
    return columns, [[*map(shown, row[:at - 1]), _with_share(row[at - 1], row[at]), *map(shown, row[at + 1:])]
                     for row in table.rows], "Antal (andel i %)."


def _cross_table(table: Table) -> tuple[list[str], list[list[str]]]:
    series: dict[str, None] = {}
    categories: dict[str, None] = {}
    cells = {}
    for row in table.rows:
        name, category, count, share_value, _ = _long(table, row)
        series[name] = categories[category] = None
        cells[(category, name)] = _with_share(count, share_value)
    ordered = sorted(categories, key=lambda c: CATEGORY_ORDER.index(c) if c in CATEGORY_ORDER else len(CATEGORY_ORDER))
    # A category missing from a series has no forløb there: 0, as the long table's missing row says.
    return ([CROSS_TABLES[table.key], *series],
            [[category, *(cells.get((category, name), "0") for name in series)] for category in ordered])


def report_html(results: Results, definitions: list[tuple[str, str]], made_on, for_print: bool = True) -> str:
    """"Erfaringsopsamling {år}": cover, summary, each chart with its table, definitions and the
    missing statuses, with its styles inside (a saved file and WeasyPrint need no server)."""
    template = _environment().get_template("erfaringsopsamling.html")
    sections = [(table, chart_for(table, tooltips=False), printed_table(table)) for table in results.tables]
    return template.render(results=results, sections=sections, period=period_text(results),
                           definitions=definitions, made_on=made_on, css=Markup(REPORT_CSS.read_text("utf-8")),
                           summary=summary(results), small_numbers=SMALL_NUMBERS_RULE)


_per_thread = threading.local()


def _font_config():
    """WeasyPrint's font set-up, made once per thread and kept: a new one loads Fontconfig's
    configuration and font list and starts a Pango font map with empty caches, about a sixth of
    the report's PDF time. Pango's font maps are not to be shared between threads."""
    if not hasattr(_per_thread, "font_config"):
        from weasyprint.text.fonts import FontConfiguration
        _per_thread.font_config = FontConfiguration()
    return _per_thread.font_config


def report_pdf(html: str) -> bytes:
    from weasyprint import HTML
    return HTML(string=html, base_url=str(HERE)).write_pdf(font_config=_font_config())


def summary(results: Results) -> list[str]:
    """The one-page summary's sentences, from the tables' own shown values."""
    tables = {t.key: t for t in results.tables}
    lines = [f"Forløb afsluttet i perioden: {shown(results.ended_shown)}."]
    paid = tables["loennede_timer"].rows
    if paid:
        shown_rows = [r for r in paid if isinstance(r[1], int) and isinstance(r[2], int)]
        total = sum(r[1] for r in shown_rows)
        reached = sum(r[2] for r in shown_rows)
        lines.append(f"Forløb med lønnede timer (kvartaler, hvor begge tal vises): {shown(reached)} af {shown(total)}.")
    for months, missing in results.missing_statuses.items():
        lines.append(f"Status {months} måneder efter forløbet mangler for {shown(missing)} forløb.")
    if results.includes_demo:
        lines.append("Tallene omfatter demodata.")
    return lines


DEFINITIONS = [
    ("Forløb", "Et afsluttet forløb (virksomhedspraktik, hybridpraktik, småjob eller fleksjob), talt i den "
               "måned det sluttede. Hvert afsluttet forløb gemmes anonymt, så tallene ikke ændres, når en "
               "borger slettes."),
    ("Afgangsstatus", "Hvad forløbet endte med, som konsulenten registrerede det ved afslutningen."),
    ("Lønnede timer", "Forløbet nåede lønnede timer, når det havde mere end 0 lønnede timer om ugen. Dage til "
                      "første lønnede time: fra forløbets start til datoen for den første lønnede time (median)."),
    ("Status efter forløbet", "Hvor borgeren stod 2 (6, 12) måneder efter forløbets slutdato. Andelen regnes af "
                              "de registrerede statusser; manglende tælles for sig. Forskellen mellem forløb med og "
                              "uden lønnede timer er en beskrivelse, ikke en årsag."),
    ("Dage til første virksomhedsmøde", "Fra den dag borgeren blev oprettet til det første møde med en virksomhed "
                                        "(median), for borgere oprettet i perioden. Målet er højst 30 dage."),
    ("Aktive borgere pr. konsulent", "Borgere med et planlagt eller aktivt forløb i dag. Målet er højst 20."),
    ("Opfølgninger til tiden", "Opfølgninger, der faldt i perioden, hvor et opfølgningsmøde blev holdt inden for "
                               "7 dage efter fristen."),
    ("Aktive inkluderende virksomheder", "Godkendte virksomheder med mindst ét åbent småjob i dag."),
    ("Små tal", f"{SMALL_NUMBERS_RULE} Så kan ingen genkendes."),
]
