"""Glue between storage and the pure matcher: the match index of each database file, persisted
beside it and kept up to date per employer.

- **Persisted.** A full build is stored in `<database>.matchindex/` (data.index_store): numpy
  arrays a process memory-maps, with the registry version and the matcher's own version. A
  process starting up loads it instead of building; one that is stale (another matcher version)
  or damaged is logged and built again, never used.
- **Incremental.** Every change to what is matched is logged per employer (migration 13,
  `registry.match_changes_since`); a process whose index is behind re-reads just those
  employers and swaps in an updated copy (MatchIndex.with_changes). A pending or rejected
  sign-up is never logged, so it never touches the index.
- **Never blocking on a rebuild.** When the log cannot bring an index up to date (too many
  employers changed, or the log was pruned by the nightly refresh), requests keep using the
  current index while a new one is built in a background thread, then it is swapped in.
  Only a process that has no index at all waits for one.
- **Nightly refresh** (`refresh`, run by the scheduler): a full build, which fits the text
  model again on every opening, persisted; the log before it is pruned.

Nothing here imports the matcher (numpy, scipy) until a match is asked for, so commands that
do not match start quickly."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import sqlite_utils

from data import registry, taught_links

logger = logging.getLogger(__name__)

# More changed employers than this since an index was built: build it again (in the background
# where an index is being served) rather than re-reading them all.
MAX_INCREMENTAL_EMPLOYERS = 2000


@dataclass(frozen=True)
class _Taught:
    """What was taught and learnt (data.taught_links), kept while its versions stand."""
    versions: tuple[int, int]   # (links version, learning version)
    consultant: list            # the consultants' links
    learned: list               # the pairings learnt from started forløb
    together: object            # both as one matcher.taught.TaughtLinks


@dataclass
class _Slot:
    """One database file's index in this process."""
    index: object = None
    version: int = -1
    lock: threading.Lock = field(default_factory=threading.Lock)   # held while catching up or swapping
    rebuilding: threading.Thread | None = None
    taught: _Taught | None = None


