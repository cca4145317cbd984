"""Connections and write transactions (data.db) on a real SQLite file: WAL, foreign keys,
BEGIN IMMEDIATE, rollback on failure, nesting, and two writers at once."""
from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone

import pytest

from core.clock import now_iso
from data.db import connect, write


@pytest.fixture
def path(tmp_path):
    return tmp_path / "smajobs.db"


def make_scratch_table(db) -> None:
    with write(db):
        db.execute("CREATE TABLE IF NOT EXISTS scratch (id INTEGER PRIMARY KEY, writer TEXT NOT NULL, n INTEGER NOT NULL)")
        db.execute("CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL)")
        db.execute("INSERT OR IGNORE INTO counter VALUES (1, 0)")


def test_connect_turns_on_wal_foreign_keys_and_busy_timeout(path):
    db = connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    # WAL is a property of the file: a plain connection sees it too.
    plain = sqlite3.connect(path)
    assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    plain.close()
    db.close()


def test_foreign_keys_are_enforced(path):
    db = connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        with write(db):
            db.execute("INSERT INTO openings (id, employer_id, title, tasks, created_at, updated_at) "
                       "VALUES ('o', 'no-such-employer', 'T', 'x', 'now', 'now')")
    assert db.execute("SELECT COUNT(*) FROM openings").fetchone()[0] == 0
    db.close()


def test_write_takes_the_write_lock_up_front(path):
    db = connect(path)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with write(db):
        # Nothing written yet, but BEGIN IMMEDIATE already holds the lock: another writer waits.
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")  # free again after commit
    other.execute("ROLLBACK")
    other.close()
    db.close()


def test_statement_outside_write_does_not_keep_the_lock(path):
    db = connect(path)
    make_scratch_table(db)
    db.execute("INSERT INTO scratch (writer, n) VALUES ('stray', 1)")
    assert not db.conn.in_transaction
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # would be "database is locked" if the driver had opened a transaction
    assert other.execute("SELECT writer FROM scratch").fetchall() == [("stray",)]
    other.execute("ROLLBACK")
    other.close()
    db.close()


def test_write_commits(path):
    db = connect(path)
    make_scratch_table(db)
    with write(db):
        db.execute("INSERT INTO scratch (writer, n) VALUES ('a', 1)")
    assert not db.conn.in_transaction
    other = sqlite3.connect(path)
    assert other.execute("SELECT COUNT(*) FROM scratch").fetchone()[0] == 1
    other.close()
    db.close()


def test_failing_write_leaves_nothing_behind(path):
    db = connect(path)
    make_scratch_table(db)
    with pytest.raises(RuntimeError, match="half-way"):
        with write(db):
            db.execute("INSERT INTO scratch (writer, n) VALUES ('a', 1)")
            db.execute("UPDATE counter SET value = 99")
            raise RuntimeError("half-way")
    assert not db.conn.in_transaction
    assert db.execute("SELECT COUNT(*) FROM scratch").fetchone()[0] == 0
    assert db.execute("SELECT value FROM counter").fetchone()[0] == 0
    with pytest.raises(sqlite3.IntegrityError):
        with write(db):
            db.execute("INSERT INTO scratch (writer, n) VALUES ('a', 1)")
            db.execute("INSERT INTO scratch (writer, n) VALUES (NULL, 2)")  # NOT NULL
    assert db.execute("SELECT COUNT(*) FROM scratch").fetchone()[0] == 0
    db.close()


def test_nested_write_joins_the_outer_transaction(path):
    db = connect(path)
    make_scratch_table(db)
    with write(db):
        db.execute("INSERT INTO scratch (writer, n) VALUES ('outer', 1)")
        with write(db):
            db.execute("INSERT INTO scratch (writer, n) VALUES ('inner', 2)")
        with pytest.raises(ValueError):
            with write(db):
                db.execute("INSERT INTO scratch (writer, n) VALUES ('inner-failed', 3)")
                raise ValueError
        assert db.conn.in_transaction  # the inner failure did not end the outer transaction
    assert [r[0] for r in db.execute("SELECT writer FROM scratch ORDER BY n")] == ["outer", "inner"]
    # An outer failure takes the committed-looking inner block with it.
    with pytest.raises(ValueError):
        with write(db):
            with write(db):
                db.execute("INSERT INTO scratch (writer, n) VALUES ('lost', 4)")
            raise ValueError
    assert db.execute("SELECT COUNT(*) FROM scratch").fetchone()[0] == 2
    db.close()


def test_two_connections_in_two_threads_write_without_lock_errors(path):
    setup = connect(path)
    make_scratch_table(setup)
    setup.close()
    per_writer = 300
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer(name: str) -> None:
        db = connect(path)
        try:
            start.wait()
            for n in range(per_writer):
                # Read-modify-write: with a deferred BEGIN two writers would deadlock on the lock
                # upgrade and fail at once with "database is locked".
                with write(db):
                    value = db.execute("SELECT value FROM counter").fetchone()[0]
                    db.execute("UPDATE counter SET value = ?", [value + 1])
                    db.execute("INSERT INTO scratch (writer, n) VALUES (?, ?)", [name, n])
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            db.close()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    check = connect(path)
    assert check.execute("SELECT value FROM counter").fetchone()[0] == 2 * per_writer
    assert dict(check.execute("SELECT writer, COUNT(*) FROM scratch GROUP BY writer").fetchall()) == {
        "a": per_writer, "b": per_writer}
    check.close()


def test_now_iso_is_utc_to_the_second():
    value = now_iso()
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None and parsed.utcoffset().total_seconds() == 0
    assert parsed.microsecond == 0 and value.endswith("+00:00")
    assert abs((datetime.now(timezone.utc) - parsed).total_seconds()) < 5
