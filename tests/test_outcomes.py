"""Issue 12, recording: the first paid hour's date, statuses after the end, their reminder, and
the anonymous statistics copy that survives erasure."""
from __future__ import annotations

import re

import pytest

from core import clock
from core.config import Config, ConfigError
from data import audit, outcomes, statistics
from core.errors import Invalid
from data.placements import end_placement, update_placement
from jobs import erasure
from jobs.rules import run_pass
from tests.conftest import login
from tests.rules_helpers import at, keys, placement, reminders

POINTS = (2, 6)


def _ended(db, citizen="cit-fatma", start="2026-01-05", end="2026-03-31", outcome="ledighed", paid=0):
    p = placement(db, citizen, start=start, paid=paid)
    return end_placement(db, p["id"], end, outcome)


def test_followup_points_come_from_config(tmp_path, monkeypatch):
    monkeypatch.setenv("SMAJOBS_OUTCOME_FOLLOWUP_MONTHS", "12, 2,6,2")
    assert Config.load(db=str(tmp_path / "x.db"), secret_key="k").followup_months == (2, 6, 12)
    assert Config.load(db=str(tmp_path / "x.db"), secret_key="k", outcome_followup_months="2").followup_months == (2,)
    for bad in ("", "0", "2,x", "61"):
        with pytest.raises(ConfigError, match="SMAJOBS_OUTCOME_FOLLOWUP_MONTHS"):
            Config.load(db=str(tmp_path / "x.db"), secret_key="k", outcome_followup_months=bad or " ")


def test_recording_a_status_updates_the_anonymous_row_and_the_audit_trail(demo_db):
    p = _ended(demo_db)
    outcomes.record_followup(demo_db, p["id"], 2, "uddannelse", POINTS)
    assert statistics.all_statuses(demo_db) == [(2, "uddannelse")]
    outcomes.record_followup(demo_db, p["id"], 2, "beskaeftigelse_og_offentlig_forsoergelse", POINTS)  # corrected
    outcomes.record_followup(demo_db, p["id"], 6, "ukendt", POINTS)
    assert statistics.all_statuses(demo_db) == [(2, "beskaeftigelse_og_offentlig_forsoergelse"), (6, "ukendt")]
    assert {m: r["status"] for m, r in outcomes.followups_of(demo_db, p["id"]).items()} == {
        2: "beskaeftigelse_og_offentlig_forsoergelse", 6: "ukendt"}
    actions = [r["action"] for r in demo_db.query("SELECT action FROM audit_log WHERE placement_id = ?", [p["id"]])]
    assert actions.count("followup_recorded") == 3
    assert "followup_recorded" in audit.ACTIONS


def test_bad_followup_input_is_refused_with_danish_messages_and_nothing_stored(demo_db):
    running = placement(demo_db, "cit-sofie", start="2026-01-05")
    p = _ended(demo_db)
    with pytest.raises(Invalid) as error:
        outcomes.record_followup(demo_db, p["id"], 3, "nogetandet", POINTS)
    assert {p.field: p.reason for p in error.value.problems} == {
        "months": "Status registreres 2, 6 måneder efter forløbet.", "status": "Vælg hvor borgeren stod."}
    with pytest.raises(Invalid, match="først, når forløbet er afsluttet"):
        outcomes.record_followup(demo_db, running["id"], 2, "ledighed", POINTS)
    assert statistics.all_statuses(demo_db) == []
    assert outcomes.followups_of(demo_db, p["id"]) == {}


def test_first_paid_hour_is_set_by_itself_and_can_be_corrected(demo_db):
    p = placement(demo_db, start="2026-01-05")
    with clock.use(at("2026-02-02 10:00")):
        p = update_placement(demo_db, p["id"], paid_hours_per_week=3, hourly_wage=130)
    assert p["paid_hours_since"] == "2026-02-02"
    outcomes.set_paid_hours_since(demo_db, p["id"], "2026-01-19")
    end_placement(demo_db, p["id"], "2026-03-31", "beskaeftigelse")
    assert statistics.all_rows(demo_db)[0]["days_to_paid_hours"] == 14
    with pytest.raises(Invalid, match="før forløbets start"):
        outcomes.set_paid_hours_since(demo_db, p["id"], "2025-12-31")
    with pytest.raises(Invalid, match="efter forløbets slutdato"):
        outcomes.set_paid_hours_since(demo_db, p["id"], "2026-04-01")
    with pytest.raises(Invalid, match="angiv datoen"):
        outcomes.set_paid_hours_since(demo_db, p["id"], "")
    assert statistics.all_rows(demo_db)[0]["days_to_paid_hours"] == 14


