"""`smajobs audit`: the Adgangslog (data/audit.py) on the command line, newest first, with the
same filters and columns as the admin page. Registered in smajobs/cli.py."""
from __future__ import annotations

import click

from smajobs.context import CliError, Context, pass_context


def _day(ctx, param, value: str | None):
    from data.audit import parse_day
    if value is None:
        return None
    try:
        return parse_day(value)
    except ValueError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from None


@click.command("audit")
@click.option("--citizen", "citizen_id", metavar="BORGER_ID", help="Kun rækker om denne borger.")
@click.option("--consultant", "email", metavar="E-MAIL", help="Kun hvad denne konsulent har gjort.")
@click.option("--since", metavar="DATO", callback=_day, help="Fra og med denne dag (2026-11-23 eller 23-11-2026).")
@click.option("--until", metavar="DATO", callback=_day, help="Til og med denne dag.")
@pass_context
def audit_command(context: Context, citizen_id: str | None, email: str | None, since, until) -> None:
    """Vis adgangsloggen: hvem der har set eller ændret hvilke borgeres data (nyeste først).

    Én linje pr. række, felterne adskilt af tabulator; kun id'er, aldrig navne."""
    from data import accounts, audit
    consultant_id = None
    if email is not None:
        row = accounts.consultant_by_email(context.db, email)
        if row is None:
            raise CliError(f"ingen konsulent med e-mail {email.strip()}. Se dem alle med: smajobs list-consultants")
        consultant_id = row["id"]
    if since and until and until < since:
        raise CliError("--until ligger før --since.")
    filters = audit.Filters(citizen_id=(citizen_id or "").strip() or None, consultant_id=consultant_id,
                            since=since, until=until)
    emails = {row["id"]: row["email"] for row in accounts.list_consultants(context.db)}
    printed = 0
    for row in audit.all_entries(context.db, filters):
        if not printed:
            click.echo("\t".join(audit.COLUMNS))
        click.echo("\t".join(audit.display_row(row, emails)))
        printed += 1
    if not printed:
        click.echo("Ingen rækker i adgangsloggen passer til søgningen.")


COMMANDS = (audit_command,)
