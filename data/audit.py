"""The audit trail: who read or changed which citizen's data, when, through which door.

Ids only (citizen, placement, meeting, employer, consultant), never names, needs or free text.
A change is logged in the same transaction as the change itself (call `log` inside the `write`
block); a read is logged when the page or API answer that shows the data is produced.

Who is asking is set once per request, command or job with `acting_as` (web: a before_request
hook; CLI: the main group; scheduler: each job), and read by `log`, so the data functions need
no extra parameter. Library use without an actor is logged as 'system'.

The table is append-only (migration 8's triggers). Only `prune` (retention) and
`forget_citizen` (erasure) delete rows, by holding the `audit_pruning` flag inside their own
transaction.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import sqlite_utils

from core.clock import now_iso
from data.db import write

# What was done, as stored, with the Danish words the Adgangslog page and the CLI show.
ACTIONS = {
    "viewed_profile": "Så profilen",
    "viewed_list": "Så borgerlisten",
    "viewed_matches": "Så match",
    "viewed_placement": "Så forløb",
    "viewed_employer_placements": "Så virksomhedens forløb",
    "viewed_today": "Så påmindelser",
    "exported": "Hentede alle data",
    "created": "Oprettede",
    "changed": "Ændrede",
    "handed_over": "Overdrog",
    "placement_created": "Oprettede forløb",
    "placement_changed": "Ændrede forløb",
    "meeting_created": "Oprettede møde",
    "meeting_changed": "Ændrede møde",
    "meeting_deleted": "Slettede møde",
    "report_changed": "Ændrede rapportfrist",
    "reminder_changed": "Ændrede påmindelse",
    "email_queued": "Lagde e-mail i udbakken",
    "retention_kept": "Beholdt endnu en periode",
    "deleted": "Slettede borgeren",
    "employer_deleted": "Slettede virksomheden",
}
ACTORS = ("consultant", "admin", "cli", "scheduler", "system")
CHANNELS = ("page", "api", "cli", "scheduler", "system")


@dataclass(frozen=True)
class Actor:
    kind: str  # one of ACTORS
    channel: str  # one of CHANNELS
    consultant_id: int | None = None
    client_address: str | None = None


SYSTEM = Actor("system", "system")
CLI = Actor("cli", "cli")
SCHEDULER = Actor("scheduler", "scheduler")

_actor: contextvars.ContextVar[Actor] = contextvars.ContextVar("audit_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _actor.get()


def set_actor(actor: Actor) -> contextvars.Token:
    if actor.kind not in ACTORS or actor.channel not in CHANNELS:
        raise ValueError(f"unknown audit actor {actor}")
    return _actor.set(actor)


def reset_actor(token: contextvars.Token) -> None:
    _actor.reset(token)


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    token = set_actor(actor)
    try:
        yield
    finally:
        reset_actor(token)


def log(db: sqlite_utils.Database, action: str, citizen_id: str | None = None, *,
        placement_id: int | None = None, meeting_id: int | None = None,
        employer_id: str | None = None) -> None:
    """One audit row by the current actor; joins the open write transaction if there is one."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    actor = current_actor()
    with write(db):
        db.execute(
            "INSERT INTO audit_log (at, actor, consultant_id, action, citizen_id, placement_id, meeting_id, "
            "employer_id, channel, client_address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [now_iso(), actor.kind, actor.consultant_id, action, citizen_id, placement_id, meeting_id,
             employer_id, actor.channel, actor.client_address])


@contextmanager
def _pruning(db: sqlite_utils.Database) -> Iterator[None]:
    # Inside the caller's transaction: the flag never outlives it, even on an error.
    db.execute("INSERT INTO audit_pruning (id) VALUES (1)")
    try:
        yield
    finally:
        db.execute("DELETE FROM audit_pruning")


def prune(db: sqlite_utils.Database, before: str) -> int:
    """Remove rows logged before `before` (a stored UTC timestamp); the number removed."""
    with write(db), _pruning(db):
        return db.execute("DELETE FROM audit_log WHERE at < ?", [before]).rowcount


def forget_citizen(db: sqlite_utils.Database, citizen_id: str) -> int:
    """Erasure: remove the citizen's earlier rows (call inside the erasure's transaction, then
    `log(db, "deleted", citizen_id)` so one row says who deleted and when)."""
    with write(db), _pruning(db):
        return db.execute("DELETE FROM audit_log WHERE citizen_id = ?", [citizen_id]).rowcount
