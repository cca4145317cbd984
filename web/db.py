"""A database connection per request (as in Flask's tutorial), taken from a small pool of open
connections and given back when the request ends."""
from __future__ import annotations

import queue

import sqlite_utils
from flask import Flask, current_app, g

from data.db import connect, open_database

# Idle connections kept per process: the threads of one worker (gunicorn's 8) each find one.
POOL_SIZE = 8


class ConnectionPool:
    """Open connections, reused between requests. Opening one costs more than a page's queries:
    SQLite reads the schema again and maps the WAL index, and closing the last one to a WAL file
    checkpoints and deletes the WAL. A connection outside a transaction reads the newest data,
    so reuse never shows a stale page; one given back inside a transaction is rolled back."""

    def __init__(self, path: str, size: int = POOL_SIZE):
        self.path, self.size = path, size
        self.idle: queue.LifoQueue[sqlite_utils.Database] = queue.LifoQueue()

    def take(self) -> sqlite_utils.Database:
        try:
            return self.idle.get_nowait()
        except queue.Empty:
            # The schema was brought up to date when the app was made (init_app): no migration
            # check here.
            return open_database(self.path)

    def give_back(self, db: sqlite_utils.Database) -> None:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        if self.idle.qsize() >= self.size:
            db.close()
        else:
            self.idle.put(db)


def get_db() -> sqlite_utils.Database:
    if "db" not in g:
        g.db = current_app.extensions["smajobs_db_pool"].take()
    return g.db


def close_db(exception=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        current_app.extensions["smajobs_db_pool"].give_back(db)


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)
    path = app.config["SMAJOBS"].db
    # Create or upgrade the schema once at start, not on the first request of a worker.
    pool = app.extensions["smajobs_db_pool"] = ConnectionPool(path)
    pool.give_back(connect(path))
