"""The persisted, incrementally updated match index (issue 11): reused across processes,
rebuilt when made by another matcher version or damaged (with a log line, never a wrong
answer), brought up to date per changed employer with the results of a full rebuild, left alone
by sign-ups, and rebuilt in the background without holding up a request. Real SQLite files,
real subprocesses; no timings."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import synthetic
from data import index_store, registry, signups
from data.db import connect, write
from data.exchange import parse_employer
from data.matching import MatchService
from matcher import Citizen, MatchIndex, Opening
from tests.records import employer as employer_record
from tests.records import opening as opening_record
from tests.test_matcher_properties import breaks_hard_rule

ROOT = Path(__file__).resolve().parents[1]
OPENINGS, CITIZENS = 1500, 120


@pytest.fixture(scope="module")
def document():
    return synthetic.generate(OPENINGS, CITIZENS, seed=3)


@pytest.fixture
def registry_db(db, document):
    registry.import_document(db, document)
    return db


def citizen_ids(document) -> list[str]:
    return [c["id"] for c in document["citizens"]]


def top_ids(service_or_index, db, citizen_id: str) -> list[str]:
    if isinstance(service_or_index, MatchService):
        result = service_or_index.match(db, citizen_id)
    else:
        record = registry.citizen_for_matching(db, citizen_id)
        result = service_or_index.match(Citizen.from_exchange(record))
    return [m.opening_id for m in result.matches]


def fresh_index(db) -> MatchIndex:
    return MatchIndex(Opening.all_from_employers(registry.matchable_employers(db)))


def current_generation(db_file: str) -> str:
    return (index_store.folder_of(db_file) / index_store.CURRENT).read_text()


def run_in_process(db_file: str, citizen_id: str) -> dict:
    """Match in a fresh Python process; report the result and what it imported."""
    code = (
        "import json, sys\n"
        "from data.db import connect\n"
        "from data.matching import match_service\n"
        f"result = match_service.match(connect({db_file!r}), {citizen_id!r})\n"
        "print(json.dumps({'ids': [m.opening_id for m in result.matches],"
        " 'sklearn': 'sklearn' in sys.modules}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def change_one_employer(db, employer_id: str, title: str) -> None:
    """Re-import an employer with its first opening retitled and the others closed."""
    employer = registry.export_document(db)["employers"]
    [record] = [e for e in employer if e["id"] == employer_id]
    record["openings"] = [{**record["openings"][0], "title": title}]
    registry.import_document(db, {"employers": [record]})


# --- persisted and reused ---------------------------------------------------------------------

def test_the_persisted_index_is_reused_by_the_next_process(registry_db, config, document):
    citizen = citizen_ids(document)[0]
    expected = top_ids(MatchService(), registry_db, citizen)          # builds and persists
    generation = current_generation(config.db)

    other = run_in_process(config.db, citizen)

    assert other["ids"] == expected
    assert other["sklearn"] is False          # loaded, not built: fitting is what needs scikit-learn
    assert current_generation(config.db) == generation


def test_a_registry_change_reaches_a_loaded_index_without_a_rebuild(registry_db, config, document):
    MatchService().index(registry_db)
    generation = current_generation(config.db)
    employer_id = registry_db.execute("SELECT employer_id FROM openings LIMIT 1").fetchone()[0]
    change_one_employer(registry_db, employer_id, "Tegneseriebutik med brætspil")

    service = MatchService()
    for citizen in citizen_ids(document)[:20]:
        assert top_ids(service, registry_db, citizen) == top_ids(fresh_index(registry_db), registry_db, citizen)
    assert current_generation(config.db) == generation


def test_an_index_older_than_the_pruned_change_log_is_rebuilt(registry_db, config, document):
    MatchService().index(registry_db)
    generation = current_generation(config.db)
    employer_id = registry_db.execute("SELECT employer_id FROM openings LIMIT 1").fetchone()[0]
    change_one_employer(registry_db, employer_id, "Pedel på skole")
    registry.prune_match_changes(registry_db, registry.registry_version(registry_db))

    service = MatchService()
    citizen = citizen_ids(document)[0]
    assert top_ids(service, registry_db, citizen) == top_ids(fresh_index(registry_db), registry_db, citizen)
    assert current_generation(config.db) != generation


def test_an_index_made_by_another_matcher_version_is_rebuilt(registry_db, config, document, caplog):
    MatchService().index(registry_db)
    generation = index_store.folder_of(config.db) / current_generation(config.db)
    meta = json.loads((generation / index_store.META).read_text())
    (generation / index_store.META).write_text(json.dumps({**meta, "matcher_version": "0000older0000"}))

    with caplog.at_level(logging.INFO, logger="data.index_store"):
        index = MatchService().index(registry_db)

    assert "another version of the matcher" in caplog.text
    assert current_generation(config.db) != generation.name
    citizen = citizen_ids(document)[0]
    assert top_ids(index, registry_db, citizen) == top_ids(fresh_index(registry_db), registry_db, citizen)


@pytest.mark.parametrize("damage", ["flipped bytes", "truncated array", "garbage pointer", "missing file"])
def test_a_damaged_index_is_rebuilt_with_a_log_line(registry_db, config, document, caplog, damage):
    MatchService().index(registry_db)
    folder = index_store.folder_of(config.db)
    generation = folder / current_generation(config.db)
    if damage == "flipped bytes":
        path = generation / "text_data.npy"
        data = bytearray(path.read_bytes())
        data[len(data) // 2: len(data) // 2 + 8] = b"\x7f" * 8
        path.write_bytes(bytes(data))
    elif damage == "truncated array":
        path = generation / "lat.npy"
        path.write_bytes(path.read_bytes()[:-40])
    elif damage == "garbage pointer":
        (folder / index_store.CURRENT).write_bytes(b"\xff\xfe../../etc")
    else:
        (generation / index_store.OPENINGS).unlink()

    with caplog.at_level(logging.WARNING, logger="data.index_store"):
        service = MatchService()
        results = {c: top_ids(service, registry_db, c) for c in citizen_ids(document)[:10]}

    assert "building it again" in caplog.text
    built = fresh_index(registry_db)
    assert results == {c: top_ids(built, registry_db, c) for c in results}
    assert index_store.load(config.db, registry.registry_id(registry_db), registry.registry_version(registry_db)) is not None          # and a sound one is persisted again


# --- incremental changes ------------------------------------------------------------------------

def test_incremental_changes_give_the_results_of_a_full_rebuild(registry_db, document):
    service = MatchService(persist=False)
    before = service.index(registry_db)
    employer_ids = [row[0] for row in registry_db.execute("SELECT id FROM employers ORDER BY id")]
    # Copenhagen employers, so the changes touch the citizens' results.
    near = [row[0] for row in registry_db.execute(
        "SELECT id FROM employers WHERE postcode < '3000' ORDER BY id")]
    change_one_employer(registry_db, near[0], "Pizzabager i stenovnspizzeria")   # a word the fit never saw
    change_one_employer(registry_db, near[1], "Lagermedarbejder")
    with write(registry_db):
        registry_db.execute("DELETE FROM employers WHERE id = ?", [near[2]])      # as erasure does
        registry_db.execute("UPDATE openings SET active = 0 WHERE employer_id = ?", [near[3]])
    registry.save_employer(registry_db, employer_record(
        id="emp-new", postcode="2200", openings=[opening_record(id="opn-new", title="Cykelmekaniker",
                                                                tasks="Lappe cykler og skifte kæder")]))
    assert len(employer_ids) > 4

    updated = service.index(registry_db)
    rebuilt = fresh_index(registry_db)

    assert updated is not before and len(updated) == len(rebuilt)
    openings = {o.id: o for o in rebuilt.openings}
    same_ten, same_order, citizens = 0, 0, citizen_ids(document)
    for citizen_id in citizens:
        citizen = Citizen.from_exchange(registry.citizen_for_matching(registry_db, citizen_id))
        result, full = updated.match(citizen), rebuilt.match(citizen)
        for match in result.matches:     # hard rules: always
            assert breaks_hard_rule(citizen, openings[match.opening_id], result.radius_km, {}) is None
        ours, theirs = [m.opening_id for m in result.matches], [m.opening_id for m in full.matches]
        same_ten += set(ours) == set(theirs)
        same_order += ours == theirs
        # The text model is not refitted, so scores drift by the change's effect on the idf only.
        full_scores = {m.opening_id: m.score for m in full.matches}
        assert all(abs(m.score - full_scores[m.opening_id]) < 0.01 for m in result.matches if m.opening_id in full_scores)
    assert same_ten / len(citizens) >= 0.99
    assert same_order / len(citizens) >= 0.95
    gone = {o.id for o in updated.openings} - {o.id for o in rebuilt.openings}
    assert not gone


def test_a_new_word_matches_after_an_incremental_change(registry_db):
    service = MatchService(persist=False)
    service.index(registry_db)
    registry.save_employer(registry_db, employer_record(
        id="emp-pizza", postcode="2200", openings=[opening_record(
            id="opn-pizza", title="Stenovnspizzabager", tasks="Æltning af surdejsbunde")]))
    registry.save_citizen(registry_db, {"id": "cit-pizza", "first_name": "Ali", "postcode": "2200",
                                        "interests": "stenovnspizzabager, surdejsbunde"})

    assert top_ids(service, registry_db, "cit-pizza")[0] == "opn-pizza"


def test_a_sign_up_never_touches_the_index(registry_db, make_consultant):
    service = MatchService(persist=False)
    index = service.index(registry_db)
    version = registry.registry_version(registry_db)
    problems: list = []
    record = parse_employer(employer_record(id="x", cvr="12345674", contact={"email": "a@b.dk"}), 0, problems)
    assert not problems

    submission = signups.submit(registry_db, record)
    rejected = signups.submit(registry_db, {**record, "cvr": "12345682"})
    signups.reject(registry_db, rejected.registration_id, make_consultant())

    assert registry.registry_version(registry_db) == version
    assert service.index(registry_db) is index

    signups.approve(registry_db, submission.registration_id, make_consultant("b@example.dk"))
    assert registry.registry_version(registry_db) > version
    approved = service.index(registry_db)
    assert approved is not index
    assert {o.employer_id for o in approved.openings} >= {submission.employer_id}


def test_a_rebuild_runs_in_the_background_while_the_current_index_is_served(registry_db, config, document):
    service = MatchService()
    serving = service.index(registry_db)
    employer_id = registry_db.execute("SELECT employer_id FROM openings LIMIT 1").fetchone()[0]
    change_one_employer(registry_db, employer_id, "Gartner i planteskole")
    # The nightly refresh of another process pruned the log past what this process holds.
    registry.prune_match_changes(registry_db, registry.registry_version(registry_db))

    assert service.index(registry_db) is serving        # not waiting for the rebuild
    service.wait_for_rebuild(registry_db, timeout=300)

    citizen = citizen_ids(document)[0]
    assert service.index(registry_db) is not serving
    assert top_ids(service, registry_db, citizen) == top_ids(fresh_index(registry_db), registry_db, citizen)


def test_the_nightly_refresh_persists_a_fresh_index_and_prunes_the_log(registry_db, config):
    MatchService().index(registry_db)
    employer_id = registry_db.execute("SELECT employer_id FROM openings LIMIT 1").fetchone()[0]
    change_one_employer(registry_db, employer_id, "Pedel")
    assert registry.match_changes_since(registry_db, 0).employer_ids

    version = MatchService().refresh(registry_db)

    assert index_store.load(config.db, registry.registry_id(registry_db), registry.registry_version(registry_db))[1] == version == registry.registry_version(registry_db)
    changes = registry.match_changes_since(registry_db, 0)
    assert not changes.complete and not changes.employer_ids


# --- a quick command line -------------------------------------------------------------------------

HEAVY = ("numpy", "scipy", "sklearn")


@pytest.mark.parametrize("arguments", [["--help"], ["match", "--help"], ["export"], ["list-consultants"]])
def test_commands_that_do_not_match_import_no_numerics(config, arguments):
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['smajobs', '--db', {config.db!r}, *{arguments!r}]\n"
        "try:\n"
        "    runpy.run_module('smajobs.cli', run_name='__main__')\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_matcher_uses_geopys_earth_radius():
    from geopy.distance import EARTH_RADIUS
    from matcher import geo
    assert geo.EARTH_RADIUS_KM == EARTH_RADIUS


def test_an_index_persisted_for_another_database_at_the_same_path_is_not_used(registry_db, config, document):
    MatchService().index(registry_db)
    registry_db.close()
    for suffix in ("", "-wal", "-shm"):
        Path(config.db + suffix).unlink(missing_ok=True)
    other = connect(config.db)                      # a fresh database where the old one was
    registry.save_employer(other, employer_record(id="emp-only", postcode="2200"))
    registry.save_citizen(other, {"id": "cit-1", "first_name": "Fatma", "postcode": "2200",
                                  "interests": "køkken"})

    assert top_ids(MatchService(), other, "cit-1") == ["opn-1"]
    other.close()
