"""Links consultants teach the matcher ("espresso" fits cafés) and the pairings it learns from the
forløb they start (issue 13): all the SQL for them. The matcher gets both as plain data
(matcher.taught.TaughtLinks) from data.matching, which keeps them in memory per database until
`versions` moves (migration 19's triggers).

A link is the organisation's, not a citizen's: a term (a word or one of a citizen's interests,
lower case) and a field of the vocabulary. The audit trail gets ids only: who (the actor) and,
when the link was made on a citizen's match page, that citizen.

Nothing here imports the matcher's text model until a link is checked or a pairing learnt, so
pages and commands that only list links start quickly."""
from __future__ import annotations

from typing import Callable, Iterable

import sqlite_utils

from core.checks import plain_text
from core.clock import now_iso
from core.errors import Invalid, Problem
from data import audit
from data.db import write

KIND = "lært kobling"
# Forløb that were started: planned ones may still be cancelled, cancelled ones were mistakes.
STARTED_STATUSES = ("active", "ended")


def checked(term: str, field: str) -> tuple[str, str]:
    """(the term as stored, the field), or Invalid with a Danish reason per form field."""
    from matcher.lexicon import CONCEPTS
    from matcher.taught import normal_term, term_problem
    problems = []
    term, control = plain_text(term or "")
    problem = control or term_problem(term)
    if problem:
        problems.append(Problem("", "term", problem, KIND))
    if (field or "") not in CONCEPTS:
        problems.append(Problem("", "field", "Vælg et arbejdsfelt fra listen", KIND))
    if problems:
        raise Invalid(problems, "Koblingen")
    return normal_term(term), field


def add(db: sqlite_utils.Database, term: str, field: str, *, created_by: int | None,
        citizen_id: str | None = None) -> tuple[dict, bool]:
    """Store the link (checked first) and audit it; (the link, whether it is new). A link already
    stored is not stored twice, nor audited again."""
    term, field = checked(term, field)
    with write(db):
        added = db.execute(
            "INSERT INTO taught_links (term, field, created_by, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (term, field) DO NOTHING", [term, field, created_by, now_iso()]).rowcount
        if added:
            audit.log(db, "taught_link_added", citizen_id)
        row = _row(db, "term = ? AND field = ?", [term, field])
    return row, bool(added)


def remove(db: sqlite_utils.Database, link_id: int) -> dict | None:
    """Remove a link and audit it; the link removed, or None when there is no such link."""
    with write(db):
        row = _row(db, "taught_links.id = ?", [link_id])
        if row is None:
            return None
        db.execute("DELETE FROM taught_links WHERE id = ?", [link_id])
        audit.log(db, "taught_link_removed")
    return row


_SELECT = ("SELECT taught_links.*, consultants.name AS created_by_name, consultants.email AS created_by_email "
           "FROM taught_links LEFT JOIN consultants ON consultants.id = taught_links.created_by")


def _row(db, where: str, params: list) -> dict | None:
    return next(iter(db.query(f"{_SELECT} WHERE {where}", params)), None)


def list_links(db: sqlite_utils.Database) -> list[dict]:
    """Every link with who made it, newest first (the admin page and `smajobs taught-links list`)."""
    return list(db.query(f"{_SELECT} ORDER BY taught_links.id DESC"))


def versions(db: sqlite_utils.Database) -> tuple[int, int]:
    """(links version, learning version): each grows when what it stands for changes (migration
    19's triggers), so a process keeps its links and learnt pairings until then. One read."""
    return tuple(db.execute("SELECT links, learning FROM taught_version WHERE id = 1").fetchone())


def versions_with_registry(db: sqlite_utils.Database) -> tuple[int, int, int]:
    """(registry version, links version, learning version) in one read: what a match needs to
    know whether its index and its links are up to date (data.matching)."""
    return tuple(db.execute("SELECT r.version, t.links, t.learning FROM registry_version r "
                            "JOIN taught_version t ON t.id = r.id WHERE r.id = 1").fetchone())


def consultant_links(db: sqlite_utils.Database) -> list:
    """Every stored link as matcher.taught.TaughtLink, in one query."""
    from matcher.taught import TaughtLink
    return [TaughtLink(term, field) for term, field in db.execute("SELECT term, field FROM taught_links ORDER BY id")]


def learned_pairings(db: sqlite_utils.Database,
                     opening_fields: Callable[[Iterable[str]], dict[str, frozenset[str]]]) -> list:
    """What started forløb teach: for each of a citizen's interests (a phrase, as the matcher
    splits them) and each field of the opening the citizen started a forløb at, the number of
    distinct citizens behind the pairing, as matcher.taught.TaughtLink (source PLACEMENTS; the
    matcher caps what they count, see matcher.taught). `opening_fields` gives the fields of
    openings by id (MatchIndex.opening_fields). An erased citizen's forløb are gone, and with
    them what they taught."""
    from matcher.taught import PLACEMENTS, TaughtLink, normal_term
    from matcher.text import phrases
    rows = db.execute(
        "SELECT DISTINCT p.citizen_id, c.interests, p.opening_id FROM placements p "
        f"JOIN citizens c ON c.id = p.citizen_id WHERE p.status IN ({', '.join('?' * len(STARTED_STATUSES))}) "
        "AND c.interests != ''", STARTED_STATUSES).fetchall()
    fields = opening_fields({opening_id for _, _, opening_id in rows})
    terms_of: dict[str, list[str]] = {}
    citizens: dict[tuple[str, str], set[str]] = {}
    for citizen_id, interests, opening_id in rows:
        if citizen_id not in terms_of:
            terms_of[citizen_id] = sorted({normal_term(p) for p in phrases(interests)})
        for term in terms_of[citizen_id]:
            for field in fields.get(opening_id, ()):
                citizens.setdefault((term, field), set()).add(citizen_id)
    return [TaughtLink(term, field, PLACEMENTS, len(ids)) for (term, field), ids in sorted(citizens.items())]
