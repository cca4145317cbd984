"""Import and export of the registry (data.registry) on a real SQLite file: upsert by id, files
rejected whole, postcode placement, extras kept, and a property-based lossless round trip."""
from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.dk import cvr as cvr_number

from core.errors import Invalid
from data import registry
from data.db import connect
from data.exchange import (
    CITIZEN_FIELDS, CONTACT_FIELDS, EMPLOYER_FIELDS, NEED_CODES, OPENING_FIELDS, PAID_HOURS, SHIFTS,
)
from data.postcodes import all_postcodes, lookup
from tests.records import citizen, employer

VALID_CVR = "13585628"


def all_rows(db) -> dict[str, list[dict]]:
    return {table: [dict(r) for r in db.query(f"SELECT * FROM {table} ORDER BY id")]
            for table in ("employers", "openings", "citizens")}


def counts(db) -> dict[str, int]:
    return {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("employers", "openings", "citizens")}


# --- upsert by id --------------------------------------------------------------------------------

def test_import_stores_every_record(db, demo_document):
    summary = registry.import_document(db, demo_document)
    n_openings = sum(len(e["openings"]) for e in demo_document["employers"])
    assert summary.created == {"employers": len(demo_document["employers"]), "openings": n_openings,
                               "citizens": len(demo_document["citizens"])}
    assert counts(db) == summary.created


def test_second_import_of_same_file_changes_nothing(db, demo_document):
    registry.import_document(db, demo_document)
    rows_before, version_before = all_rows(db), registry.registry_version(db)
    summary = registry.import_document(db, copy.deepcopy(demo_document))
    assert sum(summary.created.values()) == 0 and sum(summary.updated.values()) == 0
    assert summary.unchanged == counts(db)
    assert "0 nye, 0 opdateret" in summary.describe() and "uændret" in summary.describe()
    assert all_rows(db) == rows_before  # updated_at included
    assert registry.registry_version(db) == version_before


def test_changed_record_is_updated_and_keeps_created_at(db):
    registry.import_document(db, {"employers": [employer()], "citizens": [citizen(), citizen(id="cit-2")]})
    db.execute("UPDATE citizens SET created_at = '2001-01-01T00:00:00+00:00', "
               "updated_at = '2001-01-01T00:00:00+00:00'")
    db.conn.commit()
    version = registry.registry_version(db)
    summary = registry.import_document(db, {"citizens": [citizen(goal="Arbejde i køkken"), citizen(id="cit-2")]})
    assert summary.updated["citizens"] == 1 and summary.unchanged["citizens"] == 1
    changed, same = registry.get_citizen(db, "cit-1"), registry.get_citizen(db, "cit-2")
    assert changed["goal"] == "Arbejde i køkken"
    assert changed["created_at"] == "2001-01-01T00:00:00+00:00" != changed["updated_at"]
    assert same["updated_at"] == "2001-01-01T00:00:00+00:00"
    assert registry.registry_version(db) == version  # citizens are not what the match index reads
    registry.import_document(db, {"employers": [employer(name="Pizzeria Roma")]})
    assert registry.registry_version(db) > version


def test_opening_left_out_of_an_employer_becomes_inactive(db):
    two = [{"id": "opn-1", "title": "Køkken", "tasks": "x"}, {"id": "opn-2", "title": "Opvask", "tasks": "y"}]
    registry.import_document(db, {"employers": [employer(openings=two)]})
    summary = registry.import_document(db, {"employers": [employer(openings=two[:1])]})
    assert summary.updated["openings"] == 1 and summary.unchanged["openings"] == 1
    assert registry.get_opening(db, "opn-2")["active"] is False  # kept: placements may point at it
    assert [o["id"] for e in registry.matchable_employers(db) for o in e["openings"]] == ["opn-1"]
    exported = registry.export_document(db)["employers"][0]["openings"]
    assert [(o["id"], o["active"]) for o in exported] == [("opn-1", True), ("opn-2", False)]
    again = registry.import_document(db, {"employers": [employer(openings=two[:1])]})
    assert sum(again.updated.values()) == 0


def test_import_of_file_without_a_record_leaves_that_record_alone(db):
    registry.import_document(db, {"employers": [employer()], "citizens": [citizen()]})
    registry.import_document(db, {"citizens": [citizen(id="cit-2")]})
    assert counts(db) == {"employers": 1, "openings": 1, "citizens": 2}


