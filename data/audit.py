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
from datetime import date, datetime, time, timezone
from typing import Iterable, Iterator, Mapping, Sequence

import sqlite_utils

from core.clock import COPENHAGEN, add_months, now_iso, today
from data.db import write
from data.paging import Page, after_clause, page_of

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
    "placement_cancelled": "Annullerede forløb",
    "meeting_created": "Oprettede møde",
    "meeting_changed": "Ændrede møde",
    "meeting_deleted": "Slettede møde",
    "report_changed": "Ændrede rapportfrist",
    "reminder_changed": "Ændrede påmindelse",
    "email_queued": "Lagde e-mail i udbakken",
    "retention_kept": "Beholdt endnu en periode",
    "deleted": "Slettede borgeren",
    "employer_deleted": "Slettede virksomheden",
    "viewed_meetings": "Så møder",
    "viewed_reports": "Så rapportfrister",
    "followup_recorded": "Registrerede status efter forløb",
    "viewed_placement_overview": "Så forløbsoversigten",
    # Issue 13: the row names the citizen whose match page the link was taught on, if any.
    "taught_link_added": "Lærte matchet en kobling",
    "taught_link_removed": "Fjernede en lært kobling",
}
ACTORS = ("consultant", "admin", "cli", "scheduler", "system")
CHANNELS = ("page", "api", "cli", "scheduler", "system")
# 'system' on the page door: a request without a log-in, i.e. an employer's check-in link.
ACTOR_LABELS = {"consultant": "Konsulent", "admin": "Administrator", "cli": "Kommandolinje",
                "scheduler": "Planlægger", "system": "System"}
CHANNEL_LABELS = {"page": "Side", "api": "API", "cli": "Kommandolinje", "scheduler": "Planlægger",
                  "system": "System"}


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
    log_many(db, action, [{"citizen_id": citizen_id, "placement_id": placement_id, "meeting_id": meeting_id,
                           "employer_id": employer_id}])


