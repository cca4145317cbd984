"""The reminder rules, walked through weeks with a simulated clock (no sleeping)."""
import json
from datetime import datetime, timezone

from click.testing import CliRunner

from data.placements import add_report_due, end_placement, log_meeting, submit_report, update_placement
from jobs.rules import run_pass
from tests.rules_helpers import (
    EMPLOYER_EMAIL, assert_no_sensitive_words, at, backdate, keys, outbox, placement, reminders,
)


def test_follow_up_a_week_after_start_moves_past_easter_then_every_two_weeks(demo_db, config):
    p = placement(demo_db, start="2026-03-30", paid=5)
    run_pass(demo_db, config, at("2026-04-03 08:00"))  # langfredag
    run_pass(demo_db, config, at("2026-04-06 08:00"))  # 2. påskedag: the due day moves on
    assert keys(demo_db, rule="follow_up") == []
    counts = run_pass(demo_db, config, at("2026-04-07 07:30"))
    assert counts["created_follow_up"] == 1
    assert keys(demo_db, rule="follow_up") == [f"follow_up:{p['id']}:2026-04-07"]
    first = reminders(demo_db, rule="follow_up")[0]
    assert first["consultant_email"] == "konsulent@example.dk"
    assert first["citizen_id"] == "cit-fatma" and first["placement_id"] == p["id"]
    assert first["due_on"] == "2026-04-07" and "Fatma" in first["title"]
    # Nothing logged: two weeks on, the newer period replaces the overdue one.
    run_pass(demo_db, config, at("2026-04-20 08:00"))
    assert keys(demo_db, rule="follow_up") == [f"follow_up:{p['id']}:2026-04-20"]
    assert keys(demo_db, status="closed", rule="follow_up") == [f"follow_up:{p['id']}:2026-04-07"]
    # A follow-up logged satisfies it; the rhythm restarts from the meeting.
    log_meeting(demo_db, citizen_id="cit-fatma", placement_id=p["id"], kind="follow_up", held_on="2026-04-22")
    counts = run_pass(demo_db, config, at("2026-04-22 12:00"))
    assert counts["closed"] == 1 and keys(demo_db, rule="follow_up") == []
    run_pass(demo_db, config, at("2026-05-05 08:00"))
    assert keys(demo_db, rule="follow_up") == []
    run_pass(demo_db, config, at("2026-05-06 08:00"))
    assert keys(demo_db, rule="follow_up") == [f"follow_up:{p['id']}:2026-05-06"]


def test_due_day_is_the_local_date_across_the_march_daylight_saving_change(demo_db, config):
    p = placement(demo_db, start="2026-03-22", paid=5)  # due Sunday 29 March -> Monday 30 March
    # 21:30 UTC on the 29th is 23:30 in Copenhagen (summer time began that night): still Sunday.
    run_pass(demo_db, config, datetime(2026, 3, 29, 21, 30, tzinfo=timezone.utc))
    assert keys(demo_db, rule="follow_up") == []
    # 22:30 UTC is 00:30 on Monday in Copenhagen, though still the 29th in UTC.
    run_pass(demo_db, config, datetime(2026, 3, 29, 22, 30, tzinfo=timezone.utc))
    assert keys(demo_db, rule="follow_up") == [f"follow_up:{p['id']}:2026-03-30"]


def test_due_day_across_the_october_change(demo_db, config):
    p = placement(demo_db, start="2026-10-19", paid=5)  # due Monday 26 October
    run_pass(demo_db, config, datetime(2026, 10, 25, 22, 59, tzinfo=timezone.utc))  # 23:59 CET on the 25th
    assert keys(demo_db, rule="follow_up") == []
    run_pass(demo_db, config, datetime(2026, 10, 25, 23, 0, tzinfo=timezone.utc))  # 00:00 on the 26th
    assert keys(demo_db, rule="follow_up") == [f"follow_up:{p['id']}:2026-10-26"]