# --- rejected whole ------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [
    {"citizens": [citizen(id="cit-9", needs=["telepathy"])]},
    {"employers": [employer(id="emp-9", cvr="13585627", openings=[{"id": "opn-9", "title": "T", "tasks": "x"}])]},
    {"citizens": [citizen(id="cit-9", postcode="9999")]},
    {"citizens": [citizen(id="cit-9", hours_per_week={"min": 9, "max": 3})]},
    {"citizens": [citizen(id="cit-9", first_name=None)]},
    {"citizens": [citizen(id="cit-9", age="tre")]},
    {"citizens": [citizen(id="cit-9", lat=55.7)]},
    {"citizens": [citizen(id="cit-2")]},  # duplicate of a valid record in the same file
])
def test_file_with_one_bad_record_stores_nothing(db, bad):
    registry.import_document(db, {"citizens": [citizen(id="cit-0")]})
    before = all_rows(db)
    document = {"employers": [employer()] + bad.get("employers", []),
                "citizens": [citizen(), citizen(id="cit-2")] + bad.get("citizens", [])}
    with pytest.raises(Invalid) as caught:
        registry.import_document(db, document)
    assert caught.value.problems and all(p.record_id in ("cit-9", "emp-9", "cit-2") for p in caught.value.problems)
    assert all_rows(db) == before


def test_database_error_half_way_rolls_back_the_whole_import(db):
    # A trigger that fails on the last citizen: the employers and citizens written before it
    # in the same import must disappear with it.
    db.execute("CREATE TEMP TRIGGER refuse AFTER INSERT ON citizens WHEN NEW.id = 'cit-boom' "
               "BEGIN SELECT RAISE(ABORT, 'refused'); END")
    with pytest.raises(Exception, match="refused"):
        registry.import_document(db, {"employers": [employer()],
                                      "citizens": [citizen(), citizen(id="cit-boom")]})
    assert counts(db) == {"employers": 0, "openings": 0, "citizens": 0}
    assert not db.conn.in_transaction
    registry.import_document(db, {"citizens": [citizen()]})  # the connection is still usable
    assert counts(db)["citizens"] == 1


# --- placement, extras, types -------------------------------------------------------------------

def test_records_without_coordinates_sit_at_their_postcode_and_export_without_them(db):
    registry.import_document(db, {"employers": [employer(postcode="8000")],
                                  "citizens": [citizen(postcode="5000"), citizen(id="cit-2", lat=55.7, lon=12.55)]})
    stored = db.execute("SELECT lat, lon, coords_given FROM employers").fetchone()
    aarhus = lookup("8000")
    assert tuple(stored) == (aarhus.lat, aarhus.lon, 0)
    odense = lookup("5000")
    assert (registry.get_citizen(db, "cit-1")["lat"], registry.get_citizen(db, "cit-1")["lon"]) == (odense.lat, odense.lon)
    exported = registry.export_document(db)
    assert "lat" not in exported["employers"][0] and "lon" not in exported["employers"][0]
    by_id = {c["id"]: c for c in exported["citizens"]}
    assert "lat" not in by_id["cit-1"] and "lon" not in by_id["cit-1"]
    assert (by_id["cit-2"]["lat"], by_id["cit-2"]["lon"]) == (55.7, 12.55)
    # Matching always gets coordinates.
    assert registry.citizen_for_matching(db, "cit-1")["lat"] == odense.lat
    assert registry.matchable_employers(db)[0]["lat"] == aarhus.lat


def test_employer_extras_and_contact_extras_survive_export(db):
    record = employer(kommune="Aarhus", tags=["café", 2], contact={"name": "Ali", "title": "Ejer", "mobil": None},
                      openings=[{"id": "opn-1", "title": "Opvask", "tasks": "Opvask", "mentor": {"navn": "Ole"}}])
    registry.import_document(db, {"employers": [record]})
    [exported] = registry.export_document(db)["employers"]
    assert exported["kommune"] == "Aarhus" and exported["tags"] == ["café", 2]
    assert exported["contact"] == {"name": "Ali", "title": "Ejer", "mobil": None}
    assert exported["openings"][0]["mentor"] == {"navn": "Ole"}
    assert "_contact_extra" not in exported and "_contact_extra" not in registry.get_employer(db, "emp-1")["extra"]


