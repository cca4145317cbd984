"""Count the SQL statements a request runs, on the app's real SQLite connection.

web.db.get_db opens one connection per request (kept in flask.g). While `count_statements(app)`
is open, every request the app starts (Flask's `request_started` signal, sent before any
before_request function or view runs) opens that connection at once and gets a trace callback
(`sqlite3.Connection.set_trace_callback`) that records each statement SQLite starts on it.

Not counted, because they are the same for every request and say nothing about what a page
reads: the statements of opening the connection (data.db.connect sets its PRAGMAs and checks
that the schema is up to date before the callback is set), other PRAGMAs (the match service
reads `PRAGMA database_list`), transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT,
RELEASE) and the statements SQLite runs inside triggers (traced as "-- TRIGGER ...").
Everything else is counted.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from flask import request_started

IGNORED_PREFIXES = ("PRAGMA", "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "--")


class StatementLog:
    def __init__(self):
        self.statements: list[str] = []
        self.open = True

    def record(self, statement: str) -> None:
        if self.open and not statement.lstrip().upper().startswith(IGNORED_PREFIXES):
            self.statements.append(" ".join(statement.split()))

    @property
    def count(self) -> int:
        return len(self.statements)

    def report(self) -> str:
        return f"{self.count} SQL statements:\n" + "\n".join(f"  {s[:200]}" for s in self.statements)


@contextmanager
def count_statements(app) -> Iterator[StatementLog]:
    """Record the statements of the app's requests inside the block."""
    from web.db import get_db
    log = StatementLog()

    def trace_request(sender, **extra) -> None:
        get_db().conn.set_trace_callback(log.record)

    request_started.connect(trace_request, app)
    try:
        yield log
    finally:
        log.open = False
        request_started.disconnect(trace_request, app)


def statements_of(client, method: str, path: str, **kwargs):
    """(response, StatementLog) of one request through the Flask test client."""
    with count_statements(client.application) as log:
        response = client.open(path, method=method, **kwargs)
    return response, log