def test_two_passes_create_nothing_new(demo_db, config):
    placement(demo_db, start="2026-02-02", kind="virksomhedspraktik", trial_weeks=4)
    placement(demo_db, "cit-sofie", start="2026-02-16", paid=4)
    first = run_pass(demo_db, config, at("2026-03-30 08:00"))
    rows, mails = reminders(demo_db, status=None), outbox(demo_db)
    second = run_pass(demo_db, config, at("2026-03-30 08:05"))
    assert first["created"] > 0 and first["queued"] > 0
    assert second == {"created": 0, "closed": 0, "queued": 0, "started": 0}
    assert reminders(demo_db, status=None) == rows
    assert outbox(demo_db) == mails


def test_paid_hours_at_start_closes_when_agreed(demo_db, config):
    p = placement(demo_db, start="2026-03-02")
    run_pass(demo_db, config, at("2026-03-02 08:00"))
    assert keys(demo_db, rule="paid_hours") == [f"paid_hours:start:{p['id']}"]
    update_placement(demo_db, p["id"], paid_hours_per_week=3, hourly_wage=140)
    counts = run_pass(demo_db, config, at("2026-03-03 08:00"))
    assert counts["closed"] == 1
    assert keys(demo_db, rule="paid_hours") == []
    assert keys(demo_db, status="closed", rule="paid_hours") == [f"paid_hours:start:{p['id']}"]


def test_employer_meeting_without_paid_hours_before_start(demo_db, config):
    p = placement(demo_db, start="2026-04-13", status="planned")
    meeting = log_meeting(demo_db, citizen_id="cit-fatma", placement_id=p["id"], kind="first_employer",
                          held_on="2026-03-31", paid_hours_proposed=False)
    run_pass(demo_db, config, at("2026-03-31 15:00"))
    assert keys(demo_db, rule="paid_hours") == [f"paid_hours:meeting:{meeting['id']}"]
    log_meeting(demo_db, citizen_id="cit-fatma", placement_id=p["id"], kind="employer_checkin",
                held_on="2026-04-08", paid_hours_proposed=True, paid_hours_answer="Overvejer det")
    run_pass(demo_db, config, at("2026-04-08 15:00"))
    assert keys(demo_db, rule="paid_hours") == []


def test_unpaid_trial_reminded_when_trial_ends_and_after_eight_weeks(demo_db, config):
    p = placement(demo_db, start="2026-02-02", kind="virksomhedspraktik", trial_weeks=4)
    run_pass(demo_db, config, at("2026-03-01 08:00"))
    assert f"paid_hours:trial_end:{p['id']}" not in keys(demo_db, rule="paid_hours")
    run_pass(demo_db, config, at("2026-03-02 08:00"))
    trial = [r for r in reminders(demo_db, rule="paid_hours") if r["dedupe_key"].endswith(f"trial_end:{p['id']}")]
    assert trial and trial[0]["due_on"] == "2026-03-02"
    run_pass(demo_db, config, at("2026-03-30 08:00"))  # eight weeks
    open_keys = keys(demo_db, rule="paid_hours")
    assert f"paid_hours:unpaid_8w:{p['id']}" in open_keys
    assert f"paid_hours:trial_end:{p['id']}" not in open_keys
    escalation = [r for r in reminders(demo_db, rule="paid_hours") if "unpaid_8w" in r["dedupe_key"]][0]
    assert "overvej en arbejdsplads, hvor lønnede timer er mulige" in escalation["title"]
    # Ending the placement closes every reminder about it.
    end_placement(demo_db, p["id"], "2026-03-31", "ledighed")
    run_pass(demo_db, config, at("2026-03-31 16:00"))
    assert keys(demo_db, rule="paid_hours") == [] and keys(demo_db, rule="follow_up") == []


def test_report_five_working_days_before_over_easter_and_on_the_day(demo_db, config):
    p = placement(demo_db, start="2026-03-02", paid=5)
    report = add_report_due(demo_db, p["id"], "delrapport", "2026-04-08")
    run_pass(demo_db, config, at("2026-03-26 08:00"))
    assert keys(demo_db, rule="report") == []
    run_pass(demo_db, config, at("2026-03-27 08:00"))  # 5 working days before, skipping Easter
    assert keys(demo_db, rule="report") == [f"report:{report['id']}:notice"]
    run_pass(demo_db, config, at("2026-04-08 07:00"))
    assert keys(demo_db, rule="report") == [f"report:{report['id']}:due"]
    submit_report(demo_db, report["id"])
    run_pass(demo_db, config, at("2026-04-08 12:00"))
    assert keys(demo_db, rule="report") == []