def test_status_reminder_falls_due_on_a_working_day_and_closes_when_recorded(demo_db, config):
    config = config.with_(outcome_followup_months="2,6")
    # Ended 2026-02-05: two months on is Sunday 5 April 2026... in Easter: Monday 6 April is
    # 2. påskedag, so the reminder falls due on Tuesday 7 April.
    p = _ended(demo_db, start="2026-01-05", end="2026-02-05")
    run_pass(demo_db, config, at("2026-04-06 08:00"))
    assert keys(demo_db, rule="outcome_status") == []
    run_pass(demo_db, config, at("2026-04-07 08:00"))
    assert keys(demo_db, rule="outcome_status") == [f"outcome_status:{p['id']}:2"]
    reminder = reminders(demo_db, rule="outcome_status")[0]
    assert reminder["due_on"] == "2026-04-07" and "Fatma" in reminder["title"] and "2 måneder" in reminder["title"]
    outcomes.record_followup(demo_db, p["id"], 2, "fleksjob", config.followup_months)
    counts = run_pass(demo_db, config, at("2026-04-07 09:00"))
    assert counts["closed"] == 1 and keys(demo_db, rule="outcome_status") == []
    assert keys(demo_db, status="closed", rule="outcome_status") == [f"outcome_status:{p['id']}:2"]
    # The six-month point: 5 August 2026, a Wednesday.
    run_pass(demo_db, config, at("2026-08-05 08:00"))
    assert keys(demo_db, rule="outcome_status") == [f"outcome_status:{p['id']}:6"]


def test_long_ago_statuses_are_not_asked_for(demo_db, config):
    _ended(demo_db, start="2024-01-05", end="2024-02-05")
    run_pass(demo_db, config, at("2026-04-07 08:00"))
    assert keys(demo_db, rule="outcome_status") == []


def test_erasing_the_citizen_keeps_the_anonymous_statuses(demo_db, config):
    p = _ended(demo_db)
    outcomes.record_followup(demo_db, p["id"], 2, "beskaeftigelse", POINTS)
    rows, statuses = statistics.all_rows(demo_db), statistics.all_statuses(demo_db)
    assert erasure.erase_citizen(demo_db, config, "cit-fatma")
    assert statistics.all_rows(demo_db) == rows and statistics.all_statuses(demo_db) == statuses
    assert demo_db.execute("SELECT COUNT(*) FROM placement_followups").fetchone()[0] == 0


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_placement_page_records_first_paid_hour_and_status(demo_db, client, make_consultant):
    make_consultant()
    login(client)
    p = _ended(demo_db, paid=2)
    page = client.get(f"/forloeb/{p['id']}").get_data(as_text=True)
    assert "Status efter forløbet" in page and "2 måneder efter" in page
    token = _token(page)
    answer = client.post(f"/forloeb/{p['id']}/status-efter/2", data={"csrf_token": token, "m2-status": "uddannelse"})
    assert answer.status_code == 302
    assert statistics.all_statuses(demo_db) == [(2, "uddannelse")]
    answer = client.post(f"/forloeb/{p['id']}/status-efter/2", data={"csrf_token": token, "m2-status": ""})
    assert answer.status_code == 400 and "Vælg hvor borgeren stod." in answer.get_data(as_text=True)
    answer = client.post(f"/forloeb/{p['id']}/foerste-loennede-time",
                         data={"csrf_token": token, "paid_hours_since": "2025-01-01"})
    assert answer.status_code == 400 and "før forløbets start" in answer.get_data(as_text=True)
    answer = client.post(f"/forloeb/{p['id']}/foerste-loennede-time",
                         data={"csrf_token": token, "paid_hours_since": "2026-01-12"})
    assert answer.status_code == 302 and statistics.all_rows(demo_db)[0]["days_to_paid_hours"] == 7
