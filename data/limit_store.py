"""A rate-limit store in a small SQLite file, so several web processes share one count.

The `limits` library (under Flask-Limiter) keeps its counts in memory (per process), redis,
memcached or MongoDB. `smajobs serve` runs several worker processes on one machine, and with
counts in memory each would let the full log-in limit through: N workers, N times the attempts.
This storage keeps them in its own file beside the database (`<database>.limits`, see
`web.limits.storage_uri`), not in the database itself: a log-in attempt's write must not wait for,
or hold up, the service's own writes. WAL, and every check-and-count is one `BEGIN IMMEDIATE`
transaction, so concurrent requests in any process cannot all slip in under a limit.

Registered with `limits` under the scheme `sqlite://` by importing this module: `sqlite:///abs/path`
or `sqlite://relative/path`. It supports the fixed and the moving window (the app uses the moving
one). The keys hold e-mail addresses and client addresses, so the file is owner-only and deleted
rows are overwritten (secure_delete); rows leave once their window has passed.
"""
from __future__ import annotations

import sqlite3
import time
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Iterator

from limits.storage import MovingWindowSupport, Storage

from core.private import create_private_file, private_dir
from data.db import enable_wal

SCHEME = "sqlite"
BUSY_TIMEOUT_S = 30
SCHEMA = (
    # One row per counted attempt (moving window); `expires` is when it stops counting anywhere.
    "CREATE TABLE IF NOT EXISTS hits (key TEXT NOT NULL, at REAL NOT NULL, expires REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS hits_key_at ON hits (key, at)",
    "CREATE INDEX IF NOT EXISTS hits_expires ON hits (expires)",
    # Fixed-window counters.
    "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires REAL NOT NULL)",
)


def path_of(uri: str) -> Path:
    """'sqlite:///srv/smajobs.db.limits' -> /srv/smajobs.db.limits; 'sqlite://x.limits' -> x.limits."""
    path = uri[len(SCHEME) + 3:] if uri.startswith(SCHEME + "://") else ""
    if not path:
        raise ValueError(f"{uri!r} names no file (sqlite:///sti/til/filen)")
    return Path(path)


class SQLiteStorage(Storage, MovingWindowSupport):
    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options) -> None:
        self.path = path_of(uri)
        private_dir(self.path.parent)
        create_private_file(self.path)
        with self._transaction() as conn:
            for statement in SCHEMA:
                conn.execute(statement)
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    # A connection per operation: they are few (log-ins, the public form's posts), a connection to
    # this small file is cheap, and nothing is shared between threads or across a fork.
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        # Workers start together: the first switch of a fresh file to WAL is retried, not refused.
        enable_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA secure_delete = ON")
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with closing(self._connect()) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _read(self, sql: str, parameters: tuple) -> tuple:
        with closing(self._connect()) as conn:
            return conn.execute(sql, parameters).fetchone()

    @staticmethod
    def _forget_expired(conn: sqlite3.Connection, now: float) -> None:
        conn.execute("DELETE FROM hits WHERE expires <= ?", (now,))
        conn.execute("DELETE FROM counters WHERE expires <= ?", (now,))

    # --- moving window -------------------------------------------------------------------------

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        with self._transaction() as conn:
            now = time.time()
            self._forget_expired(conn, now)
            (counted,) = conn.execute("SELECT COUNT(*) FROM hits WHERE key = ? AND at > ?",
                                      (key, now - expiry)).fetchone()
            if counted + amount > limit:
                return False
            conn.executemany("INSERT INTO hits (key, at, expires) VALUES (?, ?, ?)",
                             [(key, now, now + expiry)] * amount)
            return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """(when the oldest attempt still counting was made, how many count) - or (now, 0)."""
        now = time.time()
        oldest, counted = self._read("SELECT MIN(at), COUNT(*) FROM hits WHERE key = ? AND at > ?",
                                     (key, now - expiry))
        return (oldest, counted) if counted else (now, 0)

    # --- fixed window --------------------------------------------------------------------------

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        with self._transaction() as conn:
            now = time.time()
            self._forget_expired(conn, now)
            conn.execute("INSERT INTO counters (key, value, expires) VALUES (?, ?, ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
                         (key, amount, now + expiry))
            return conn.execute("SELECT value FROM counters WHERE key = ?", (key,)).fetchone()[0]

    def get(self, key: str) -> int:
        row = self._read("SELECT value FROM counters WHERE key = ? AND expires > ?", (key, time.time()))
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        row = self._read("SELECT expires FROM counters WHERE key = ? AND expires > ?", (key, now))
        return row[0] if row else now

    # --- housekeeping --------------------------------------------------------------------------

    def check(self) -> bool:
        try:
            self._read("SELECT 1", ())
        except sqlite3.Error:
            return False
        return True

    def clear(self, key: str) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM hits WHERE key = ?", (key,))
            conn.execute("DELETE FROM counters WHERE key = ?", (key,))

    def reset(self) -> int:
        with self._transaction() as conn:
            removed = conn.execute("DELETE FROM hits").rowcount
            return removed + conn.execute("DELETE FROM counters").rowcount
