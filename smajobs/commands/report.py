"""`smajobs report`: the Resultater figures for a year as a file (CSV, XLSX) or as the yearly
report "Erfaringsopsamling" (HTML, PDF), the same as the page's downloads. Registered in
smajobs/cli.py."""
from __future__ import annotations

from pathlib import Path

import click

from smajobs.context import CliError, Context, pass_context

FORMATS = ("csv", "xlsx", "pdf", "html")


@click.command("report")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="Året (forløb afsluttet i året).")
@click.option("--target-group", metavar="MÅLGRUPPE", default=None, help="Kun denne målgruppe.")
@click.option("--format", "file_format", type=click.Choice(FORMATS), required=True, help="Filformat.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True, help="Filen der skrives.")
@pass_context
def report_command(context: Context, year: int, target_group: str | None, file_format: str, out: str) -> None:
    """Skriv årets resultater som CSV eller XLSX, eller Erfaringsopsamling som HTML eller PDF."""
    from core.clock import today
    from data import results
    from web.results_report import DEFINITIONS, report_html, report_pdf, to_csv, to_xlsx
    figures = results.compute(context.db, results.year_filter(year, target_group=(target_group or "").strip() or None),
                              context.config.followup_months, today())
    if file_format == "csv":
        body: bytes = ("\ufeff" + to_csv(figures)).encode("utf-8")
    elif file_format == "xlsx":
        body = to_xlsx(figures)
    else:
        html = report_html(figures, DEFINITIONS, today())
        body = report_pdf(html) if file_format == "pdf" else html.encode("utf-8")
    try:
        Path(out).write_bytes(body)
    except OSError as error:
        raise CliError(f"Kan ikke skrive {out}: {error.strerror or error}.") from None
    click.echo(f"Skrev {out} ({file_format}, {figures.ended_shown} afsluttede forløb i {year}).")


COMMANDS = (report_command,)
