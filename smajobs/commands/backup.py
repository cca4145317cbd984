"""Backup commands: `smajobs backup`, `restore` and `verify-backup` (library: data/backup.py).

Registered in smajobs/cli.py. Output is Danish; row counts only, never data.
"""
from __future__ import annotations

import click

from core.formats import danish_number
from smajobs.context import CliError, Context, pass_context


def _size(size: int) -> str:
    return f"{danish_number(size / 1_000_000, 1)} MB" if size >= 100_000 else f"{danish_number(size / 1000, 1)} kB"


def _version_line(report) -> str:
    note = " (ældre: opgraderes, når den gendannes)" if report.older_schema else ""
    return f"Skemaversion: {report.schema_version} (denne udgave af småjobs: {report.latest_version}){note}"


def _echo_counts(report) -> None:
    click.echo("Rækker:")
    for line in report.count_lines():
        click.echo(f"  {line}")


@click.command("backup")
@click.argument("file", metavar="FIL", type=click.Path(dir_okay=False))
@pass_context
def backup_command(context: Context, file: str) -> None:
    """Tag en sikkerhedskopi af databasen til FIL, mens tjenesten kører.

    Kopien tages med SQLites backup-API (ét øjeblik, også mens der skrives), tjekkes og gemmes
    kun læsbar for ejeren. En eksisterende FIL erstattes."""
    from data.backup import BackupError, backup, record_success
    try:
        report = backup(context.config.db, file)
    except BackupError as error:
        raise CliError(str(error))
    record_success(context.db)
    click.echo(f"Sikkerhedskopi gemt i {file} ({_size(report.size)}, skemaversion {report.schema_version}, "
               f"integritet i orden).")


@click.command("restore")
@click.argument("file", metavar="FIL", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Erstat også en database, der har data.")
@pass_context
def restore_command(context: Context, file: str, force: bool) -> None:
    """Gendan databasen fra sikkerhedskopien FIL.

    Stop webappen og planlæggeren først. Kopien tjekkes (integritet og skemaversion) før
    noget ændres; en kopi fra en nyere udgave afvises, en ældre opgraderes efter gendannelsen.
    En database med data erstattes kun med --force."""
    from data.backup import BackupError, restore
    try:
        restored = restore(file, context.config.db, force=force)
    except BackupError as error:
        raise CliError(str(error))
    click.echo(f"Databasen {context.config.db} er gendannet fra {file}.")
    if restored.migrated:
        click.echo(f"Skemaet er opgraderet fra version {restored.backup.schema_version} "
                   f"(skemaændring {', '.join(map(str, restored.migrated))}).")
    _echo_counts(restored.result)


@click.command("verify-backup")
@click.argument("file", metavar="FIL", type=click.Path(dir_okay=False))
def verify_backup_command(file: str) -> None:
    """Tjek sikkerhedskopien FIL: integritet, skemaversion og antal rækker."""
    from data.backup import inspect
    report = inspect(file)
    if not report.ok:
        raise CliError(" ".join(report.problems))
    click.echo(f"Fil: {file} ({_size(report.size)})")
    click.echo("Integritet: i orden")
    click.echo(_version_line(report))
    _echo_counts(report)
    click.echo("Sikkerhedskopien kan gendannes.")


COMMANDS = (backup_command, restore_command, verify_backup_command)
