"""Registry commands: `import`, `export`, `match` and `demo`."""
from __future__ import annotations

import json
import os
from pathlib import Path

import click

from smajobs.commands.accounts import demo_login_text, ensure_demo_accounts
from smajobs.commands.service import serve
from core.errors import Invalid
from data.match_filters import RADIUS_KM
from smajobs.context import CliError, Context, invalid_error, pass_context


@click.command("import")
@click.argument("file", metavar="FIL", type=click.Path(dir_okay=False, allow_dash=True))
@pass_context
def import_command(context: Context, file: str) -> None:
    """Indlæs FIL i udvekslingsformatet (opdaterer efter id; en fejl afviser hele filen)."""
    from data.exchange import parse_document
    from data.registry import import_document
    document = read_json_file(file)
    # The whole file is checked before the database is even opened: nothing is stored half-way.
    try:
        parsed = parse_document(document)
    except Invalid as error:
        raise invalid_error(error, file)
    try:
        summary = import_document(context.db, parsed)
    except Invalid as error:  # a conflict with what is already stored
        raise invalid_error(error, file)
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


@click.command("export")
@click.argument("file", metavar="[FIL]", type=click.Path(dir_okay=False, writable=True), required=False)
@pass_context
def export_command(context: Context, file: str | None) -> None:
    """Skriv hele registret i udvekslingsformatet til FIL (eller standard output)."""
    from data.registry import export_document
    document = export_document(context.db)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if file is None:
        click.echo(text, nl=False)
        _log_export(context.db, document)
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
    _log_export(context.db, document)
    click.echo(f"Eksporteret til {file}", err=True)


def _log_export(db, document: dict) -> None:
    """One audit row per citizen handed out (after the file is written: a failed export handed out nothing)."""
    from data import audit
    audit.log_many(db, "exported", [citizen["id"] for citizen in document["citizens"]])


@click.command("match")
@click.argument("citizen_id", metavar="BORGER_ID")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--radius", "radius_km", type=click.FloatRange(*RADIUS_KM), default=None,
              help="Udvid (eller indskrænk) søgeradius i km; resultatet siger det.")
@click.option("--json", "as_json", is_flag=True, help="Skriv resultatet som JSON.")
@pass_context
def match_command(context: Context, citizen_id: str, top: int, radius_km: float | None, as_json: bool) -> None:
    """Vis borgerens bedste småjobs med begrundelser."""
    from data.matching import match_service
    result = match_service.match(context.db, citizen_id, top=top, radius_km=radius_km)
    if result is None:
        raise CliError(f"Ingen borger med id {citizen_id!r}.")
    from data import audit
    audit.log(context.db, "viewed_matches", citizen_id)
    if as_json:
        click.echo(json.dumps([m.to_dict() for m in result.matches], ensure_ascii=False, indent=2))
        return
    click.echo(format_matches(context.db, citizen_id, result))


def format_matches(db, citizen_id: str, result) -> str:
    from data.matching import match_rows
    lines = []
    if result.notice:
        lines.append(result.notice)
    if not result.matches:
        lines.append(f"Ingen småjobs passer til {citizen_id} inden for {format_km(result.radius_km)}.")
    for rank, row in enumerate(match_rows(db, result.matches), 1):
        match, opening, employer = row["match"], row["opening"], row["employer"]
        lines.append(f"{rank:>2}. {opening['title']} – {employer['name']} "
                     f"[{match.opening_id}]  score {match.score:.2f}")
        for reason in match.reasons:
            lines.append(f"      {'+' if reason.positive else '-'} {reason.text}")
    return "\n".join(lines)


def format_km(km: float) -> str:
    return f"{km:g} km".replace(".", ",")


@click.command("demo")
@click.option("--top", default=3, show_default=True, type=click.IntRange(1, 50))
@click.option("--serve", "then_serve", is_flag=True, help="Start webappen bagefter (som smajobs serve).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse for --serve.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port for --serve.")
@pass_context
def demo_command(context: Context, top: int, then_serve: bool, host: str, port: int) -> None:
    """Indlæs demodata og demokonti, vis hver demoborgers bedste småjobs (og start webappen med --serve)."""
    from data.registry import import_document
    demo = Path(__file__).resolve().parents[2] / "data" / "demo" / "demo.json"
    summary = import_document(context.db, json.loads(demo.read_text(encoding="utf-8")))
    click.echo(f"Demodata: {summary.describe()}\n")
    from data import audit
    from data.matching import match_service
    for citizen in json.loads(demo.read_text(encoding="utf-8"))["citizens"]:
        click.echo(f"== {citizen['first_name']} ({citizen['id']})")
        click.echo(format_matches(context.db, citizen["id"],
                                  match_service.match(context.db, citizen["id"], top=top)))
        click.echo("")
        audit.log(context.db, "viewed_matches", citizen["id"])
    from core.clock import today
    from data.demo_history import seed_history
    added = seed_history(context.db, today(), points=tuple(sorted({2, 6, 12, *context.config.followup_months})))
    if added:
        click.echo(f"Demohistorik: {added} afsluttede forløb over tre år (vises som demodata under Resultater).\n")
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


COMMANDS = (import_command, export_command, match_command, demo_command)
