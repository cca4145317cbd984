"""Account commands: the accounts (`create-consultant`, `list-consultants`,
`deactivate-consultant`, `activate-consultant`, `set-password`, `create-token`, `list-tokens`,
`revoke-tokens`, `reset-2fa`) and the demo accounts `smajobs demo` makes. Registered in smajobs/cli.py."""
from __future__ import annotations

import sys

import click

from core.errors import Invalid
from smajobs.context import CliError, Context, invalid_error, pass_context

# The documented demo accounts (README "Demo"): never use them outside a demo database.
DEMO_ACCOUNTS = (
    ("konsulent@example.dk", "Karen Konsulent", "demo-konsulent", "consultant"),
    ("admin@example.dk", "Anders Admin", "demo-admin", "admin"),
)
MIN_PASSWORD = 8  # kept for callers; the rule itself is data.accounts.password_problem


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
    lines.append("Administratoren sætter en kode-app op (to-faktor) første gang, der logges ind.")
    return "\n".join(lines)


@click.command("create-consultant")
@click.argument("email", metavar="E-MAIL")
@click.option("--name", required=True, help="Konsulentens navn, som det vises på siderne.")
@click.option("--admin", is_flag=True, help="Administrator: ser alle borgere og kan overdrage dem.")
@click.option("--password-stdin", is_flag=True, help="Læs adgangskoden fra standard input (første linje).")
@pass_context
def create_consultant_command(context: Context, email: str, name: str, admin: bool, password_stdin: bool) -> None:
    """Opret en konsulent med e-mailen E-MAIL og en adgangskode."""
    from data import accounts
    from web.auth import hash_password
    role = "admin" if admin else "consultant"
    try:
        email, name = accounts.checked_new_consultant(context.db, email=email, name=name, role=role)
    except Invalid as error:
        problem = error.problems[0]
        if problem.field == "name":
            raise click.BadParameter(problem.sentence, param_hint="--name")
        if accounts.consultant_by_email(context.db, email) is not None:
            raise invalid_error(error)
        raise click.BadParameter(problem.sentence, param_hint="E-MAIL")
    password = read_new_password(password_stdin)
    accounts.create_consultant(context.db, email=email, name=name, password_hash=hash_password(password),
                               role=role)
    click.echo(f"Konsulenten {email} er oprettet{' som administrator' if admin else ''}.")


@click.command("create-token")
@click.argument("email", metavar="E-MAIL")
@click.option("--label", default="", help="Hvad nøglen bruges til, fx navnet på systemet.")
@pass_context
def create_token_command(context: Context, email: str, label: str) -> None:
    """Lav en ny API-nøgle til konsulenten E-MAIL. Nøglen vises kun denne ene gang."""
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
@click.argument("email", metavar="E-MAIL")
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

    from core.clock import local_now
    moment = datetime.fromisoformat(stored)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return local_now(moment).strftime("%d.%m.%Y %H:%M")


# --- taking access away, and giving it back ------------------------------------------------------

