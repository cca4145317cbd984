"""Backups of the database: take one while the service runs, check one, put one back.

A backup is made with SQLite's online backup API (`sqlite3.Connection.backup`), never by copying
the file: a file copy taken while the web app or the scheduler writes can catch the database
half-way between two transactions, or miss what still sits in the WAL. The backup API copies
in one step inside one read transaction, so the copy is the database as of one moment, and in
WAL mode writers go on meanwhile. The copy is written beside its target, switched to a plain
rollback journal (one self-contained file), checked, and renamed into place: a backup file
either is whole or does not exist. It is owner-only (core.private), like the database.

Restore uses the same API the other way, into the database file itself, so it also works on
a file other processes have open; the README's restore drill still stops them first.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import sqlite_utils

from core.clock import local_now, now
from core.private import create_private_file, fsync_path, private_dir, temporary_beside
from data import job_runs, migrations
from data.db import BUSY_TIMEOUT_MS, migrate, open_database

JOB = "backup"
# The nightly backup is late (the Drift page warns) after a day and a half: one missed night.
STALE_AFTER = timedelta(hours=36)
FILE_PREFIX = "smajobs-"
FILE_SUFFIX = ".db"
# Tables that say nothing about whether a database holds data: a fresh, migrated one has rows
# in some of them.
BOOKKEEPING_TABLES = {"schema_migrations", "registry_version", "audit_pruning", "job_runs"}
# Row counts are printed with these Danish names, in this order; other tables follow by name.
TABLE_LABELS = {
    "citizens": "Borgere",
    "employers": "Virksomheder",
    "openings": "Småjobs",
    "placements": "Forløb",
    "placement_reports": "Rapportfrister",
    "meetings": "Møder",
    "reminders": "Påmindelser",
    "employer_checkins": "Tjek-ind hos virksomheder",
    "registrations": "Tilmeldinger fra virksomheder",
    "employer_links": "Virksomhedslinks",
    "outbox": "E-mails i udbakken",
    "consultants": "Konsulenter",
    "api_tokens": "API-nøgler",
    "calendar_feeds": "Kalenderfeeds",
    "audit_log": "Adgangslog",
    "job_runs": "Kørte faste job",
}
# Bookkeeping whose row count says nothing to a reader (the schema version is shown instead).
UNCOUNTED_TABLES = {"schema_migrations", "registry_version", "audit_pruning"}


class BackupError(Exception):
    """A backup that cannot be taken, checked or restored; the message is Danish and says why."""


@dataclass
class Report:
    """What `inspect` found in a database file."""
    path: Path
    problems: list[str] = field(default_factory=list)
    schema_version: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    size: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def latest_version(self) -> int:
        return migrations.latest_version()

    @property
    def older_schema(self) -> bool:
        return self.schema_version < self.latest_version

    def count_lines(self) -> list[str]:
        """`Borgere: 3`, ... in a fixed order, for printing."""
        return [f"{label_of(table)}: {count}" for table, count in self.counts.items()]


@dataclass(frozen=True)
class BackupFile:
    path: Path
    size: int
    modified: datetime


@dataclass(frozen=True)
class Status:
    """What the Drift page shows about backups."""
    configured: bool
    folder: str
    keep: int
    time: str
    last_success: str | None
    stale: bool
    files: list[BackupFile]


def label_of(table: str) -> str:
    return TABLE_LABELS.get(table, table)


# --- taking one ----------------------------------------------------------------------------------

def backup(db_path: str | Path, target: str | Path) -> Report:
    """Copy the database at `db_path` to `target` (replaced if it exists), consistently, while
    other processes may be writing. Returns the check of the copy; raises BackupError."""
    db_path, target = Path(db_path), Path(target)
    if not db_path.is_file():
        raise BackupError(f"Databasen {db_path} findes ikke.")
    if target.resolve() == db_path.resolve():
        raise BackupError("Sikkerhedskopien kan ikke skrives oven i selve databasen.")
    private_dir(target.parent)
    temporary = temporary_beside(target)
    temporary.unlink(missing_ok=True)
    create_private_file(temporary)
    try:
        _copy(db_path, temporary)
        report = inspect(temporary)
        if not report.ok:
            raise BackupError("Kopien kunne ikke godkendes: " + " ".join(report.problems))
        fsync_path(temporary)
        os.replace(temporary, target)
        fsync_path(target.parent)
    except sqlite3.Error as error:
        raise BackupError(f"Sikkerhedskopien kunne ikke tages: {error}.") from None
    finally:
        temporary.unlink(missing_ok=True)
    report.path = target
    return report


def _copy(db_path: Path, temporary: Path) -> None:
    source = sqlite3.connect(str(db_path), timeout=BUSY_TIMEOUT_MS / 1000)
    copy = sqlite3.connect(str(temporary))
    try:
        # pages=-1 (the default): the whole database in one step, i.e. one read transaction,
        # one moment. Step-wise copying would restart whenever another process commits.
        source.backup(copy)
        # The copy took the source's WAL flag; a backup is one self-contained file.
        copy.execute("PRAGMA journal_mode = DELETE")
    finally:
        copy.close()
        source.close()


def backup_to_folder(db_path: str | Path, folder: str | Path, keep: int,
                     moment: datetime | None = None) -> tuple[Report, list[Path]]:
    """A new backup named by the Danish time in `folder`, then all but the newest `keep` of
    our backup files there removed. Returns the new backup's report and the files removed."""
    if keep < 1:
        raise BackupError(f"SMAJOBS_BACKUP_KEEP skal være mindst 1, ikke {keep}.")
    stamp = local_now(moment or now()).strftime("%Y-%m-%d-%H%M%S")
    report = backup(db_path, Path(folder) / f"{FILE_PREFIX}{stamp}{FILE_SUFFIX}")
    removed = []
    for old in backup_files(folder)[keep:]:
        old.path.unlink(missing_ok=True)
        removed.append(old.path)
    return report, removed


