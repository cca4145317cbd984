"""Connections, transactions and schema migrations.

The web app and the scheduler write the same SQLite file, so every write is a short
`BEGIN IMMEDIATE` transaction (see `write`): it takes the write lock up front instead of
failing half-way with SQLITE_BUSY when another process commits first.
"""
from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import sqlite_utils

from core.clock import now_iso
from core.private import create_private_file, private_dir
from data import migrations

BUSY_TIMEOUT_MS = 30_000


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path` and bring its schema up to date."""
    db = open_database(path)
    migrate(db)
    return db


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open without migrating; used by `migrate` tests and by `connect`."""
    path = Path(path)
    if str(path) != ":memory:":
        # Owner-only from the first byte; SQLite gives the -wal and -shm files the same mode.
        private_dir(path.parent)
        create_private_file(path)
    # isolation_level=None: the driver never opens a transaction by itself. Transactions are
    # exactly the `write` blocks; a stray statement outside one commits at once instead of
    # silently holding the write lock (and blocking every other process) until someone commits.
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False,
                           isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if str(path) != ":memory:":
        enable_wal(conn)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    # Deleted rows are overwritten with zeros, not just unlinked: an erased citizen must not
    # stay readable in free pages of the file (or in the WAL frames that carry those pages).
    conn.execute("PRAGMA secure_delete = ON")
    return sqlite_utils.Database(conn)


def checkpoint(db: sqlite_utils.Database) -> bool:
    """Copy the WAL into the database file and truncate it to zero bytes, so older page images
    (with data just erased) leave the WAL too. True when it finished; False when a reader still
    held an older snapshot (the next checkpoint completes it). Call outside a transaction."""
    if db.conn.in_transaction:
        return False  # the caller's transaction must commit first
    if str(db.conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        return True
    busy, _, _ = db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return busy == 0


def enable_wal(conn: sqlite3.Connection) -> None:
    # Switching a fresh file to WAL needs an exclusive lock, and SQLite answers "database is
    # locked" at once (without the busy handler) while another process is doing the same or
    # running the first migration. So retry until the busy timeout, as the handler would.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = 0.005
    while True:
        try:
            if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() == "wal":
                return
            problem: Exception = sqlite3.OperationalError("journal_mode could not be set to WAL")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            problem = error
        if time.monotonic() > deadline:
            raise problem
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


@contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A short write transaction. Nested calls join the outer transaction."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def schema_version(db: sqlite_utils.Database) -> int:
    if "schema_migrations" not in db.table_names():
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return row[0] or 0


def applied_versions(db: sqlite_utils.Database) -> set[int]:
    if "schema_migrations" not in db.table_names():
        return set()
    return {row[0] for row in db.execute("SELECT version FROM schema_migrations")}


def migrate(db: sqlite_utils.Database, target: int | None = None) -> list[int]:
    """Apply pending migrations in order, each in its own transaction. Returns the versions applied."""
    applied = []
    # Read once: every connection (one per web request) comes through here. _apply checks
    # again under the write lock, in case another process migrated meanwhile. By the set of
    # versions, not the highest: step numbers are handed out ahead, so a database may have met
    # step 7 before step 6 was written, and step 6 must still run there.
    done = applied_versions(db)
    for version, step in migrations.steps():
        if target is not None and version > target:
            break
        if version in done:
            continue
        _apply(db, version, step)
        applied.append(version)
    return applied


def _apply(db: sqlite_utils.Database, version: int, step: Callable) -> None:
    # Foreign keys are switched off while a step rebuilds tables, as SQLite's ALTER TABLE
    # procedure asks; foreign_key_check proves the data still holds together before commit.
    db.conn.execute("PRAGMA foreign_keys = OFF")
    try:
        with write(db):
            if version in applied_versions(db):  # another process got there first
                return
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            step(db)
            problems = db.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"migration {version} broke foreign keys: {problems[:5]}")
            db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                [version, step.__name__, now_iso()],
            )
    finally:
        db.conn.execute("PRAGMA foreign_keys = ON")
