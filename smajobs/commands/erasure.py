"""Erasure and retention commands: `delete-citizen`, `delete-employer`, `retention`.
Registered in smajobs/cli.py. Output names ids only, never a name."""
from __future__ import annotations

from datetime import datetime

import click

from core.clock import COPENHAGEN
from smajobs.commands.service import parse_now
from smajobs.context import CliError, Context, pass_context


def _refuse_without_yes(yes: bool, what: str, command: str, identifier: str) -> None:
    if not yes:
        raise CliError(f"{what} slettes endeligt og kan ikke gendannes. "
                       f"Skriv 'smajobs {command} {identifier} --yes' for at bekræfte.")


@click.command("delete-citizen")
@click.argument("citizen_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Bekræft at borgeren skal slettes endeligt.")
@pass_context
def delete_citizen_command(context: Context, citizen_id: str, yes: bool) -> None:
    """Slet borgeren ID helt: profil, forløb, møder, rapportfrister, påmindelser, svar og de
    e-mails (og e-mailfiler), der nævner borgeren. Kun en linje i adgangsloggen bliver tilbage."""
    from data import audit
    from jobs.erasure import erase_citizen
    _refuse_without_yes(yes, f"Borger {citizen_id}", "delete-citizen", citizen_id)
    with audit.acting_as(audit.CLI):
        if not erase_citizen(context.db, context.config, citizen_id):
            raise CliError(f"Der er ingen borger med id '{citizen_id}'.")
    click.echo(f"Borger {citizen_id} er slettet.")


@click.command("delete-employer")
@click.argument("employer_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Bekræft at virksomheden skal slettes endeligt.")
@pass_context
def delete_employer_command(context: Context, employer_id: str, yes: bool) -> None:
    """Slet virksomheden ID på dens anmodning: stamdata, kontaktperson, småjobs, tilmeldinger og
    e-mails til den. Borgernes forløb bliver stående under »Slettet virksomhed«."""
    from data import audit
    from jobs.erasure import erase_employer
    _refuse_without_yes(yes, f"Virksomhed {employer_id}", "delete-employer", employer_id)
    with audit.acting_as(audit.CLI):
        if not erase_employer(context.db, context.config, employer_id):
            raise CliError(f"Der er ingen virksomhed med id '{employer_id}'.")
    click.echo(f"Virksomhed {employer_id} er slettet.")


@click.command("retention")
@click.option("--now", "now_text", default=None,
              help="Som om klokken var dette ISO-tidspunkt, fx 2027-03-30T08:00 (uden tidszone: dansk tid).")
@pass_context
def retention_command(context: Context, now_text: str | None) -> None:
    """Slet de borgere, hvis opbevaringsperiode er udløbet, og gamle afviste og erstattede
    tilmeldinger (det samme som planlæggeren gør hver dag)."""
    from data import audit
    from jobs.erasure import run_retention
    now = parse_now(now_text) or datetime.now(COPENHAGEN)
    with audit.acting_as(audit.CLI):
        result = run_retention(context.db, context.config, now)
    click.echo(f"Slettet: {result['citizens_erased']} borgere, {result['registrations_removed']} tilmeldinger, "
               f"{result['employers_removed']} afviste virksomheder.")


COMMANDS = (delete_citizen_command, delete_employer_command, retention_command)
