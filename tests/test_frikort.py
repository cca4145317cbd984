"""Socialt frikort: earnings from paid hours against the year's ceiling; reminders at 80 and 95 %."""
import json
from datetime import date

from data.placements import end_placement
from jobs.frikort import ceiling_for, earnings_in_year, published_ceilings
from jobs.rules import run_pass
from jobs.rules_config import RulesConfig, parse_rules
from tests.rules_helpers import at, keys, placement, reminders


def test_ceilings_come_from_the_reference_file_and_unknown_years_from_config():
    assert published_ceilings()[2025] == 42766
    assert 2026 not in published_ceilings()  # blank in the file: not found in the sources
    assert ceiling_for(2025, RulesConfig()).from_config is False
    default_2026 = ceiling_for(2026, RulesConfig())
    assert default_2026.from_config and default_2026.amount == 42766
    assert default_2026.note() == ("Loftet for 2026 er ikke offentliggjort i vores kilder; "
                                   "vi bruger 42.766 kr. fra konfigurationen.")
    tuned = parse_rules(json.dumps({"frikort_ceiling_fallback": {"2026": 44000}}))
    assert ceiling_for(2026, tuned).amount == 44000
    assert ceiling_for(2031, tuned) is None


def test_earnings_count_only_paid_weeks_inside_the_year():
    running = {"status": "active", "start_date": "2025-12-01", "end_date": None,
               "paid_hours_per_week": 10, "hourly_wage": 100}
    ended = {"status": "ended", "start_date": "2026-01-05", "end_date": "2026-01-11",
             "paid_hours_per_week": 5, "hourly_wage": 140}
    planned = {"status": "planned", "start_date": "2026-01-01", "end_date": None,
               "paid_hours_per_week": 30, "hourly_wage": 200}
    earned, missing = earnings_in_year([running, ended, planned], 2026, date(2026, 1, 14))
    assert earned == 2000 + 700 and not missing


def _frikort_config(config):
    return config.with_(rules=json.dumps({"frikort_ceiling_fallback": {"2026": 10000}}))


def test_reminded_at_80_and_again_at_95_percent(demo_db, config):
    demo_db.execute("UPDATE citizens SET social_free_card = 1 WHERE id = 'cit-fatma'")
    demo_db.conn.commit()
    tuned = _frikort_config(config)
    placement(demo_db, start="2026-01-05", paid=10, wage=100)  # 1,000 kr. a week
    placement(demo_db, "cit-samir", start="2026-01-05", paid=10, wage=100)  # no frikort: never reminded
    run_pass(demo_db, tuned, at("2026-02-28 08:00"))  # 55 days: 7,857 kr., 78 %
    assert keys(demo_db, rule="frikort") == []
    run_pass(demo_db, tuned, at("2026-03-01 08:00"))  # 56 days: 8,000 kr., 80 %
    assert keys(demo_db, rule="frikort") == ["frikort:cit-fatma:2026:80"]
    title = reminders(demo_db, rule="frikort")[0]["title"]
    assert title == "Fatma har tjent 8.000 kr. i 2026: 80 % af frikortets loft på 10.000 kr."
    run_pass(demo_db, tuned, at("2026-03-11 08:00"))  # 94 %
    assert keys(demo_db, rule="frikort") == ["frikort:cit-fatma:2026:80"]
    run_pass(demo_db, tuned, at("2026-03-12 08:00"))  # 67 days: 9,571 kr., 95 %
    assert keys(demo_db, rule="frikort") == ["frikort:cit-fatma:2026:95"]
    assert keys(demo_db, status="closed", rule="frikort") == ["frikort:cit-fatma:2026:80"]


def test_an_ended_placement_stops_earning(demo_db, config):
    demo_db.execute("UPDATE citizens SET social_free_card = 1 WHERE id = 'cit-fatma'")
    demo_db.conn.commit()
    p = placement(demo_db, start="2026-01-05", paid=10, wage=100)
    end_placement(demo_db, p["id"], "2026-02-01", "beskaeftigelse")  # 4 weeks: 4,000 kr.
    run_pass(demo_db, _frikort_config(config), at("2026-06-01 08:00"))
    assert keys(demo_db, rule="frikort") == []
