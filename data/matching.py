"""Glue between storage and the pure matcher: one match index per database file and process,
rebuilt only when the registry has changed since it was built (data.registry.registry_version)."""
from __future__ import annotations

import threading

import sqlite_utils

from data import registry


class MatchService:
    def __init__(self):
        self._lock = threading.Lock()
        # database file -> (registry version it was built at, index)
        self._indexes: dict[str, tuple[int, object]] = {}

    def index(self, db: sqlite_utils.Database):
        from matcher import MatchIndex, Opening  # scikit-learn loads here, not at app start
        key = _database_file(db)
        version = registry.registry_version(db)
        with self._lock:
            cached = self._indexes.get(key)
            if cached is None or cached[0] != version:
                openings = Opening.all_from_employers(registry.matchable_employers(db))
                self._indexes[key] = (version, MatchIndex(openings))
            return self._indexes[key][1]

    def match(self, db: sqlite_utils.Database, citizen_id: str, top: int = 10, **filters):
        """The citizen's MatchResult, or None when there is no such citizen."""
        from matcher import Citizen
        record = registry.citizen_for_matching(db, citizen_id)
        if record is None:
            return None
        return self.index(db).match(Citizen.from_exchange(record), top=top, **filters)


def match_rows(db: sqlite_utils.Database, matches) -> list[dict]:
    """Each match as {"match", "opening", "employer"}, the openings and employers of all the
    matches read at once. A match whose opening or employer is gone by now (removed after the
    index was built) is left out."""
    openings = registry.openings_by_ids(db, [m.opening_id for m in matches])
    employers = registry.employers_by_ids(db, [m.employer_id for m in matches])
    return [{"match": m, "opening": openings[m.opening_id], "employer": employers[m.employer_id]}
            for m in matches if m.opening_id in openings and m.employer_id in employers]


def _database_file(db: sqlite_utils.Database) -> str:
    return db.execute("PRAGMA database_list").fetchone()[2]


match_service = MatchService()
