"""data.placements and the citizen/employer writes of data.registry, on a real SQLite file."""
from __future__ import annotations

import pytest

from data import placements, registry
from core.errors import Invalid

CITIZEN = "cit-fatma"
OPENING = "opn-98191"
OTHER_OPENING = "opn-76855"


def _placement(db, **overrides):
    values = dict(citizen_id=CITIZEN, opening_id=OPENING, kind="virksomhedspraktik", start_date="2026-01-05",
                  planned_end_date="2026-03-01", hours_per_week=10, paid_hours_per_week=0)
    values.update(overrides)
    return placements.create_placement(db, **values)


def _set_updated_at(db, citizen_id, value="2000-01-01T00:00:00+00:00"):
    db.execute("UPDATE citizens SET updated_at = ? WHERE id = ?", [value, citizen_id])
    db.conn.commit()


def _updated_at(db, citizen_id):
    return db.execute("SELECT updated_at FROM citizens WHERE id = ?", [citizen_id]).fetchone()[0]


def test_create_placement_stores_and_joins_names(demo_db):
    _set_updated_at(demo_db, CITIZEN)
    placement = _placement(demo_db, paid_hours_per_week=4, hourly_wage=130.5, trial_weeks=4)
    assert placement["status"] == "planned"
    assert placement["opening_title"] == "Bagerimedhjælper"
    assert placement["employer_name"] == "Morgenbrødet"
    assert placement["citizen_first_name"] == "Fatma"
    assert placement["hourly_wage"] == 130.5 and placement["trial_weeks"] == 4
    assert _updated_at(demo_db, CITIZEN) > "2000-01-01T00:00:00+00:00"
    assert [p["id"] for p in placements.placements_of_citizen(demo_db, CITIZEN)] == [placement["id"]]
    assert [p["id"] for p in placements.placements_of_employer(demo_db, "emp-98191")] == [placement["id"]]


@pytest.mark.parametrize("overrides, field", [
    ({"start_date": "2026-02-30"}, "start_date"),
    ({"start_date": ""}, "start_date"),
    ({"planned_end_date": "2025-12-31"}, "planned_end_date"),
    ({"paid_hours_per_week": 12, "hourly_wage": 120}, "paid_hours_per_week"),
    ({"hours_per_week": 40}, "hours_per_week"),
    ({"hours_per_week": -1}, "hours_per_week"),
    ({"paid_hours_per_week": 2, "hourly_wage": -5}, "hourly_wage"),
    ({"paid_hours_per_week": 2}, "hourly_wage"),
    ({"kind": "lønjob"}, "kind"),
    ({"outcome": "uddannelse"}, "outcome"),
    ({"status": "ended", "end_date": "2026-02-01"}, "outcome"),
    ({"status": "ended", "outcome": "ledighed"}, "end_date"),
    ({"opening_id": "opn-nope"}, "opening_id"),
    ({"citizen_id": "cit-nope"}, "citizen_id"),
])
def test_create_placement_rejects_bad_input_and_stores_nothing(demo_db, overrides, field):
    with pytest.raises(Invalid) as error:
        _placement(demo_db, **overrides)
    assert field in error.value.fields()
    assert error.value.reason_for(field)  # a Danish message, not empty
    assert demo_db.execute("SELECT COUNT(*) FROM placements").fetchone()[0] == 0


def _count(db):
    return db.execute("SELECT COUNT(*) FROM placements").fetchone()[0]


def test_a_new_placement_needs_an_open_opening_of_an_approved_employer(demo_db):
    closed = demo_db.execute("SELECT id FROM openings WHERE active = 0 ORDER BY id").fetchone()[0]
    with pytest.raises(Invalid) as error:
        _placement(demo_db, opening_id=closed)
    assert error.value.reason_for("opening_id") == "Småjobbet er lukket og kan ikke få nye forløb."
    demo_db.execute("UPDATE employers SET status = 'pending' WHERE id = 'emp-98191'")
    demo_db.conn.commit()
    with pytest.raises(Invalid) as error:
        _placement(demo_db)
    assert "ikke godkendt" in error.value.reason_for("opening_id")
    demo_db.execute("UPDATE employers SET status = 'rejected' WHERE id = 'emp-98191'")
    demo_db.conn.commit()
    with pytest.raises(Invalid) as error:
        _placement(demo_db)
    assert error.value.reason_for("opening_id") == "Virksomheden er afvist og kan ikke få forløb."
    assert _count(demo_db) == 0