def test_employer_field_named_like_the_storage_key_is_not_mistaken_for_contact_extras(db):
    record = employer(_contact_extra={"a": 1}, __contact_extra=2, contact={"name": "Ali", "title": "Ejer"})
    registry.import_document(db, {"employers": [record, employer(id="emp-2", _contact_extra="x",
                                                                 openings=[{"id": "o2", "title": "T", "tasks": "x"}])]})
    exported = {e["id"]: e for e in registry.export_document(db)["employers"]}
    assert exported["emp-1"]["_contact_extra"] == {"a": 1} and exported["emp-1"]["__contact_extra"] == 2
    assert exported["emp-1"]["contact"] == {"name": "Ali", "title": "Ejer"}
    assert exported["emp-2"]["_contact_extra"] == "x" and "contact" not in exported["emp-2"]
    assert registry.get_employer(db, "emp-1")["extra"] == {"_contact_extra": {"a": 1}, "__contact_extra": 2}


def test_citizen_extras_survive_export(db):
    registry.import_document(db, {"citizens": [citizen(kommune="Odense", x={"y": [1.5, None]})]})
    [exported] = registry.export_document(db)["citizens"]
    assert exported["kommune"] == "Odense" and exported["x"] == {"y": [1.5, None]}


def test_max_travel_km_exports_as_int_when_integral(db):
    registry.import_document(db, {"citizens": [citizen(max_travel_km=3.0), citizen(id="cit-2", max_travel_km=2.5),
                                               citizen(id="cit-3")]})
    exported = {c["id"]: c["max_travel_km"] for c in registry.export_document(db)["citizens"]}
    assert exported == {"cit-1": 3, "cit-2": 2.5, "cit-3": 10}
    assert all(type(v) is int for k, v in exported.items() if k != "cit-2")
    assert '"max_travel_km": 3,' in json.dumps(registry.export_document(db)["citizens"][0])


def test_consultant_email_is_stored_lowercase(db):
    registry.import_document(db, {"citizens": [citizen(consultant="Karen@Example.DK")]})
    assert registry.get_citizen(db, "cit-1")["consultant"] == "karen@example.dk"
    assert db.execute("SELECT consultant_email FROM citizens").fetchone()[0] == "karen@example.dk"
    assert registry.export_document(db)["citizens"][0]["consultant"] == "karen@example.dk"


def test_cvr_given_as_number_and_postcode_given_as_int(db):
    registry.import_document(db, {"employers": [employer(cvr=int(VALID_CVR), postcode=2200)]})
    stored = registry.get_employer(db, "emp-1")
    assert (stored["cvr"], stored["postcode"]) == (VALID_CVR, "2200")
    with pytest.raises(Invalid, match="fire cifre"):
        registry.import_document(db, {"citizens": [citizen(postcode=800)]})
    assert counts(db)["citizens"] == 0


def test_null_optional_fields_import_with_defaults(db):
    registry.import_document(db, {
        "employers": [employer(openings=[{"id": "opn-1", "title": "T", "tasks": "x", "seats": None,
                                          "trial_weeks": None, "active": None}])],
        "citizens": [citizen(max_travel_km=None, social_free_card=None)]})
    assert registry.get_opening(db, "opn-1")["seats"] == 1
    assert registry.get_citizen(db, "cit-1")["max_travel_km"] == 10


def test_export_of_empty_database(db):
    assert registry.export_document(db) == {"employers": [], "citizens": []}


def test_export_is_sorted_and_openings_keep_file_order(db):
    openings = [{"id": f"opn-{n}", "title": "T", "tasks": "x"} for n in ("c", "a", "b")]
    registry.import_document(db, {"employers": [employer(id="emp-b", openings=openings), employer(
        id="emp-a", openings=[{"id": "opn-z", "title": "T", "tasks": "x"}])]})
    exported = registry.export_document(db)["employers"]
    assert [e["id"] for e in exported] == ["emp-a", "emp-b"]
    assert [o["id"] for o in exported[1]["openings"]] == ["opn-c", "opn-a", "opn-b"]


# --- property: the round trip is lossless -----------------------------------------------------------

def _json_values():
    scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**6)
               | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8))
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)


