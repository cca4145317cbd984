"""Reminders right away: after a page or the API saves a meeting or a forløb, the reminder rules
run for that citizen in the same request (jobs.rules.run_for_citizen), so the "I dag" page and
the forløb page show what the change caused, or no longer show what it settled, at once. The
periodic pass still runs as before and covers everything else."""
from __future__ import annotations

import sqlite3

from flask import current_app

from jobs.rules import run_for_citizen
from web.db import get_db


def remind_now(citizen_id: str) -> None:
    """Run the rules for the citizen. The save itself has committed; if the rules cannot run now
    (the database is busy), the next periodic pass does the same work, so the save still succeeds."""
    try:
        run_for_citizen(get_db(), current_app.config["SMAJOBS"], citizen_id)
    except sqlite3.OperationalError as error:
        # No citizen data in the log: only that the rules were deferred, and why.
        current_app.logger.warning("reminder rules deferred to the periodic pass: %s", type(error).__name__)
