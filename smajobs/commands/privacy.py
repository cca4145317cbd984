"""Data protection commands: `smajobs export-citizen` (access export, GDPR art. 15).

Registered in smajobs/cli.py. The erasure and retention commands live in their own module.
"""
from __future__ import annotations

import json

import click

from smajobs.context import CliError, Context, pass_context


def export_text(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


@click.command("export-citizen")
@click.argument("citizen_id", metavar="BORGER_ID")
@click.argument("file", metavar="[FIL]", type=click.Path(dir_okay=False), required=False)
@pass_context
def export_citizen_command(context: Context, citizen_id: str, file: str | None) -> None:
    """Alt, der er gemt om borgeren, som ét JSON-dokument (indsigt, GDPR art. 15).

    Uden FIL skrives det til standard output; med FIL gemmes det samlet, kun læsbart for
    ejeren (mode 600). Udtrækket skrives i adgangsloggen."""
    from core.private import write_private
    from data import audit
    from data.access_export import citizen_export
    with audit.acting_as(audit.CLI):
        document = citizen_export(context.db, citizen_id)
    if document is None:
        raise CliError(f"Ingen borger med id {citizen_id!r}.")
    text = export_text(document)
    if file is None:
        click.echo(text, nl=False)
        return
    try:
        write_private(file, text.encode("utf-8"))
    except OSError as error:
        raise CliError(f"Kan ikke skrive {file}: {error.strerror or error}.")
    click.echo(f"Alle data om borger {citizen_id} er gemt i {file} (kun læsbar for dig).", err=True)


COMMANDS = (export_citizen_command,)