def read_new_password(from_stdin: bool) -> str:
    """A new password: the first line of standard input, or typed twice without echo."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Adgangskode", hide_input=True, confirmation_prompt="Gentag adgangskoden")
    from data.accounts import password_problem
    problem = password_problem(password)
    if problem:
        raise CliError(problem)
    return password


def _consultant(context: Context, email: str) -> dict:
    from data import accounts
    row = accounts.consultant_by_email(context.db, email)
    if row is None:
        raise CliError(f"ingen konsulent med e-mail {email.strip()}. Se dem alle med: smajobs list-consultants")
    return row


def _overview(context: Context) -> list[dict]:
    from data import accounts
    return accounts.consultants_overview(context.db)


def _borgere(count: int) -> str:
    return f"{count} borger" if count == 1 else f"{count} borgere"


@click.command("list-consultants")
@pass_context
def list_consultants_command(context: Context) -> None:
    """Vis alle konsulenter: e-mail, navn, rolle, om de er aktive, og antal borgere."""
    rows = _overview(context)
    if not rows:
        click.echo("Der er ingen konsulenter endnu. Opret en med: smajobs create-consultant E-MAIL --name NAVN")
        return
    width = max(len("E-mail"), *(len(row["email"]) for row in rows))
    name_width = max(len("Navn"), *(len(row["name"]) for row in rows))
    click.echo(f"{'E-mail':<{width}}  {'Navn':<{name_width}}  {'Rolle':<14}  {'Aktiv':<22}  Borgere")
    for row in rows:
        role = "administrator" if row["role"] == "admin" else "konsulent"
        active = "ja" if row["active"] else "nej" + (f" (siden {_local_time(row['deactivated_at'])[:10]})"
                                                       if row["deactivated_at"] else "")
        click.echo(f"{row['email']:<{width}}  {row['name']:<{name_width}}  {role:<14}  {active:<22}  "
                   f"{row['citizens']}")
    orphaned = sum(row["citizens"] for row in rows if not row["active"])
    if orphaned:
        click.echo(f"{_borgere(orphaned)} hos deaktiverede konsulenter venter på en ny konsulent "
                   "(en administrator overdrager dem under Alle borgere).")


@click.command("deactivate-consultant")
@click.argument("email", metavar="E-MAIL")
@pass_context
def deactivate_consultant_command(context: Context, email: str) -> None:
    """Tag adgangen fra konsulenten E-MAIL: kan ikke logge ind, og sessioner og API-nøgler holder op
    med at virke med det samme. Borgerne bliver, til en administrator overdrager dem."""
    from data import accounts
    row = _consultant(context, email)
    try:
        deactivated = accounts.deactivate_consultant(context.db, row["id"])
    except Invalid as error:
        raise invalid_error(error)
    if not deactivated:
        click.echo(f"{row['email']} var allerede deaktiveret.")
        return
    click.echo(f"{row['email']} er deaktiveret: kan ikke logge ind, og sessioner og API-nøgler virker ikke "
               "længere.")
    citizens = accounts.citizen_count(context.db, row["email"])
    if citizens:
        click.echo(f"{_borgere(citizens)} skal have en ny konsulent: en administrator overdrager dem under "
                   "Alle borgere, hvor de står som hos en deaktiveret konsulent.")


@click.command("activate-consultant")
@click.argument("email", metavar="E-MAIL")
@pass_context
def activate_consultant_command(context: Context, email: str) -> None:
    """Giv konsulenten E-MAIL adgang igen (med den adgangskode og de API-nøgler, der er tilbage)."""
    from data import accounts
    row = _consultant(context, email)
    if not accounts.set_active(context.db, row["id"], True):
        click.echo(f"{row['email']} er allerede aktiv.")
        return
    click.echo(f"{row['email']} er aktiv igen og kan logge ind.")


@click.command("revoke-tokens")
@click.argument("email", metavar="E-MAIL")
@pass_context
def revoke_tokens_command(context: Context, email: str) -> None:
    """Træk alle konsulentens API-nøgler tilbage; de holder op med at virke med det samme."""
    from data import accounts
    row = _consultant(context, email)
    count = accounts.revoke_api_tokens(context.db, row["id"])
    if count == 0:
        click.echo(f"{row['email']} havde ingen API-nøgler.")
    else:
        click.echo(f"{count} API-{'nøgle' if count == 1 else 'nøgler'} for {row['email']} er trukket tilbage "
                   "og virker ikke længere.")


@click.command("set-password")
@click.argument("email", metavar="E-MAIL")
@click.option("--password-stdin", is_flag=True, help="Læs adgangskoden fra standard input (første linje).")
@pass_context
def set_password_command(context: Context, email: str, password_stdin: bool) -> None:
    """Giv konsulenten E-MAIL en ny adgangskode; konsulentens sessioner slutter."""
    from data import accounts
    from web.auth import hash_password
    row = _consultant(context, email)
    password = read_new_password(password_stdin)
    accounts.set_password_hash(context.db, row["id"], hash_password(password))
    click.echo(f"Ny adgangskode for {row['email']} er gemt; sessioner med den gamle er afsluttet.")
    if not row["active"]:
        click.echo(f"{row['email']} er stadig deaktiveret. Giv adgang igen med: "
                   f"smajobs activate-consultant {row['email']}")


@click.command("reset-2fa")
@click.argument("email", metavar="E-MAIL")
@pass_context
def reset_second_factor_command(context: Context, email: str) -> None:
    """Nulstil konsulentens to-faktor (mistet telefon): godkendelsesappen og gendannelseskoderne
    holder op med at virke, konsulenten logges ud alle steder, får en e-mail om det og sætter en ny
    app op ved næste log-ind."""
    from web.accounts_admin import reset_second_factor
    row = _consultant(context, email)
    if not reset_second_factor(context.db, context.config, row, by="cli"):
        click.echo(f"{row['email']} har ingen to-faktor at nulstille.")
        return
    click.echo(f"To-faktor for {row['email']} er nulstillet, og sessionerne er afsluttet. Der er lagt en e-mail "
               "til konsulenten i udbakken; næste log-ind sætter en ny app op.")


COMMANDS = (create_consultant_command, create_token_command, list_tokens_command, list_consultants_command,
            deactivate_consultant_command, activate_consultant_command, revoke_tokens_command,
            set_password_command, reset_second_factor_command)