def _extras(known: tuple[str, ...]):
    # The storage's own key for contact extras is a legal field name in a file too.
    keys = (st.text(min_size=1, max_size=10) | st.sampled_from(["_contact_extra", "__contact_extra", "extra"])
            ).filter(lambda k: k not in known)
    return st.dictionaries(keys, _json_values(), max_size=3)


def _text(min_size=0, max_size=40):
    # Valid text has no control characters (core.checks.plain_text refuses them).
    letters = st.characters(exclude_categories=("Cc", "Cs"))
    return st.text(letters, min_size=min_size, max_size=max_size).filter(
        lambda s: s == s.strip() and len(s) >= min_size)


def _valid_cvr():
    def with_check_digit(prefix: str):
        for digit in "0123456789":
            if cvr_number.is_valid(prefix + digit):
                return prefix + digit
        return None
    prefixes = st.integers(1_000_000, 9_999_999).map(str)
    return prefixes.map(with_check_digit).filter(lambda v: v is not None)


POSTCODES = sorted(all_postcodes())
codes = lambda vocabulary, **kw: st.lists(st.sampled_from(vocabulary), **kw)  # noqa: E731


@st.composite
def _optional(draw, record: dict, name: str, strategy):
    if draw(st.booleans()):
        record[name] = draw(strategy)


@st.composite
def hours(draw):
    low = draw(st.none() | st.integers(1, 37))
    high = draw(st.none() | st.integers(low or 1, 37))
    return {k: v for k, v in (("min", low), ("max", high)) if v is not None}


def _place(draw, record: dict) -> None:
    record["postcode"] = draw(st.sampled_from(POSTCODES))
    if draw(st.booleans()):
        record["lat"] = draw(st.floats(54.5, 57.8))
        record["lon"] = draw(st.floats(8.0, 15.2))


@st.composite
def opening_records(draw, opening_id: str):
    record = {"id": opening_id, "title": draw(_text(1, 30)), "tasks": draw(_text(1, 60))}
    draw(_optional(record, "hours_per_week", hours()))
    draw(_optional(record, "shifts", codes(SHIFTS, min_size=1, unique=True)))
    draw(_optional(record, "paid_hours", st.sampled_from(PAID_HOURS)))
    draw(_optional(record, "trial_weeks", st.integers(0, 52)))
    can = draw(codes(NEED_CODES, unique=True))
    if draw(st.booleans()):
        record["can_meet"] = can
    rest = [c for c in NEED_CODES if c not in can]
    draw(_optional(record, "cannot_meet", codes(rest, unique=True) if rest else st.just([])))
    draw(_optional(record, "seats", st.integers(1, 100)))
    draw(_optional(record, "active", st.booleans()))
    record.update(draw(_extras(OPENING_FIELDS)))
    return record


@st.composite
def employer_records(draw, index: int):
    record = {"id": f"emp-{index}-{draw(st.text('abcæøå0123456789-', max_size=6))}", "name": draw(_text(1, 40))}
    draw(_optional(record, "cvr", _valid_cvr()))
    draw(_optional(record, "industry", _text()))
    draw(_optional(record, "address", _text()))
    _place(draw, record)
    contact = {}
    for key in CONTACT_FIELDS:
        if draw(st.booleans()):
            contact[key] = (f"{draw(st.text('abcdefg', min_size=1, max_size=8))}@example.dk" if key == "email"
                            else draw(_text(1, 20)))
    contact.update(draw(_extras(CONTACT_FIELDS)))
    if contact:
        record["contact"] = contact
    draw(_optional(record, "languages", codes(["da", "en", "tr", "ar", "uk"], unique=True)))
    record["openings"] = [draw(opening_records(f"opn-{index}-{n}")) for n in range(draw(st.integers(1, 3)))]
    record.update(draw(_extras(EMPLOYER_FIELDS)))
    return record


