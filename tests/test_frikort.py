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
    running = {"kind": "smajob", "trial_weeks": 0, "status": "active", "start_date": "2025-12-01", "end_date": None,
               "paid_hours_per_week": 10, "hourly_wage": 100}
    ended = {"kind": "smajob", "trial_weeks": 0, "status": "ended", "start_date": "2026-01-05", "end_date": "2026-01-11",
             "paid_hours_per_week": 5, "hourly_wage": 140}
    planned = {"kind": "smajob", "trial_weeks": 0, "status": "planned", "start_date": "2026-01-01", "end_date": None,
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


# --- paid weeks start after the trial weeks (a hybridpraktik pays from the start) -------------------

def _paid_placement(kind: str, start: str, trial_weeks: int, end: str | None = None) -> dict:
    # 10 paid hours a week at 120 kr.: 1,200 kr. a paid week.
    return {"kind": kind, "trial_weeks": trial_weeks, "status": "ended" if end else "active",
            "start_date": start, "end_date": end, "paid_hours_per_week": 10, "hourly_wage": 120}


def test_a_virksomhedspraktik_earns_nothing_in_its_trial_weeks_across_new_year():
    # Starts Monday 1 December 2025 with 4 unpaid trial weeks: paid from Monday 29 December.
    praktik = _paid_placement("virksomhedspraktik", "2025-12-01", 4, end="2026-01-25")
    # 2025: 29-31 December, 3 days; 2026: 1-25 January, 25 days.
    assert earnings_in_year([praktik], 2025, date(2026, 3, 1)) == (round(3 / 7 * 1200, 2), False) == (514.29, False)
    assert earnings_in_year([praktik], 2026, date(2026, 3, 1)) == (4285.71, False)
    # Counted from the start date, December alone would have been 31 days: 5,314.29 kr.


def test_a_hybridpraktik_pays_its_paid_hours_from_the_start():
    hybrid = _paid_placement("hybridpraktik", "2025-12-01", 4, end="2026-01-25")
    assert earnings_in_year([hybrid], 2025, date(2026, 3, 1)) == (5314.29, False)   # 31 days
    assert earnings_in_year([hybrid], 2026, date(2026, 3, 1)) == (4285.71, False)   # 25 days


def test_a_trial_ending_in_the_new_year_earns_nothing_in_the_old_one():
    # Starts 15 December 2025, 3 trial weeks: the first paid day is Monday 5 January 2026.
    praktik = _paid_placement("virksomhedspraktik", "2025-12-15", 3)
    assert earnings_in_year([praktik], 2025, date(2026, 1, 18)) == (0.0, False)
    assert earnings_in_year([praktik], 2026, date(2026, 1, 18)) == (2400.0, False)  # 14 days
    # Still in the trial on 4 January: nothing earned yet, and no wage needed yet.
    assert earnings_in_year([praktik], 2026, date(2026, 1, 4)) == (0.0, False)
    no_wage = dict(praktik, hourly_wage=None)
    assert earnings_in_year([no_wage], 2026, date(2026, 1, 4)) == (0.0, False)
    assert earnings_in_year([no_wage], 2026, date(2026, 1, 5)) == (0.0, True)


def test_without_trial_weeks_a_praktik_with_paid_hours_pays_from_the_start():
    praktik = _paid_placement("virksomhedspraktik", "2026-01-05", 0)
    assert earnings_in_year([praktik], 2026, date(2026, 1, 11)) == (1200.0, False)


def test_the_reminder_waits_for_the_trial_and_every_page_counts_alike(demo_db, config):
    from data.placements import placements_of_citizen
    from data.reminders import placements_of_citizens
    from jobs.frikort import status_for
    demo_db.execute("UPDATE citizens SET social_free_card = 1 WHERE id = 'cit-fatma'")
    demo_db.conn.commit()
    tuned = _frikort_config(config)  # ceiling 10,000 kr.
    # 1,000 kr. a paid week from 2 February (after 4 trial weeks); 80 % is 56 paid days: 29 March.
    placement(demo_db, kind="virksomhedspraktik", start="2026-01-05", paid=10, wage=100, trial_weeks=4)
    run_pass(demo_db, tuned, at("2026-03-28 08:00"))
    assert keys(demo_db, rule="frikort") == []
    run_pass(demo_db, tuned, at("2026-03-29 08:00"))
    assert keys(demo_db, rule="frikort") == ["frikort:cit-fatma:2026:80"]
    # The citizen page (placements_of_citizen) and I dag (placements_of_citizens) agree.
    citizen = {"id": "cit-fatma", "first_name": "Fatma"}
    rules = parse_rules(tuned.rules)
    on_page = status_for(citizen, placements_of_citizen(demo_db, "cit-fatma"), date(2026, 3, 29), rules)
    on_today = status_for(citizen, placements_of_citizens(demo_db, ["cit-fatma"]), date(2026, 3, 29), rules)
    assert on_page.earned == on_today.earned == 8000.0
