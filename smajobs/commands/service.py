"""Commands that run the service: `smajobs serve` (the web app, gunicorn), `scheduler`, `send-mail`, `remind`.

Registered in smajobs/cli.py. All output is Danish; nothing printed names a recipient.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
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


THREADS_PER_WORKER = 8


def serve(config, host: str, port: int, scheduler: bool, workers: int | None = None) -> None:
    """Serve the app with gunicorn until interrupted: `workers` processes (default
    config.web_workers; 0 = one per core), each with its own threads. Optionally the scheduler
    runs beside it, as one process of its own (`smajobs scheduler`), never once per worker."""
    from data.db import connect
    workers = workers or config.web_workers or os.cpu_count() or 1
    # The schema is brought up to date once, here, before any worker starts.
    connect(config.db).close()
    if workers > 1 and config.rate_limit_storage.startswith("memory://"):
        click.echo("Advarsel: SMAJOBS_RATE_LIMIT_STORAGE=memory:// tæller i hver proces for sig, så med "
                   f"{workers} processer slipper {workers} gange så mange log-in-forsøg igennem.", err=True)
    background = _start_scheduler(config) if scheduler else None
    click.echo(f"småjobs kører på http://{_bind(host, port)}/ med {workers} "
               f"{'proces' if workers == 1 else 'processer'} (database {config.db}). Stop med Ctrl+C.")
    try:
        _gunicorn_application()(config, _bind(host, port), workers).run()
    finally:
        if background is not None:
            _stop(background)


def _bind(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _start_scheduler(config) -> subprocess.Popen:
    """`smajobs scheduler` as a child process on the same database and settings."""
    from jobs.scheduler import check_settings
    try:
        check_settings(config)
    except ValueError as error:
        raise click.ClickException(str(error))
    click.echo("Planlæggeren kører ved siden af i sin egen proces (påmindelser og e-mail).")
    return subprocess.Popen([sys.executable, "-m", "smajobs.cli", "--db", config.db, "scheduler"])


def _stop(process: subprocess.Popen) -> None:
    # SIGTERM: the scheduler finishes a send in progress and stops (see scheduler_command).
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()


def _gunicorn_application():
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        """gunicorn run from Python: the settings below and nothing from gunicorn's own
        configuration files or environment, so `smajobs serve` behaves the same everywhere."""

        def __init__(self, config, bind: str, workers: int):
            self.smajobs_config = config
            self.settings = {
                "bind": [bind], "workers": workers, "worker_class": "gthread", "threads": THREADS_PER_WORKER,
                # Each worker makes its own app after the fork: nothing threaded is forked.
                "preload_app": False,
                # A first request may build the match index; the worker must not be killed for it.
                "timeout": 300, "graceful_timeout": 30, "proc_name": "smajobs",
                # gunicorn's 2 s closes an idle browser's or proxy's connection between two clicks;
                # idle connections wait in the worker's poller, not in a thread, so keep them longer.
                "keepalive": 30,
                # The app's ProxyFix (SMAJOBS_PROXY_HOPS) is the one place forwarded headers are
                # trusted; gunicorn must not take X-Forwarded-Proto from loopback by itself.
                "forwarded_allow_ips": "", "proxy_allow_ips": "",
                # No control socket in the home folder (two services would share its path).
                "control_socket_disable": True,
                "accesslog": None, "errorlog": "-", "loglevel": "warning",
            }
            super().__init__()

        def load_config(self):
            for key, value in self.settings.items():
                self.cfg.set(key, value)

        def load(self):
            from web import create_app
            return create_app(self.smajobs_config)

    return Server


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse at lytte på.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Antal webprocesser (standard SMAJOBS_WEB_WORKERS, ellers én pr. CPU-kerne).")
@click.option("--scheduler/--no-scheduler", default=False, show_default=True,
              help="Kør også planlæggeren (påmindelser, e-mail) i én proces ved siden af.")
@pass_context
def serve_command(context: Context, host: str, port: int, workers: int | None, scheduler: bool) -> None:
    """Start webappen for konsulenterne på databasen (--db / SMAJOBS_DB)."""
    serve(context.config, host, port, scheduler, workers)


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
