"""The one command line: `smajobs ...`. Each command is a thin wrapper over a library call."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from smajobs import click_da
from smajobs.config import Config, ConfigError

# click's own messages ("Usage:", "Error: Missing argument ...") in Danish; before any command
# is defined, because click.Path names itself ("file") when it is created.
click_da.install()


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


@click.group(cls=click_da.DanishGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(dir_okay=False), default=None,
              help="Databasefil (ellers SMAJOBS_DB eller instance/smajobs.db).")
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """småjobs: borgere, virksomheder og småjobs – match, opfølgning og e-mail."""
    try:
        ctx.obj = Context(Config.load(db=db))
    except ConfigError as error:
        raise CliError(str(error)) from None


@main.command("import")
@click.argument("file", metavar="FIL", type=click.Path(dir_okay=False, allow_dash=True))
@pass_context
def import_command(context: Context, file: str) -> None:
    """Indlæs FIL i udvekslingsformatet (opdaterer efter id; en fejl afviser hele filen)."""
    from data.exchange import ExchangeError, parse_document
    from data.registry import import_document
    document = read_json_file(file)
    # The whole file is checked before the database is even opened: nothing is stored half-way.
    try:
        parsed = parse_document(document)
    except ExchangeError as error:
        raise CliError(f"{file}: {error}")
    try:
        summary = import_document(context.db, parsed)
    except ExchangeError as error:  # a conflict with what is already stored
        raise CliError(f"{file}: {error}")
    click.echo(f"Indlæst {'standard input' if file == '-' else file}: {summary.describe()}")


def read_json_file(file: str):
    """The decoded JSON in `file` ("-": standard input), or a Danish error saying what is wrong."""
    from data.json_text import JsonTextError, decode as decode_json
    try:
        with click.open_file(file, "rb") as stream:  # "-" is standard input
            raw = stream.read()
    except FileNotFoundError:
        raise CliError(f"Filen {file} findes ikke.")
    except OSError as error:
        raise CliError(f"Filen {file} kan ikke læses ({error.strerror or error}).")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CliError(f"{file} er ikke gyldig JSON: teksten er ikke UTF-8 (byte nr. {error.start + 1}).")
    if not text.strip():
        raise CliError(f"{file} er tom: forventede et JSON-objekt med 'employers' og/eller 'citizens'.")
    try:
        return decode_json(text)
    except JsonTextError as error:
        raise CliError(f"{file} {'er ikke gyldig JSON' if error.syntax else 'kan ikke bruges'}: {error.reason}.")


@main.command("export")
@click.argument("file", metavar="[FIL]", type=click.Path(dir_okay=False, writable=True), required=False)
@pass_context
def export_command(context: Context, file: str | None) -> None:
    """Skriv hele registret i udvekslingsformatet til FIL (eller standard output)."""
    from data.registry import export_document
    text = json.dumps(export_document(context.db), ensure_ascii=False, indent=2) + "\n"
    if file is None:
        click.echo(text, nl=False)
        return
    # Write beside the target and rename, so a failed export never leaves half a file.
    target = Path(file)
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise CliError(f"Kan ikke skrive {file}: {error.strerror or error}.")
    click.echo(f"Eksporteret til {file}", err=True)


@main.command("match")
@click.argument("citizen_id", metavar="BORGER_ID")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--radius", "radius_km", type=click.FloatRange(0.1, 500), default=None,
              help="Udvid (eller indskrænk) søgeradius i km; resultatet siger det.")
@click.option("--json", "as_json", is_flag=True, help="Skriv resultatet som JSON.")
@pass_context
def match_command(context: Context, citizen_id: str, top: int, radius_km: float | None, as_json: bool) -> None:
    """Vis borgerens bedste småjobs med begrundelser."""
    from smajobs.matching import match_service
    result = match_service.match(context.db, citizen_id, top=top, radius_km=radius_km)
    if result is None:
        raise CliError(f"Ingen borger med id {citizen_id!r}.")
    if as_json:
        click.echo(json.dumps([m.to_dict() for m in result.matches], ensure_ascii=False, indent=2))
        return
    click.echo(format_matches(context.db, citizen_id, result))


def format_matches(db, citizen_id: str, result) -> str:
    from data.registry import get_employer, get_opening
    lines = []
    if result.notice:
        lines.append(result.notice)
    if not result.matches:
        lines.append(f"Ingen småjobs passer til {citizen_id} inden for {format_km(result.radius_km)}.")
    for rank, match in enumerate(result.matches, 1):
        opening, employer = get_opening(db, match.opening_id), get_employer(db, match.employer_id)
        lines.append(f"{rank:>2}. {opening['title']} – {employer['name']} "
                     f"[{match.opening_id}]  score {match.score:.2f}")
        for reason in match.reasons:
            lines.append(f"      {'+' if reason.positive else '-'} {reason.text}")
    return "\n".join(lines)


def format_km(km: float) -> str:
    return f"{km:g} km".replace(".", ",")


@main.command("demo")
@click.option("--top", default=3, show_default=True, type=click.IntRange(1, 50))
@click.option("--serve", "then_serve", is_flag=True, help="Start webappen bagefter (som smajobs serve).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse for --serve.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port for --serve.")
@pass_context
def demo_command(context: Context, top: int, then_serve: bool, host: str, port: int) -> None:
    """Indlæs demodata og demokonti, vis hver demoborgers bedste småjobs (og start webappen med --serve)."""
    from data.registry import import_document
    demo = Path(__file__).resolve().parent.parent / "data" / "demo" / "demo.json"
    summary = import_document(context.db, json.loads(demo.read_text(encoding="utf-8")))
    click.echo(f"Demodata: {summary.describe()}\n")
    from smajobs.matching import match_service
    for citizen in json.loads(demo.read_text(encoding="utf-8"))["citizens"]:
        click.echo(f"== {citizen['first_name']} ({citizen['id']})")
        click.echo(format_matches(context.db, citizen["id"],
                                  match_service.match(context.db, citizen["id"], top=top)))
        click.echo("")
    from web.cli import demo_login_text, ensure_demo_accounts, serve
    created = ensure_demo_accounts(context.db)
    if created:
        click.echo(f"Demokonti oprettet: {', '.join(created)}")
    click.echo(demo_login_text(host, port))
    if then_serve:
        # The demo is the whole service: web app and scheduler, e-mail written to files.
        config = context.config
        if "SMAJOBS_BASE_URL" not in os.environ:
            config = config.with_(base_url=f"http://{host}:{port}")
        serve(config, host, port, scheduler=True)


from jobs.cli import scheduler_command, send_mail_command  # noqa: E402
main.add_command(scheduler_command)
main.add_command(send_mail_command)
from jobs.cli import remind_command  # noqa: E402
main.add_command(remind_command)
from web.cli import create_consultant_command, create_token_command, serve_command  # noqa: E402
main.add_command(serve_command)
main.add_command(create_consultant_command)
main.add_command(create_token_command)
from web.cli import list_tokens_command  # noqa: E402
main.add_command(list_tokens_command)
from web.cli import (activate_consultant_command, deactivate_consultant_command,  # noqa: E402
                     list_consultants_command, revoke_tokens_command, set_password_command)
main.add_command(list_consultants_command)
main.add_command(deactivate_consultant_command)
main.add_command(activate_consultant_command)
main.add_command(revoke_tokens_command)
main.add_command(set_password_command)

if __name__ == "__main__":
    main()