_INSERT = ("INSERT INTO audit_log (at, actor, consultant_id, action, citizen_id, placement_id, meeting_id, "
           "employer_id, channel, client_address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_ID_FIELDS = ("citizen_id", "placement_id", "meeting_id", "employer_id")


def log_many(db: sqlite_utils.Database, action: str, entries: Iterable[str | Mapping]) -> int:
    """One row per entry, in one statement (a list page shows many citizens): an entry is a
    citizen id, or a mapping with any of citizen_id, placement_id, meeting_id, employer_id (other
    keys, such as a first name in a page's row, are never read). Returns the number written."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    actor, at = current_actor(), now_iso()
    rows = []
    for entry in entries:
        ids = {"citizen_id": entry} if isinstance(entry, str) else entry
        rows.append((at, actor.kind, actor.consultant_id, action, *(ids.get(name) for name in _ID_FIELDS),
                     actor.channel, actor.client_address))
    if rows:
        with write(db):
            # One multi-row INSERT per 500 rows, not executemany: SQLite runs executemany as one
            # statement per row, and a list page would pay for every citizen it shows.
            for start in range(0, len(rows), 500):
                chunk = rows[start:start + 500]
                values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
                db.execute(_INSERT.replace("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values),
                           [value for row in chunk for value in row])
    return len(rows)


def log_placements(db: sqlite_utils.Database, action: str, placement_ids: Sequence[int]) -> None:
    """One row per placement, its citizen read from the placement (inside the caller's transaction)."""
    _log_select(db, action, "SELECT citizen_id, id, NULL, NULL FROM placements", placement_ids)


def log_reminders(db: sqlite_utils.Database, action: str, reminder_ids: Sequence[int]) -> None:
    """One row per reminder about a citizen; reminders about no citizen are not citizen data."""
    _log_select(db, action, "SELECT citizen_id, placement_id, NULL, NULL FROM reminders", reminder_ids,
                "citizen_id IS NOT NULL")


def _log_select(db, action: str, select: str, ids: Sequence[int], condition: str = "1 = 1") -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    actor, at = current_actor(), now_iso()
    with write(db):
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            db.execute(
                f"INSERT INTO audit_log (citizen_id, placement_id, meeting_id, employer_id, at, actor, "
                f"consultant_id, action, channel, client_address) SELECT *, ?, ?, ?, ?, ?, ? FROM ({select} "
                f"WHERE {condition} AND id IN ({', '.join('?' * len(chunk))}))",
                [at, actor.kind, actor.consultant_id, action, actor.channel, actor.client_address, *chunk])


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


# --- reading the log (the Adgangslog page, its CSV and `smajobs audit`) -------------------------

@dataclass(frozen=True)
class Filters:
    """What to show; None shows all. Dates are Danish calendar days, `until` included."""
    citizen_id: str | None = None
    consultant_id: int | None = None
    since: date | None = None
    until: date | None = None


ORDER = ("id",)  # ids grow with every row: newest first is id descending


def _utc_start_of(day: date) -> str:
    """The stored (UTC) timestamp at which a Danish calendar day begins."""
    return datetime.combine(day, time(), COPENHAGEN).astimezone(timezone.utc).isoformat(timespec="seconds")


def _where(filters: Filters) -> tuple[str, list]:
    sql, params = " WHERE 1 = 1", []
    if filters.citizen_id:
        sql += " AND citizen_id = ?"
        params.append(filters.citizen_id)
    if filters.consultant_id is not None:
        sql += " AND consultant_id = ?"
        params.append(filters.consultant_id)
    if filters.since:
        sql += " AND at >= ?"
        params.append(_utc_start_of(filters.since))
    if filters.until:
        sql += " AND at < ?"
        params.append(_utc_start_of(date.fromordinal(filters.until.toordinal() + 1)))
    return sql, params


def entries(db: sqlite_utils.Database, filters: Filters, *, limit: int, after: Sequence | None = None) -> Page:
    """One page of rows matching `filters`, newest first (keyset paging, see data.paging)."""
    where, params = _where(filters)
    clause, more = after_clause(ORDER, after, descending=True)
    rows = list(db.query(f"SELECT * FROM audit_log{where}{clause} ORDER BY id DESC LIMIT ?",
                         [*params, *more, limit + 1]))
    return page_of(rows, limit, lambda row: (row["id"],))


def all_entries(db: sqlite_utils.Database, filters: Filters) -> Iterator[dict]:
    """Every row matching `filters`, newest first, read as it goes (for the CSV and the CLI)."""
    where, params = _where(filters)
    yield from db.query(f"SELECT * FROM audit_log{where} ORDER BY id DESC", params)


# --- retention ----------------------------------------------------------------------------------

def prune_expired(db: sqlite_utils.Database, months: int) -> int:
    """Remove rows older than `months` (SMAJOBS_AUDIT_RETENTION_MONTHS) from today; the number removed."""
    return prune(db, before=_utc_start_of(add_months(today(), -months)))


# --- showing rows (the page, the CSV and the CLI say the same) ---------------------------------

COLUMNS = ("Tidspunkt", "Hvem", "Konsulent-id", "Konsulent", "Handling", "Borger-id", "Forløb-id", "Møde-id",
           "Virksomheds-id", "Adgang", "Klientadresse")


def local_time(stored: str) -> str:
    """A stored UTC timestamp as Danish wall-clock time, 2026-11-23 14:05:07."""
    return datetime.fromisoformat(stored).astimezone(COPENHAGEN).strftime("%Y-%m-%d %H:%M:%S")


def display_row(row: dict, consultant_emails: Mapping[int, str]) -> tuple[str, ...]:
    """A row in the order of COLUMNS, Danish words for actor, action and door; ids as stored."""
    def text(value) -> str:
        return "" if value is None else str(value)
    return (local_time(row["at"]), ACTOR_LABELS.get(row["actor"], row["actor"]), text(row["consultant_id"]),
            consultant_emails.get(row["consultant_id"], "") if row["consultant_id"] is not None else "",
            ACTIONS.get(row["action"], row["action"]), text(row["citizen_id"]), text(row["placement_id"]),
            text(row["meeting_id"]), text(row["employer_id"]), CHANNEL_LABELS.get(row["channel"], row["channel"]),
            text(row["client_address"]))


def parse_day(text: str) -> date:
    """A day typed as 2026-11-23, 23-11-2026 or 23.11.2026; ValueError with a Danish message."""
    value = text.strip()
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"'{value}' er ikke en dato; skriv den som 2026-11-23 eller 23-11-2026.")
