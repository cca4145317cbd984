"""Commands that run the service: `smajobs serve` (the web app), `scheduler`, `send-mail`, `remind`.

Registered in smajobs/cli.py. All output is Danish; nothing printed names a recipient.
"""
from __future__ import annotations

import logging
import signal
from datetime import datetime

import click

from core import clock
from core.clock import COPENHAGEN
from smajobs.context import Context, pass_context


def _configure_logging(verbose: bool = True) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # APScheduler logs every run of every job at INFO; our jobs log what they did themselves.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _stop_on_sigterm(signum, frame) -> None:
    raise SystemExit(0)


def parse_now(value: str | None) -> datetime | None:
    """--now as ISO time; without a zone it is Danish time (Europe/Copenhagen)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} er ikke et ISO-tidspunkt som 2026-03-29T07:30",
                                 param_hint="--now")
    return moment if moment.tzinfo else moment.replace(tzinfo=COPENHAGEN)


def run_at(moment: datetime | None) -> None:
    """With --now, the one clock reads that moment until the command ends, so what the command
    stores (reminders, outbox rows, sent times) carries that time too; without it, the real time."""
    if moment is not None:
        click.get_current_context().with_resource(clock.use(moment))


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


@click.command("scheduler")
@pass_context
def scheduler_command(context: Context) -> None:
    """Kør planlæggeren som egen proces: send e-mail, påmindelser og dagligt overblik."""
    from jobs.scheduler import check_settings, run_blocking
    config = context.config
    try:
        check_settings(config)
    except ValueError as error:
        raise click.ClickException(str(error))
    _configure_logging()
    # SIGTERM (systemd, docker stop) stops as cleanly as Ctrl+C: a send in progress finishes.
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    click.echo(f"Planlæggeren kører (dansk tid, overblik kl. {config.digest_time} på hverdage, e-mail via "
               f"{config.mail_transport}). "
               "Stop med Ctrl+C.", err=True)
    run_blocking(config)
    click.echo("Planlæggeren er stoppet.", err=True)


@click.command("send-mail")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100_000),
              help="Højst så mange e-mails i denne omgang.")
@click.option("--now", "now_text", default=None,
              help="Send som om klokken var dette ISO-tidspunkt (til drift og test).")
@click.option("--pause-between", type=click.FloatRange(0, 3600), default=0.0, hidden=True,
              help="Kun til test: vent så mange sekunder mellem to e-mails.")
@pass_context
def send_mail_command(context: Context, limit: int, now_text: str | None, pause_between: float) -> None:
    """Send de e-mails i udbakken, der er klar nu, og stop."""
    from data.outbox import status_counts
    from jobs.mail import deliver_outbox
    _configure_logging(verbose=False)
    config = context.config
    run_at(parse_now(now_text))
    try:
        sent = deliver_outbox(context.db, config, limit=limit, pause_between=pause_between)
    except ValueError as error:
        raise click.ClickException(str(error))
    counts = status_counts(context.db)
    click.echo(f"Sendt: {sent}. Venter: {counts['waiting']} (heraf {counts['retrying']} efter "
               f"fejl). Fejlet endeligt: {counts['failed']}.")
    if counts["failed"]:
        click.echo("Se de fejlede e-mails under \"Fejlede e-mails\" i webappen (kun admin).", err=True)


# `smajobs remind` (the reminder rules) is added below this line by the rules module's author.


@click.command("remind")
@click.option("--now", "now_text", default=None,
              help="Kør reglerne som om klokken var dette ISO-tidspunkt, fx 2026-03-30T08:00 "
                   "(uden tidszone: dansk tid).")
@pass_context
def remind_command(context: Context, now_text: str | None) -> None:
    """Kør påmindelsesreglerne én gang og send de e-mails, der er klar."""
    from jobs.rules import RULE_LABELS, run_pass_detailed
    from jobs.rules_config import RulesConfigError
    config = context.config
    run_at(parse_now(now_text))
    try:
        result = run_pass_detailed(context.db, config, clock.now())
    except RulesConfigError as error:
        raise click.ClickException(f"Fejl i indstillingen rules: {error}")
    # Ids and rule names only: the output may end in a log, and names do not belong there.
    click.echo(f"Påmindelser pr. {result.today.isoformat()}: {len(result.created)} oprettet, "
               f"{len(result.closed)} lukket, {len(result.queued)} e-mails lagt i udbakken.")
    for placement_id in result.started:
        click.echo(f"  > forløb {placement_id} er startet (startdatoen er nået)")
    for item in result.created:
        click.echo(f"  + {RULE_LABELS[item['rule']]} (påmindelse {item['id']}, borger {item['citizen_id']}"
                   f"{_placement(item)}, forfalder {item['due_on']})")
    for item in result.closed:
        click.echo(f"  - lukket: {RULE_LABELS[item['rule']]} (påmindelse {item['id']}, "
                   f"borger {item['citizen_id']}{_placement(item)})")
    for item in result.queued:
        kind = "tak til virksomheden" if item["kind"] == "thanks" else "tjek-ind til virksomheden"
        click.echo(f"  @ {kind} (forløb {item['placement_id']}, e-mail {item['outbox_id']})")
    from jobs.mail import deliver_outbox
    try:
        sent = deliver_outbox(context.db, config)
    except ValueError as error:
        raise click.ClickException(str(error))
    click.echo(f"Sendt fra udbakken: {sent}.")


def _placement(item: dict) -> str:
    return f", forløb {item['placement_id']}" if item.get("placement_id") else ""


COMMANDS = (serve_command, scheduler_command, send_mail_command, remind_command)
