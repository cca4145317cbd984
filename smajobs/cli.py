"""The one command line: `smajobs ...`. Each command is a thin wrapper over a library call; the
commands live in smajobs/commands/, grouped by what they work on."""
from __future__ import annotations

import click

from smajobs import click_da

# click's own messages ("Usage:", "Error: Missing argument ...") in Danish; before any command
# is defined, because click.Path names itself ("file") when it is created.
click_da.install()

from core.config import Config, ConfigError  # noqa: E402
from core.private import restrict_umask  # noqa: E402
from data import audit  # noqa: E402
from smajobs.commands import accounts, audit as audit_command, backup, erasure, privacy, registry, report, service, taught  # noqa: E402  (after click_da.install)
from smajobs.context import CliError, Context  # noqa: E402


@click.group(cls=click_da.DanishGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(dir_okay=False), default=None,
              help="Databasefil (ellers SMAJOBS_DB eller instance/smajobs.db).")
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """småjobs: borgere, virksomheder og småjobs – match, opfølgning og e-mail."""
    # Before anything is created: the database, backups, exports and e-mail files are private.
    restrict_umask()
    try:
        ctx.obj = Context(Config.load(db=db))
    except ConfigError as error:
        raise CliError(str(error)) from None
    # Every read or change a command makes is logged as the CLI's (ended with the command, so
    # a test that runs commands in its own process gets its own actor back).
    ctx.with_resource(audit.acting_as(audit.CLI))


for module in (registry, service, accounts, erasure, audit_command, privacy, backup, report, taught):
    for command in module.COMMANDS:
        main.add_command(command)

if __name__ == "__main__":
    main()