def test_report_due_on_a_saturday_is_due_on_friday(demo_db, config):
    p = placement(demo_db, start="2026-03-02", paid=5)
    report = add_report_due(demo_db, p["id"], "slutrapport", "2026-04-11")
    run_pass(demo_db, config, at("2026-04-10 08:00"))
    due = reminders(demo_db, rule="report")
    assert [r["dedupe_key"] for r in due] == [f"report:{report['id']}:due"]
    assert due[0]["due_on"] == "2026-04-10" and due[0]["title"].startswith("Slutrapport for Fatma")


def test_stalled_course_after_four_weeks_closes_when_something_happens(demo_db, config):
    backdate(demo_db, "2026-01-01T10:00:00+00:00")
    run_pass(demo_db, config, at("2026-01-28 08:00"))
    assert keys(demo_db, rule="stalled") == []
    run_pass(demo_db, config, at("2026-01-29 08:00"))
    assert "stalled:cit-samir:2026-01-01" in keys(demo_db, rule="stalled")
    log_meeting(demo_db, citizen_id="cit-samir", kind="first_citizen", held_on="2026-01-30")
    demo_db.execute("UPDATE meetings SET created_at = '2026-01-30T09:00:00+00:00'")
    demo_db.execute("UPDATE citizens SET updated_at = '2026-01-30T09:00:00+00:00' WHERE id = 'cit-samir'")
    demo_db.conn.commit()
    run_pass(demo_db, config, at("2026-01-30 10:00"))
    assert not [k for k in keys(demo_db, rule="stalled") if "cit-samir" in k]
    assert "stalled:cit-fatma:2026-01-01" in keys(demo_db, rule="stalled")


def test_thank_you_once_with_the_outcome_in_plain_words(demo_db, config):
    p = placement(demo_db, start="2026-03-02", paid=5)
    end_placement(demo_db, p["id"], "2026-04-30", "beskaeftigelse")
    counts = run_pass(demo_db, config, at("2026-05-01 08:00"))
    thanks = [m for m in outbox(demo_db) if m["dedupe_key"] == f"thanks:{p['id']}"]
    assert len(thanks) == 1 and counts["queued"] >= 1
    assert thanks[0]["to_addr"] == EMPLOYER_EMAIL
    assert "forløbet førte til ordinær beskæftigelse" in thanks[0]["body_text"]
    assert "Fatma" in thanks[0]["subject"]
    run_pass(demo_db, config, at("2026-05-02 08:00"))
    assert len([m for m in outbox(demo_db) if m["dedupe_key"].startswith("thanks:")]) == 1
    assert_no_sensitive_words(outbox(demo_db))


def test_thank_you_never_tells_a_health_outcome(demo_db, config):
    p = placement(demo_db, "cit-sofie", start="2026-03-02", paid=5)
    end_placement(demo_db, p["id"], "2026-04-30", "sygedagpenge")
    run_pass(demo_db, config, at("2026-05-01 08:00"))
    thanks = [m for m in outbox(demo_db) if m["dedupe_key"] == f"thanks:{p['id']}"]
    assert len(thanks) == 1 and "førte til" not in thanks[0]["body_text"]
    assert_no_sensitive_words(thanks)


def test_long_ended_placements_are_not_thanked(demo_db, config):
    p = placement(demo_db, start="2025-01-06", paid=5)
    end_placement(demo_db, p["id"], "2025-03-01", "beskaeftigelse")
    run_pass(demo_db, config, at("2026-05-01 08:00"))
    assert not [m for m in outbox(demo_db) if m["dedupe_key"].startswith("thanks:")]


