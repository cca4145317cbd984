"""web.db's connection pool: a reused connection reads what another process wrote, is never
handed on inside a transaction, and the pool keeps at most its size open."""
from __future__ import annotations

import sqlite3

import pytest

from data.db import connect, write
from web.db import ConnectionPool


@pytest.fixture
def path(tmp_path) -> str:
    made = str(tmp_path / "pool.db")
    connect(made).close()
    return made


def test_a_reused_connection_sees_a_change_made_elsewhere(path):
    pool = ConnectionPool(path)
    first = pool.take()
    first.execute("CREATE TABLE IF NOT EXISTS notes (text TEXT)")
    assert first.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 0
    pool.give_back(first)

    other = sqlite3.connect(path)  # another process's write, committed
    other.execute("INSERT INTO notes VALUES ('ny')")
    other.commit()
    other.close()

    again = pool.take()
    assert again is first
    assert again.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 1


def test_a_connection_given_back_inside_a_transaction_is_rolled_back(path):
    pool = ConnectionPool(path)
    db = pool.take()
    db.execute("CREATE TABLE notes (text TEXT)")
    db.conn.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO notes VALUES ('halvt')")
    pool.give_back(db)  # e.g. a request that ended with an error half-way

    reused = pool.take()
    assert not reused.conn.in_transaction
    assert reused.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 0
    # The write lock was released: another connection can write at once.
    with write(connect(path)) as other:
        other.execute("INSERT INTO notes VALUES ('hel')")


def test_the_pool_keeps_at_most_its_size_open(path):
    pool = ConnectionPool(path, size=2)
    taken = [pool.take() for _ in range(4)]
    assert len({id(db) for db in taken}) == 4
    for db in taken:
        pool.give_back(db)
    assert pool.idle.qsize() == 2
    closed = [db for db in taken[2:]]
    for db in closed:
        try:
            db.execute("SELECT 1")
        except sqlite3.ProgrammingError:
            continue
        raise AssertionError("a connection beyond the pool's size was left open")