def test_a_running_placement_keeps_its_opening_when_the_opening_closes(demo_db):
    placement = _placement(demo_db)
    demo_db.execute("UPDATE openings SET active = 0 WHERE id = ?", [OPENING])
    demo_db.conn.commit()
    assert placements.update_placement(demo_db, placement["id"], status="active")["status"] == "active"
    closed_other = demo_db.execute("SELECT id FROM openings WHERE active = 0 AND id != ?", [OPENING]).fetchone()[0]
    with pytest.raises(Invalid) as error:
        placements.update_placement(demo_db, placement["id"], opening_id=closed_other)
    assert "lukket" in error.value.reason_for("opening_id")


def test_update_and_end_placement(demo_db):
    placement = _placement(demo_db)
    updated = placements.update_placement(demo_db, placement["id"], status="active", paid_hours_per_week="2,5",
                                          hourly_wage="125")
    assert updated["status"] == "active" and updated["paid_hours_per_week"] == 2.5
    with pytest.raises(Invalid) as error:
        placements.update_placement(demo_db, placement["id"], hours_per_week=2)
    assert "paid_hours_per_week" in error.value.fields()
    assert placements.get_placement(demo_db, placement["id"])["hours_per_week"] == 10
    with pytest.raises(Invalid):
        placements.end_placement(demo_db, placement["id"], "2026-02-01", "vundet i lotto")
    _set_updated_at(demo_db, CITIZEN)
    ended = placements.end_placement(demo_db, placement["id"], "2026-02-01", "anden_offentlig_forsoergelse")
    assert ended["status"] == "ended" and ended["outcome"] == "anden_offentlig_forsoergelse"
    assert _updated_at(demo_db, CITIZEN) > "2000-01-01T00:00:00+00:00"
    assert placements.OUTCOME_LABELS[ended["outcome"]] == "Anden offentlig forsørgelse"


def test_active_placements(demo_db):
    planned = _placement(demo_db)
    active = _placement(demo_db, status="active", opening_id=OTHER_OPENING)
    assert [p["id"] for p in placements.active_placements(demo_db)] == [active["id"]]
    assert {p["id"] for p in placements.active_placements(demo_db, include_planned=True)} == {
        planned["id"], active["id"]}


def test_reports(demo_db):
    placement = _placement(demo_db)
    placements.add_report_due(demo_db, placement["id"], "slutrapport", "2026-03-01")
    first = placements.add_report_due(demo_db, placement["id"], "delrapport", "2026-02-01")
    assert [r["kind"] for r in placements.reports_of(demo_db, placement["id"])] == ["delrapport", "slutrapport"]
    with pytest.raises(Invalid) as error:
        placements.add_report_due(demo_db, placement["id"], "mellemrapport", "2026-13-01")
    assert error.value.fields() == {"kind", "due_date"}
    assert placements.submit_report(demo_db, first["id"], "2026-02-01T10:00:00+00:00")["submitted_at"]


def test_meetings(demo_db):
    placement = _placement(demo_db)
    _set_updated_at(demo_db, CITIZEN)
    first = placements.log_meeting(demo_db, citizen_id=CITIZEN, kind="first_citizen", held_on="2026-01-02",
                                   participants="Fatma, Karen", note="Godt møde")
    assert _updated_at(demo_db, CITIZEN) > "2000-01-01T00:00:00+00:00"
    employer = placements.log_meeting(demo_db, citizen_id=CITIZEN, placement_id=placement["id"],
                                      kind="first_employer", held_on="2026-01-10", paid_hours_proposed=True,
                                      paid_hours_answer="Ja, efter fire uger")
    assert employer["paid_hours_proposed"] is True
    assert [m["id"] for m in placements.meetings_of_citizen(demo_db, CITIZEN)] == [employer["id"], first["id"]]
    assert [m["id"] for m in placements.meetings_of_placement(demo_db, placement["id"])] == [employer["id"]]


@pytest.mark.parametrize("overrides, field", [
    ({"kind": "kaffe"}, "kind"),
    ({"held_on": "i går"}, "held_on"),
    ({"kind": "first_citizen", "paid_hours_proposed": True}, "paid_hours_proposed"),
    ({"paid_hours_proposed": False, "paid_hours_answer": "nej"}, "paid_hours_answer"),
    ({"placement_id": None}, "placement_id"),
    ({"note": "x" * 3000}, "note"),
])
def test_log_meeting_rejects_bad_input(demo_db, overrides, field):
    placement = _placement(demo_db)
    values = dict(citizen_id=CITIZEN, placement_id=placement["id"], kind="first_employer", held_on="2026-01-10")
    values.update(overrides)
    with pytest.raises(Invalid) as error:
        placements.log_meeting(demo_db, **values)
    assert field in error.value.fields()
    assert demo_db.execute("SELECT COUNT(*) FROM meetings").fetchone()[0] == 0


