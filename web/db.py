"""One database connection per request, closed when the request ends (as in Flask's tutorial)."""
from __future__ import annotations

from flask import Flask, current_app, g

from data.db import connect, open_database


def get_db():
    if "db" not in g:
        # The schema was brought up to date when the app was made (init_app): no migration
        # check on every request.
        g.db = open_database(current_app.config["SMAJOBS"].db)
    return g.db


def close_db(exception=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)
    # Create or upgrade the schema once at start, not on the first request of a worker.
    connect(app.config["SMAJOBS"].db).close()
