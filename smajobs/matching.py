"""Glue between storage and the pure matcher: one match index per process, rebuilt only when
the registry has changed since it was built (data.registry.registry_version)."""
from __future__ import annotations

import threading

import sqlite_utils

from data import registry
from matcher import Citizen, MatchIndex, MatchResult, Opening


class MatchService:
    def __init__(self):
        self._lock = threading.Lock()
        self._index: MatchIndex | None = None
        self._built_at_version: int | None = None

    def index(self, db: sqlite_utils.Database) -> MatchIndex:
        version = registry.registry_version(db)
        with self._lock:
            if self._index is None or self._built_at_version != version:
                openings = Opening.all_from_employers(registry.matchable_employers(db))
                self._index = MatchIndex(openings)
                self._built_at_version = version
            return self._index

    def match(self, db: sqlite_utils.Database, citizen_id: str, top: int = 10, **filters) -> MatchResult | None:
        record = registry.citizen_for_matching(db, citizen_id)
        if record is None:
            return None
        return self.index(db).match(Citizen.from_exchange(record), top=top, **filters)


match_service = MatchService()