def test_meeting_placement_must_belong_to_citizen(demo_db, demo_document):
    other = demo_document["citizens"][1]["id"]
    placement = _placement(demo_db)
    with pytest.raises(Invalid) as error:
        placements.log_meeting(demo_db, citizen_id=other, placement_id=placement["id"], kind="follow_up",
                               held_on="2026-01-10")
    assert "placement_id" in error.value.fields()


def test_save_citizen_creates_then_updates_keeping_created_at(db):
    record = {"id": "cit-new", "first_name": "Ole", "postcode": "2200", "needs": ["seated_work"],
              "hours_per_week": {"min": 2, "max": 6}, "consultant": "Karen@Example.dk", "social_free_card": True}
    saved = registry.save_citizen(db, record)
    assert saved["consultant"] == "karen@example.dk" and saved["social_free_card"] is True
    assert saved["lat"] and saved["hours_max"] == 6
    created = db.execute("SELECT created_at FROM citizens WHERE id = 'cit-new'").fetchone()[0]
    db.execute("UPDATE citizens SET created_at = '2001-01-01T00:00:00+00:00' WHERE id = 'cit-new'")
    db.conn.commit()
    again = registry.save_citizen(db, {**record, "first_name": "Olga"})
    assert again["first_name"] == "Olga" and again["created_at"] == "2001-01-01T00:00:00+00:00"
    assert created


def test_save_citizen_rejects_whole_record(db):
    with pytest.raises(Invalid) as error:
        registry.save_citizen(db, {"id": "cit-bad", "first_name": "", "postcode": "9999", "needs": ["flying"]})
    fields = {p.field for p in error.value.problems}
    assert {"first_name", "postcode", "needs"} <= fields
    assert registry.get_citizen(db, "cit-bad") is None


def test_list_and_reassign_citizens(demo_db, make_consultant):
    make_consultant("anden@example.dk", "Anden")
    mine = registry.list_citizens(demo_db, "KONSULENT@example.dk")
    assert len(mine) == 3 and all(c["open_placements"] == 0 for c in mine)
    registry.reassign_citizen(demo_db, CITIZEN, "anden@example.dk")
    assert [c["id"] for c in registry.list_citizens(demo_db, "anden@example.dk")] == [CITIZEN]
    assert len(registry.list_citizens(demo_db, None)) == 3
    with pytest.raises(Invalid) as error:
        registry.reassign_citizen(demo_db, CITIZEN, "ukendt@example.dk")
    assert "consultant" in error.value.fields()
    assert registry.get_citizen(demo_db, CITIZEN)["consultant"] == "anden@example.dk"


def test_list_employers_search(demo_db):
    everyone = registry.list_employers(demo_db)
    assert len(everyone) == 90 and all(e["openings"] for e in everyone)
    bakeries = registry.list_employers(demo_db, "bageri")
    assert bakeries and all("bageri" in (e["industry"] + e["name"] + " ".join(o["title"] for o in e["openings"])).lower()
                            for e in bakeries)
    assert registry.list_employers(demo_db, "BAGERIMEDHJÆLPER")
    assert registry.list_employers(demo_db, "findes-ikke-xyz") == []
    assert registry.list_employers(demo_db, status="pending") == []


def test_save_employer_upserts_and_deactivates_missing_openings(demo_db):
    record = {"id": "emp-x", "name": "Café Ø", "postcode": "8000", "openings": [
        {"id": "opn-x1", "title": "Opvask", "tasks": "Opvask"},
        {"id": "opn-x2", "title": "Kasse", "tasks": "Kasse"}]}
    saved = registry.save_employer(demo_db, record)
    assert saved["status"] == "approved" and [o["id"] for o in saved["openings"]] == ["opn-x1", "opn-x2"]
    again = registry.save_employer(demo_db, {**record, "openings": record["openings"][:1]})
    assert [(o["id"], o["active"]) for o in again["openings"]] == [("opn-x1", True), ("opn-x2", False)]
    with pytest.raises(Invalid):
        registry.save_employer(demo_db, {**record, "id": "emp-y"})  # opening ids belong to emp-x
    with pytest.raises(Invalid):
        registry.save_employer(demo_db, {"id": "emp-z", "name": "", "postcode": "8000", "openings": []})
    assert registry.get_employer(demo_db, "emp-z") is None
