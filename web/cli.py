"""Commands for the web app: `smajobs serve`, `smajobs create-consultant`, `smajobs create-token`,
`smajobs list-tokens`, and the demo accounts `smajobs demo` makes. Registered in smajobs/cli.py."""
from __future__ import annotations

import sys

import click

from smajobs.cli import Context, pass_context

# The documented demo accounts (README "Demo"): never use them outside a demo database.
DEMO_ACCOUNTS = (
    ("konsulent@example.dk", "Karen Konsulent", "demo-konsulent", "consultant"),
    ("admin@example.dk", "Anders Admin", "demo-admin", "admin"),
)
MIN_PASSWORD = 8


def ensure_demo_accounts(db) -> list[str]:
    """Create the demo accounts that do not exist yet (existing ones are left alone)."""
    from data import accounts
    from web.auth import hash_password
    created = []
    for email, name, password, role in DEMO_ACCOUNTS:
        if accounts.consultant_by_email(db, email) is None:
            accounts.create_consultant(db, email=email, name=name, password_hash=hash_password(password), role=role)
            created.append(email)
    return created


def demo_login_text(host: str, port: int) -> str:
    lines = [f"Log ind på http://{host}:{port}/login med en af demokontiene:"]
    for email, _, password, role in DEMO_ACCOUNTS:
        lines.append(f"  {email} / {password}" + ("  (administrator: ser alle borgere)" if role == "admin" else
                                                    "  (konsulent for demoborgerne)"))
    return "\n".join(lines)


def serve(config, host: str, port: int, scheduler: bool) -> None:
    """Serve the app with waitress until interrupted; optionally with the scheduler in-process."""
    from waitress import serve as waitress_serve

    from web import create_app
    app = create_app(config)
    background = None
    if scheduler:
        from jobs.scheduler import start_background
        background = start_background(config)
        click.echo("Planlæggeren kører i samme proces (påmindelser og e-mail).")
    click.echo(f"småjobs kører på http://{host}:{port}/ (database {config.db}). Stop med Ctrl+C.")
    try:
        waitress_serve(app, host=host, port=port, threads=8, ident="smajobs")
    finally:
        if background is not None:
            background.shutdown(wait=True)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse at lytte på.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--scheduler/--no-scheduler", default=False, show_default=True,
              help="Kør planlæggeren (påmindelser, e-mail) i samme proces.")
@pass_context
def serve_command(context: Context, host: str, port: int, scheduler: bool) -> None:
    """Start webappen for konsulenterne på databasen (--db / SMAJOBS_DB)."""
    serve(context.config, host, port, scheduler)


@click.command("create-consultant")
@click.argument("email")
@click.option("--name", required=True, help="Konsulentens navn, som det vises på siderne.")
@click.option("--admin", is_flag=True, help="Administrator: ser alle borgere og kan overdrage dem.")
@click.option("--password-stdin", is_flag=True, help="Læs adgangskoden fra standard input (første linje).")
@pass_context
def create_consultant_command(context: Context, email: str, name: str, admin: bool, password_stdin: bool) -> None:
    """Opret en konsulent med e-mail EMAIL og en adgangskode."""
    from email_validator import EmailNotValidError, validate_email

    from data import accounts
    from web.auth import hash_password
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise click.BadParameter(f"'{email}' er ikke en gyldig e-mailadresse.", param_hint="EMAIL")
    if not name.strip():
        raise click.BadParameter("Navnet må ikke være tomt.", param_hint="--name")
    if accounts.consultant_by_email(context.db, email) is not None:
        raise click.ClickException(f"Der findes allerede en konsulent med e-mail {email}.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Adgangskode", hide_input=True, confirmation_prompt="Gentag adgangskoden")
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"Adgangskoden skal have mindst {MIN_PASSWORD} tegn.")
    accounts.create_consultant(context.db, email=email, name=name, password_hash=hash_password(password),
                               role="admin" if admin else "consultant")
    click.echo(f"Konsulenten {email} er oprettet{' som administrator' if admin else ''}.")


@click.command("create-token")
@click.argument("email")
@click.option("--label", default="", help="Hvad nøglen bruges til, fx navnet på systemet.")
@pass_context
def create_token_command(context: Context, email: str, label: str) -> None:
    """Lav en ny API-nøgle til konsulenten EMAIL. Nøglen vises kun denne ene gang."""
    from data import accounts
    from web.auth import new_api_token
    row = accounts.consultant_by_email(context.db, email)
    if row is None or not row["active"]:
        raise click.ClickException(f"Ingen aktiv konsulent med e-mail {email}.")
    token, token_hash = new_api_token()
    accounts.add_api_token(context.db, row["id"], token_hash, label.strip()[:200])
    click.echo("Ny API-nøgle (gem den nu; den vises ikke igen):", err=True)
    click.echo(token)


@click.command("list-tokens")
@click.argument("email")
@pass_context
def list_tokens_command(context: Context, email: str) -> None:
    """Vis konsulentens API-nøgler: navn, oprettet og sidst brugt (aldrig selve nøglen)."""
    from data import accounts
    row = accounts.consultant_by_email(context.db, email)
    if row is None:
        raise click.ClickException(f"Ingen konsulent med e-mail {email}.")
    tokens = accounts.api_tokens_of(context.db, row["id"])
    if not tokens:
        click.echo(f"{row['email']} har ingen API-nøgler. Lav en med: smajobs create-token {row['email']}")
        return
    click.echo(f"API-nøgler for {row['email']}{'' if row['active'] else ' (deaktiveret: nøglerne virker ikke)'}:")
    click.echo(f"{'Nr.':>5}  {'Oprettet':<16}  {'Sidst brugt':<16}  Navn")
    for token in tokens:
        click.echo(f"{token['id']:>5}  {_local_time(token['created_at']):<16}  "
                   f"{_local_time(token['last_used_at']) or 'aldrig':<16}  {token['label'] or '(uden navn)'}")
    click.echo("Sidst brugt opdateres højst én gang i minuttet pr. nøgle.")


def _local_time(stored: str | None) -> str:
    """A stored UTC stamp as Copenhagen time, e.g. 23.11.2026 12:42."""
    if not stored:
        return ""
    from datetime import datetime, timezone

    from jobs.calendar import local_now
    moment = datetime.fromisoformat(stored)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return local_now(moment).strftime("%d.%m.%Y %H:%M")