def test_employer_check_in_every_four_weeks(demo_db, config):
    p = placement(demo_db, start="2026-03-02", paid=5)
    run_pass(demo_db, config, at("2026-03-29 08:00"))
    assert not [m for m in outbox(demo_db) if m["dedupe_key"].startswith("checkin:")]
    run_pass(demo_db, config, at("2026-03-30 08:00"))
    run_pass(demo_db, config, at("2026-04-10 08:00"))
    run_pass(demo_db, config, at("2026-04-27 08:00"))
    checkins = [m for m in outbox(demo_db) if m["dedupe_key"].startswith("checkin:")]
    assert [m["dedupe_key"] for m in checkins] == [f"checkin:{p['id']}:1", f"checkin:{p['id']}:2"]
    assert all(m["to_addr"] == EMPLOYER_EMAIL and "/tjek-ind/" in m["body_text"] for m in checkins)
    rows = list(demo_db.query("SELECT placement_id, period, expires_on FROM employer_checkins ORDER BY id"))
    assert rows == [{"placement_id": p["id"], "period": 1, "expires_on": "2026-04-20"},
                    {"placement_id": p["id"], "period": 2, "expires_on": "2026-05-18"}]
    assert_no_sensitive_words(checkins)


def test_rules_per_target_group(demo_db, config):
    rules = json.dumps({"target_groups": {"Unge med autisme": {"first_follow_up_days": 3,
                                                                "follow_up_every_days": 7}}})
    tuned = config.with_(rules=rules)
    sofie = placement(demo_db, "cit-sofie", start="2026-03-02", paid=5)
    fatma = placement(demo_db, "cit-fatma", start="2026-03-02", paid=5)
    run_pass(demo_db, tuned, at("2026-03-05 08:00"))
    assert keys(demo_db, rule="follow_up") == [f"follow_up:{sofie['id']}:2026-03-05"]
    run_pass(demo_db, tuned, at("2026-03-09 08:00"))
    assert sorted(keys(demo_db, rule="follow_up")) == sorted(
        [f"follow_up:{sofie['id']}:2026-03-05", f"follow_up:{fatma['id']}:2026-03-09"])


def test_remind_command_prints_what_it_did_and_sends(demo_db, config, monkeypatch, tmp_path):
    from smajobs.cli import main
    placement(demo_db, start="2026-03-02", paid=5)
    monkeypatch.setenv("SMAJOBS_MAIL_DIR", str(tmp_path / "sent"))
    runner = CliRunner()
    result = runner.invoke(main, ["--db", config.db, "remind", "--now", "2026-03-30T08:00"])
    assert result.exit_code == 0, result.output
    assert "Påmindelser pr. 2026-03-30:" in result.output
    assert "Opfølgning (påmindelse" in result.output
    assert "tjek-ind til virksomheden" in result.output
    assert "Sendt fra udbakken: 1." in result.output
    assert "Fatma" not in result.output  # ids only
    assert len(list((tmp_path / "sent").glob("*.eml"))) == 1
    again = runner.invoke(main, ["--db", config.db, "remind", "--now", "2026-03-30T08:00"])
    assert "0 oprettet, 0 lukket, 0 e-mails" in again.output and "Sendt fra udbakken: 0." in again.output
    bad = runner.invoke(main, ["--db", config.db, "remind", "--now", "i morgen"])
    assert bad.exit_code != 0 and "ISO-tidspunkt" in bad.output


