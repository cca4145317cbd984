"""What every command shares: the click context object (config and a lazily opened database)
and the one user-facing error, `CliError`."""
from __future__ import annotations

import sys

import click

from core.config import Config
from core.errors import Invalid


class Context:
    def __init__(self, config: Config):
        self.config = config
        self._db = None

    @property
    def db(self):
        if self._db is None:
            import sqlite3
            from data.db import connect
            try:
                self._db = connect(self.config.db)
            except sqlite3.DatabaseError as error:
                # e.g. --db pointing at a file that is not SQLite, or a locked/read-only file.
                raise CliError(f"Databasen {self.config.db} kan ikke åbnes: {error}.")
        return self._db


pass_context = click.make_pass_decorator(Context)


class CliError(click.ClickException):
    """A user-facing error: printed as "Fejl: ..." (click's own prefix is English), exit code 1."""

    def show(self, file=None) -> None:
        click.echo(f"Fejl: {self.format_message()}", file=file or sys.stderr)


def invalid_error(error: Invalid, where: str = "") -> CliError:
    """The CLI's one adapter for `core.errors.Invalid`. For a file (`where`, its name) the whole
    list as `str(error)` prints it, each problem with its record and field; for a command about
    one thing (an account) just the reasons, as sentences."""
    if where:
        return CliError(f"{where}: {error}")
    return CliError(" ".join(problem.sentence for problem in error.problems))