@st.composite
def citizen_records(draw, index: int):
    record = {"id": f"cit-{index}", "first_name": draw(_text(1, 30))}
    draw(_optional(record, "age", st.integers(15, 100)))
    draw(_optional(record, "target_group", _text(1, 40)))
    _place(draw, record)
    for name in ("interests", "experience", "goal"):
        draw(_optional(record, name, _text()))
    draw(_optional(record, "languages", codes(["da", "en", "tr", "ar", "uk"], unique=True)))
    draw(_optional(record, "hours_per_week", hours()))
    draw(_optional(record, "shifts", codes(SHIFTS, min_size=1, unique=True)))
    draw(_optional(record, "max_travel_km", st.integers(1, 500) | st.floats(0.1, 500)))
    draw(_optional(record, "needs", codes(NEED_CODES, unique=True)))
    draw(_optional(record, "consultant", st.sampled_from(["karen@example.dk", "Ole.Hansen@Example.DK"])))
    draw(_optional(record, "social_free_card", st.booleans()))
    record.update(draw(_extras(CITIZEN_FIELDS)))
    return record


@st.composite
def documents(draw):
    employers = [draw(employer_records(i)) for i in range(draw(st.integers(0, 4)))]
    citizens = [draw(citizen_records(i)) for i in range(draw(st.integers(0, 4)))]
    return {"employers": employers, "citizens": citizens}


def normalised(document: dict) -> dict:
    """What the format says an export of `document` must be: every default filled in, codes in
    the vocabulary's order, lat/lon only where the file gave them, records sorted by id."""
    def in_order(vocabulary, values):
        return [v for v in vocabulary if v in values]

    def opening(o: dict) -> dict:
        result = {**o, "shifts": in_order(SHIFTS, o.get("shifts", ["day"])),
                  "paid_hours": o.get("paid_hours", "possible"), "trial_weeks": o.get("trial_weeks", 0),
                  "can_meet": in_order(NEED_CODES, o.get("can_meet", [])),
                  "cannot_meet": in_order(NEED_CODES, o.get("cannot_meet", [])),
                  "seats": o.get("seats", 1), "active": o.get("active", True)}
        if not result.get("hours_per_week"):
            result.pop("hours_per_week", None)
        return result

    def employer_(e: dict) -> dict:
        return {**e, "industry": e.get("industry", ""), "address": e.get("address", ""),
                "languages": e.get("languages", ["da"]), "openings": [opening(o) for o in e["openings"]]}

    def citizen_(c: dict) -> dict:
        result = {**c, "interests": c.get("interests", ""), "experience": c.get("experience", ""),
                  "goal": c.get("goal", ""), "languages": c.get("languages", ["da"]),
                  "needs": in_order(NEED_CODES, c.get("needs", [])), "max_travel_km": c.get("max_travel_km", 10)}
        if "shifts" in c:
            result["shifts"] = in_order(SHIFTS, c["shifts"])
        if not result.get("hours_per_week"):
            result.pop("hours_per_week", None)
        travel = result["max_travel_km"]
        result["max_travel_km"] = int(travel) if float(travel).is_integer() else travel
        if "consultant" in c:
            result["consultant"] = c["consultant"].lower()
        if not c.get("social_free_card"):
            result.pop("social_free_card", None)
        return result

    return {"employers": sorted((employer_(e) for e in document["employers"]), key=lambda e: e["id"]),
            "citizens": sorted((citizen_(c) for c in document["citizens"]), key=lambda c: c["id"])}


def as_json(value) -> str:
    # Compare what a file would hold: key order ignored, 3 and 3.0 told apart.
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(document=documents())
def test_round_trip_is_lossless(document):
    original = copy.deepcopy(document)
    with tempfile.TemporaryDirectory() as directory:
        first_db = connect(Path(directory) / "first.db")
        registry.import_document(first_db, document)
        exported = registry.export_document(first_db)
        assert document == original  # the import did not change its input
        assert as_json(exported) == as_json(normalised(document))
        # Importing the export again is a no-op, and a fresh database gives the same document.
        again = registry.import_document(first_db, json.loads(json.dumps(exported)))
        assert sum(again.created.values()) == 0 and sum(again.updated.values()) == 0
        second_db = connect(Path(directory) / "second.db")
        registry.import_document(second_db, json.loads(json.dumps(exported)))
        assert as_json(registry.export_document(second_db)) == as_json(exported)
        first_db.close()
        second_db.close()


# --- conflicts with stored data and registrations not yet approved ----------------------------------