class MatchService:
    def __init__(self, persist: bool = True):
        self.persist = persist
        self._lock = threading.Lock()
        self._slots: dict[str, _Slot] = {}

    def index(self, db: sqlite_utils.Database, version: int | None = None):
        """The database's match index, up to date with every matchable change - except while a
        full rebuild runs in the background, when the current index is served as it is.
        `version`: the registry version, when the caller has just read it."""
        key = _database_file(db)
        slot = self._slot(key)
        version = registry.registry_version(db) if version is None else version
        if slot.index is not None and slot.version == version:
            return slot.index
        with slot.lock:
            if slot.index is None:
                self._load_or_build(db, key, slot)
            if slot.version != version and slot.rebuilding is None:
                self._catch_up(db, key, slot)
            return slot.index

    def match(self, db: sqlite_utils.Database, citizen_id: str, top: int = 10, **filters):
        """The citizen's MatchResult, or None when there is no such citizen."""
        record = registry.citizen_for_matching(db, citizen_id)
        return None if record is None else self.match_record(db, record, top, **filters)

    def match_record(self, db: sqlite_utils.Database, record: dict, top: int = 10, **filters):
        """The MatchResult of a citizen already read (registry.matching_record), with the links
        consultants taught and the pairings learnt from forløb as they stand now."""
        from matcher import Citizen
        # One read for the registry version and the taught links' versions: the page's budget.
        registry_version, *taught_versions = taught_links.versions_with_registry(db)
        index = self.index(db, registry_version)
        taught = self.taught(db, index, tuple(taught_versions))
        return index.match(Citizen.from_exchange(record), top=top, taught=taught, **filters)

    def taught(self, db: sqlite_utils.Database, index, versions: tuple[int, int] | None = None):
        """The taught links and learnt pairings (matcher.taught.TaughtLinks) of the database: one
        small read of their versions per call; the links are read again (one query) when a link
        was added or removed - by any process - and the pairings learnt again when forløb or
        interests changed. No index rebuild: links act on the citizen's side of the match."""
        from matcher.taught import TaughtLinks
        slot = self._slot(_database_file(db))
        links_version, learning_version = versions = versions or taught_links.versions(db)
        cached = slot.taught
        if cached is not None and cached.versions == versions:
            return cached.together
        same_links = cached is not None and cached.versions[0] == links_version
        same_learning = cached is not None and cached.versions[1] == learning_version
        consultant = cached.consultant if same_links else taught_links.consultant_links(db)
        learned = cached.learned if same_learning else taught_links.learned_pairings(db, index.opening_fields)
        slot.taught = taught = _Taught(versions, consultant, learned, TaughtLinks([*consultant, *learned]))
        return taught.together

    def refresh(self, db: sqlite_utils.Database) -> int:
        """Build the index afresh (the text model fitted again on every opening), persist it,
        serve it in this process and prune the change log before it. Returns its version."""
        key = _database_file(db)
        index, version = _build(db)
        if self.persist and key:
            from data import index_store
            if index_store.save(key, index, version, registry.registry_id(db)):
                registry.prune_match_changes(db, version)
        slot = self._slot(key)
        with slot.lock:
            # A process that serves no index (the scheduler) does not keep this one in memory.
            if slot.index is not None and version >= slot.version:
                slot.index, slot.version = index, version
                self._catch_up(db, key, slot)
        return version

    def wait_for_rebuild(self, db: sqlite_utils.Database, timeout: float | None = None) -> None:
        """Wait for a background rebuild of the database's index, if one runs (tests, benchmark)."""
        thread = self._slot(_database_file(db)).rebuilding
        if thread is not None:
            thread.join(timeout)

    # --- internals ---------------------------------------------------------------------------

    def _slot(self, key: str) -> _Slot:
        with self._lock:
            return self._slots.setdefault(key, _Slot())

    def _load_or_build(self, db, key: str, slot: _Slot) -> None:
        """First use in this process: the persisted index if it is usable and the change log
        can bring it up to date, else a full build (persisted for the next process)."""
        loaded = self._load(db, key)
        if loaded is not None:
            if _catchable(db, loaded):
                slot.index, slot.version = loaded
                return
            logger.info("match index for %s is too far behind the registry; building it again", key)
        slot.index, slot.version = self._build_and_save(db, key)

    def _load(self, db, key: str):
        if not (self.persist and key):
            return None
        from data import index_store
        return index_store.load(key, registry.registry_id(db), registry.registry_version(db))

    def _build_and_save(self, db, key: str, newer_than: int = -1):
        """A full build, persisted - unless another process (a worker of the same `smajobs
        serve`) persisted one newer than `newer_than` that the change log can bring up to date
        while this one waited for the build lock: then that one, so they build once."""
        if not (self.persist and key):
            return _build(db)
        from data import index_store
        with index_store.build_lock(key):
            loaded = self._load(db, key)
            if loaded is not None and loaded[1] > newer_than and _catchable(db, loaded):
                return loaded
            index, version = _build(db)
            index_store.save(key, index, version, registry.registry_id(db))
        return index, version

    def _catch_up(self, db, key: str, slot: _Slot) -> None:
        """With slot.lock held: apply the employers changed since the slot's version, or start a
        background rebuild when the log cannot do it."""
        changes = registry.match_changes_since(db, slot.version)
        if changes.version == slot.version:
            return
        if changes.version < slot.version:     # the file was replaced under this process
            slot.index, slot.version = self._build_and_save(db, key)
            return
        if not changes.complete or len(changes.employer_ids) > MAX_INCREMENTAL_EMPLOYERS:
            self._start_rebuild(key, slot)
            return
        slot.index = apply_changes(db, slot.index, changes.employer_ids)
        slot.version = changes.version

    def _start_rebuild(self, key: str, slot: _Slot) -> None:
        if slot.rebuilding is not None or not key:
            return
        thread = threading.Thread(target=self._rebuild, args=(key, slot), name="match-index-rebuild", daemon=True)
        slot.rebuilding = thread
        thread.start()

    def _rebuild(self, key: str, slot: _Slot) -> None:
        """Background thread, on a connection of its own: a persisted index newer than the one
        served (another process's rebuild or the nightly refresh), or a full build; then catch
        up and swap in."""
        from data.db import open_database
        db = open_database(key)
        try:
            loaded = self._load(db, key)
            usable = loaded is not None and loaded[1] > slot.version and _catchable(db, loaded)
            index, version = loaded if usable else self._build_and_save(db, key, newer_than=slot.version)
            with slot.lock:
                slot.index, slot.version, slot.rebuilding = index, version, None
                self._catch_up(db, key, slot)
        except Exception:
            logger.exception("rebuilding the match index for %s failed; the current one is kept", key)
            slot.rebuilding = None
        finally:
            db.close()


def _catchable(db, loaded) -> bool:
    """Whether the change log can bring a loaded (index, version) up to date."""
    changes = registry.match_changes_since(db, loaded[1])
    return changes.complete and len(changes.employer_ids) <= MAX_INCREMENTAL_EMPLOYERS


def _build(db):
    """A full build: (index, the registry version it reflects at least)."""
    from matcher import MatchIndex, Opening   # scikit-learn loads here, not at start-up
    version = registry.registry_version(db)   # read first: anything newer is caught up later
    return MatchIndex(Opening.all_from_employers(registry.matchable_employers(db))), version


def apply_changes(db, index, employer_ids: list[str]):
    """A copy of `index` with the openings of `employer_ids` as the database holds them now."""
    from matcher import Opening
    openings = Opening.all_from_employers(registry.matchable_employers(db, employer_ids))
    return index.with_changes(employer_ids, openings)


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