def backup_files(folder: str | Path) -> list[BackupFile]:
    """Our backup files in `folder`, newest first (the names sort by time)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob(f"{FILE_PREFIX}*{FILE_SUFFIX}"), reverse=True):
        stat = path.stat()
        found.append(BackupFile(path, stat.st_size, datetime.fromtimestamp(stat.st_mtime).astimezone()))
    return found


def record_success(db: sqlite_utils.Database, moment: datetime | None = None) -> None:
    """Note in the live database that a backup succeeded (after it was taken, so the backup
    itself does not contain the note)."""
    job_runs.note_success(db, JOB, local_now(moment or now()).date())


def status(db: sqlite_utils.Database, folder: str, keep: int, time: str,
           moment: datetime | None = None, *, list_files: bool = True) -> Status:
    """`list_files=False` skips reading the folder (the menu only needs `stale`)."""
    last = job_runs.last_success(db, JOB)
    configured = bool(folder.strip())
    current = local_now(moment or now())
    stale = configured and (last is None or current - datetime.fromisoformat(last) > STALE_AFTER)
    return Status(configured=configured, folder=folder, keep=keep, time=time, last_success=last, stale=stale,
                  files=backup_files(folder) if configured and list_files else [])


# --- checking one --------------------------------------------------------------------------------

def inspect(path: str | Path) -> Report:
    """Integrity, schema version and row counts of the database file at `path`, read-only."""
    path = Path(path)
    report = Report(path)
    if not path.is_file():
        report.problems.append(f"Filen {path} findes ikke.")
        return report
    report.size = path.stat().st_size
    try:
        connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True,
                                     timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as error:
        report.problems.append(f"{path} kan ikke åbnes: {error}.")
        return report
    try:
        _inspect(connection, report)
    except sqlite3.DatabaseError as error:
        report.problems.append(f"{path} er ikke en brugbar SQLite-database ({error}).")
    finally:
        connection.close()
    return report


def _inspect(connection: sqlite3.Connection, report: Report) -> None:
    found = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    if found != ["ok"]:
        report.problems.append("Integritetstjekket fandt fejl: " + "; ".join(found[:5]) + ".")
        return
    tables = [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    if "schema_migrations" not in tables:
        report.problems.append(f"{report.path} er ikke en småjobs-database (tabellen schema_migrations mangler).")
        return
    applied = {row[0] for row in connection.execute("SELECT version FROM schema_migrations")}
    report.schema_version = max(applied, default=0)
    unknown = sorted(applied - {version for version, _ in migrations.steps()})
    if unknown:
        report.problems.append(
            f"Sikkerhedskopien er fra en nyere udgave af småjobs (skemaændring "
            f"{', '.join(map(str, unknown))} kendes ikke; denne udgave kender op til "
            f"{migrations.latest_version()}). Opdatér småjobs, før den gendannes.")
    order = {table: position for position, table in enumerate(TABLE_LABELS)}
    shown = [table for table in tables if table not in UNCOUNTED_TABLES]
    for table in sorted(shown, key=lambda name: (order.get(name, len(order)), name)):
        report.counts[table] = connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


# --- putting one back ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Restored:
    backup: Report
    migrated: list[int]
    result: Report


def restore(backup_path: str | Path, db_path: str | Path, *, force: bool = False) -> Restored:
    """Put the backup at `backup_path` into the database at `db_path` (created if missing),
    then bring its schema up to date. Refuses a backup that fails its checks or is from a newer
    schema, and a database that holds data unless `force`."""
    checked = inspect(backup_path)
    if not checked.ok:
        raise BackupError("Sikkerhedskopien kan ikke gendannes: " + " ".join(checked.problems))
    db_path = Path(db_path)
    if db_path.resolve() == Path(backup_path).resolve():
        raise BackupError("Sikkerhedskopien og databasen er den samme fil.")
    target = open_database(db_path)  # creates an owner-only file if there is none
    try:
        rows = rows_of_data(target)
        if rows and not force:
            raise BackupError(f"Databasen {db_path} er ikke tom ({rows} rækker med data). Brug --force for "
                              "at erstatte den med sikkerhedskopien (tag evt. først en sikkerhedskopi af den).")
        source = sqlite3.connect(Path(backup_path).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            source.backup(target.conn)
        except sqlite3.Error as error:
            raise BackupError(f"Gendannelsen mislykkedes, databasen er uændret: {error}.") from None
        finally:
            source.close()
        migrated = migrate(target)
    finally:
        target.close()
    result = inspect(db_path)
    if not result.ok:
        raise BackupError("Den gendannede database fejler sit tjek: " + " ".join(result.problems))
    return Restored(backup=checked, migrated=migrated, result=result)


def rows_of_data(db: sqlite_utils.Database) -> int:
    """Rows in the tables that hold data (bookkeeping tables left out)."""
    return sum(db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
               for table in db.table_names() if table not in BOOKKEEPING_TABLES and not table.startswith("sqlite_"))