def test_opening_of_another_employer_is_refused_not_moved(db):
    registry.import_document(db, {"employers": [employer()]})
    before = all_rows(db)
    moved = employer(id="emp-2", openings=[{"id": "opn-1", "title": "Andet", "tasks": "x"}])
    with pytest.raises(Invalid) as caught:
        registry.import_document(db, {"employers": [moved], "citizens": [citizen()]})
    [problem] = caught.value.problems
    assert (problem.kind, problem.record_id, problem.field) == ("småjob", "opn-1", "id")
    assert problem.reason == "tilhører virksomhed 'emp-1', ikke 'emp-2'"
    assert all_rows(db) == before  # not even the citizen of the same file


def test_pending_and_rejected_employers_are_not_exported(db):
    registry.import_document(db, {"employers": [
        employer(), employer(id="emp-2", openings=[{"id": "opn-2", "title": "T", "tasks": "x"}]),
        employer(id="emp-3", openings=[{"id": "opn-3", "title": "T", "tasks": "x"}])]})
    with db.conn:
        db.execute("UPDATE employers SET status = 'pending' WHERE id = 'emp-2'")
        db.execute("UPDATE employers SET status = 'rejected' WHERE id = 'emp-3'")
    exported = registry.export_document(db)
    assert [e["id"] for e in exported["employers"]] == ["emp-1"]
    assert [o["id"] for e in exported["employers"] for o in e["openings"]] == ["opn-1"]


# --- property: one bad record anywhere rejects the whole file -----------------------------------

CITIZEN_CORRUPTIONS = [
    ("needs", lambda c: c.update(needs=[*c.get("needs", []), "ukendt_kode"])),
    ("postcode", lambda c: c.update(postcode="0001")),
    ("hours_per_week", lambda c: c.update(hours_per_week={"min": 20, "max": 5})),
    ("first_name", lambda c: c.pop("first_name")),
    ("age", lambda c: c.update(age="tyve")),
    ("lon", lambda c: (c.update(lat=55.5), c.pop("lon", None))),
    ("max_travel_km", lambda c: c.update(max_travel_km=[3])),
    ("consultant", lambda c: c.update(consultant="ikke-en-adresse")),
]
EMPLOYER_CORRUPTIONS = [
    ("cvr", lambda e: e.update(cvr="12345678")),
    ("openings", lambda e: e.update(openings=[])),
    ("name", lambda e: e.update(name=7)),
    ("postcode", lambda e: e.update(postcode="12")),
]
OPENING_CORRUPTIONS = [
    ("seats", lambda o: o.update(seats="to")),
    ("paid_hours", lambda o: o.update(paid_hours="måske")),
    ("cannot_meet", lambda o: o.update(cannot_meet=["flyve"])),
    ("tasks", lambda o: o.pop("tasks")),
]


@st.composite
def corrupted_documents(draw):
    """(document, kind, record id, field): a valid document with one record made invalid."""
    document = draw(documents().filter(lambda d: d["employers"] or d["citizens"]))
    targets = (["citizen"] if document["citizens"] else []) + (["employer", "opening"] if document["employers"] else [])
    target = draw(st.sampled_from(targets))
    if target == "citizen":
        record = draw(st.sampled_from(document["citizens"]))
        field, corrupt = draw(st.sampled_from(CITIZEN_CORRUPTIONS))
        kind = "borger"
    elif target == "employer":
        record = draw(st.sampled_from(document["employers"]))
        field, corrupt = draw(st.sampled_from(EMPLOYER_CORRUPTIONS))
        kind = "virksomhed"
    else:
        record = draw(st.sampled_from([o for e in document["employers"] for o in e["openings"]]))
        field, corrupt = draw(st.sampled_from(OPENING_CORRUPTIONS))
        kind = "småjob"
    corrupt(record)
    return document, kind, record["id"], field


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=corrupted_documents())
def test_one_bad_record_anywhere_rejects_the_file_and_names_it(case):
    document, kind, record_id, field = case
    with tempfile.TemporaryDirectory() as directory:
        db = connect(Path(directory) / "bad.db")
        registry.import_document(db, {"citizens": [citizen(id="already-there")]})
        before = all_rows(db)
        with pytest.raises(Invalid) as caught:
            registry.import_document(db, document)
        assert (kind, record_id, field) in {(p.kind, p.record_id, p.field) for p in caught.value.problems}
        assert all(p.reason for p in caught.value.problems)
        assert all_rows(db) == before
        db.close()