def test_two_processes_passing_at_once_create_and_queue_everything_once(demo_db, config):
    import threading
    from data.db import connect
    for citizen in ("cit-fatma", "cit-sofie", "cit-samir"):
        placement(demo_db, citizen, start="2026-02-02", kind="virksomhedspraktik", trial_weeks=4)
    errors = []

    def passes():
        db = connect(config.db)
        try:
            for minute in range(3):
                run_pass(db, config, at(f"2026-03-30 08:0{minute}"))
        except Exception as error:  # reported below; a thread's exception is otherwise lost
            errors.append(error)
        finally:
            db.close()

    threads = [threading.Thread(target=passes) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    checkins = [m["dedupe_key"] for m in outbox(demo_db)]
    assert len(checkins) == len(set(checkins)) == 3
    assert demo_db.execute("SELECT COUNT(*) FROM employer_checkins").fetchone()[0] == 3
    per_key = demo_db.execute("SELECT COUNT(*), COUNT(DISTINCT dedupe_key) FROM reminders").fetchone()
    assert per_key[0] == per_key[1] and per_key[0] >= 9


def test_bad_rule_settings_are_refused_in_danish():
    import pytest
    from jobs.rules_config import RulesConfigError, parse_rules
    with pytest.raises(RulesConfigError, match="ukendt indstilling 'follow_up_days'"):
        parse_rules('{"default": {"follow_up_days": 7}}')
    with pytest.raises(RulesConfigError, match="frikort_warn: 80 er ikke en gyldig værdi"):
        parse_rules('{"default": {"frikort_warn": 80}}')
    with pytest.raises(RulesConfigError, match="ikke gyldig JSON"):
        parse_rules("{")
    tuned = parse_rules('{"default": {"stalled_weeks": 6}, "target_groups": {"Unge": {"trial_weeks": 2}}}')
    assert tuned.for_group("Unge").stalled_weeks == 6 and tuned.for_group("Unge").trial_weeks == 2
    assert tuned.for_group("Andre").trial_weeks == 4


def test_each_employer_meeting_without_paid_hours_during_a_placement_reminds_again(demo_db, config):
    from data.reminders import mark_done
    p = placement(demo_db, start="2026-03-02")
    run_pass(demo_db, config, at("2026-03-02 08:00"))
    assert keys(demo_db, rule="paid_hours") == [f"paid_hours:start:{p['id']}"]
    first = log_meeting(demo_db, citizen_id="cit-fatma", placement_id=p["id"], kind="employer_checkin",
                        held_on="2026-03-09", paid_hours_proposed=False)
    run_pass(demo_db, config, at("2026-03-09 15:00"))
    assert keys(demo_db, rule="paid_hours") == [f"paid_hours:meeting:{first['id']}"]
    mark_done(demo_db, reminders(demo_db, rule="paid_hours")[0]["id"])
    run_pass(demo_db, config, at("2026-03-10 08:00"))
    assert keys(demo_db, rule="paid_hours") == []  # done stays done
    second = log_meeting(demo_db, citizen_id="cit-fatma", placement_id=p["id"], kind="employer_checkin",
                         held_on="2026-03-23", paid_hours_proposed=False)
    run_pass(demo_db, config, at("2026-03-23 15:00"))
    [again] = reminders(demo_db, rule="paid_hours")
    assert again["dedupe_key"] == f"paid_hours:meeting:{second['id']}"
    assert again["title"] == "Foreslå lønnede timer for Fatma: det blev ikke foreslået på mødet 23. marts 2026"


def test_a_planned_placement_starts_on_its_start_date_and_is_then_followed_up(demo_db, config):
    from data.placements import get_placement
    unpaid = placement(demo_db, start="2026-03-02", kind="virksomhedspraktik", status="planned", trial_weeks=4)
    later = placement(demo_db, citizen_id="cit-samir", start="2026-06-01", status="planned")
    backdate(demo_db, "2026-02-20T10:00:00+00:00")
    before = run_pass(demo_db, config, at("2026-03-01 08:00"))
    assert before["started"] == 0 and get_placement(demo_db, unpaid["id"])["status"] == "planned"

    counts = run_pass(demo_db, config, at("2026-03-02 08:00"))
    assert counts["started"] == 1
    assert get_placement(demo_db, unpaid["id"])["status"] == "active"
    assert get_placement(demo_db, later["id"])["status"] == "planned"
    assert keys(demo_db, rule="paid_hours") == [f"paid_hours:start:{unpaid['id']}"]
    # The date arriving is not a change by a person: the stalled-course clock keeps running.
    assert get_placement(demo_db, unpaid["id"])["updated_at"] == "2026-02-20T10:00:00+00:00"
    run_pass(demo_db, config, at("2026-03-09 08:00"))
    assert keys(demo_db, rule="follow_up") == [f"follow_up:{unpaid['id']}:2026-03-09"]
    assert run_pass(demo_db, config, at("2026-03-09 09:00"))["started"] == 0
