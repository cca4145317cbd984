"""The daily digest: once per consultant and day, first names and links only, an .ics that
Outlook reads with stable UIDs; delivered over real SMTP."""
import json

from icalendar import Calendar

from data.placements import add_report_due
from jobs.digest import send_digests
from jobs.mail import deliver_outbox
from jobs.rules import run_pass
from tests.rules_helpers import assert_no_sensitive_words, at, outbox, placement


def _digests(db):
    return [m for m in outbox(db) if (m["dedupe_key"] or "").startswith("digest:")]


def _calendar(row) -> Calendar:
    attachment = json.loads(row["attachments"])[0]
    assert attachment["filename"].endswith(".ics")
    assert attachment["content_type"].startswith("text/calendar")
    return Calendar.from_ical(attachment["content"])


def _events(calendar: Calendar) -> dict[str, dict]:
    return {str(e["UID"]): {"start": e.decoded("DTSTART"), "summary": str(e["SUMMARY"])}
            for e in calendar.walk("VEVENT")}


def _setup(demo_db, config, make_consultant):
    make_consultant("konsulent@example.dk", name="Karen Konsulent")
    make_consultant("anden@example.dk", name="Anders Anden")  # no citizens: no digest
    demo_db.execute("UPDATE citizens SET social_free_card = 1 WHERE id = 'cit-fatma'")
    demo_db.conn.commit()
    p = placement(demo_db, start="2026-03-16", paid=5)  # follow-ups 23 March, 7 April (after Easter), ...
    report = add_report_due(demo_db, p["id"], "delrapport", "2026-04-24")
    run_pass(demo_db, config, at("2026-03-30 07:00"))
    return p, report


def test_one_digest_per_consultant_and_day_with_first_names_and_links(demo_db, config, make_consultant):
    p, _ = _setup(demo_db, config, make_consultant)
    assert send_digests(demo_db, config, at("2026-03-30 07:30")) == {"consultants": 1, "queued": 1}
    assert send_digests(demo_db, config, at("2026-03-30 07:31"))["queued"] == 0
    [digest] = _digests(demo_db)
    assert digest["to_addr"] == "konsulent@example.dk"
    assert digest["dedupe_key"] == "digest:konsulent@example.dk:2026-03-30"
    assert "Kære Karen Konsulent" in digest["body_text"]
    assert f"- Opfølgning: Fatma – http://127.0.0.1:5000/forloeb/{p['id']}" in digest["body_text"]
    assert "http://127.0.0.1:5000/i-dag" in digest["body_text"]
    # Reminder titles (which may say more) stay on the page.
    titles = [r["title"] for r in demo_db.query("SELECT title FROM reminders WHERE status = 'open'")]
    assert titles and not any(title in digest["body_text"] for title in titles)
    assert_no_sensitive_words([digest])
    # The next working day brings a new digest.
    assert send_digests(demo_db, config, at("2026-03-31 07:30"))["queued"] == 1


def test_calendar_has_stable_uids_and_all_day_dates(demo_db, config, make_consultant):
    p, report = _setup(demo_db, config, make_consultant)
    send_digests(demo_db, config, at("2026-03-30 07:30"))
    run_pass(demo_db, config, at("2026-03-31 07:00"))
    send_digests(demo_db, config, at("2026-03-31 07:30"))
    first, second = _digests(demo_db)
    raw = json.loads(first["attachments"])[0]["content"]
    assert raw.startswith("BEGIN:VCALENDAR\r\n") and "VERSION:2.0" in raw and "PRODID:" in raw
    assert "METHOD:PUBLISH" in raw
    events = _events(_calendar(first))
    from datetime import date
    upcoming = f"follow_up-{p['id']}-2026-04-07@smajobs"   # 6 April is 2. påskedag
    overdue = f"follow_up-{p['id']}-2026-03-23@smajobs"
    assert events[upcoming] == {"start": date(2026, 4, 7), "summary": "Opfølgning: Fatma"}
    assert events[overdue]["start"] == date(2026, 3, 23)
    assert events[f"report-{report['id']}-due@smajobs"]["start"] == date(2026, 4, 24)
    assert ";VALUE=DATE:20260407" in raw
    # The same follow-up keeps its UID in the next day's file.
    assert _events(_calendar(second))[upcoming] == events[upcoming]
    for event in events.values():
        assert event["summary"].split(": ")[1] == "Fatma"


def test_digest_arrives_over_smtp_with_a_readable_calendar(demo_db, config, make_consultant, smtp_server):
    _setup(demo_db, config, make_consultant)
    send_digests(demo_db, config, at("2026-03-30 07:30"))
    smtp = config.with_(mail_transport="smtp", smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    assert deliver_outbox(demo_db, smtp, now=at("2026-03-30 07:31")) >= 1
    digest = [m for m in smtp_server.messages if m["To"] == "konsulent@example.dk"]
    assert len(digest) == 1
    parts = [part for part in digest[0].walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1 and parts[0].get_param("method") == "PUBLISH"
    calendar = Calendar.from_ical(parts[0].get_payload(decode=True))
    assert len(list(calendar.walk("VEVENT"))) >= 2


def test_ten_weeks_of_passes_and_digests_never_mail_sensitive_words(demo_db, config, make_consultant):
    """All three demo citizens (with needs, target groups and goals such as "afklaring til
    fleksjob") through ten weeks: every e-mail queued is checked."""
    from datetime import date, timedelta

    from data.placements import end_placement
    from jobs.calendar import is_working_day
    make_consultant("konsulent@example.dk", name="Karen Konsulent")
    demo_db.execute("UPDATE citizens SET social_free_card = 1")
    demo_db.conn.commit()
    fatma = placement(demo_db, "cit-fatma", start="2026-03-02", kind="virksomhedspraktik", trial_weeks=4)
    placement(demo_db, "cit-sofie", start="2026-03-09", paid=8, wage=140)
    samir = placement(demo_db, "cit-samir", start="2026-03-16", hours=12, paid=12, wage=150)
    add_report_due(demo_db, fatma["id"], "delrapport", "2026-04-08")
    day = date(2026, 3, 2)
    while day <= date(2026, 5, 11):
        if day == date(2026, 4, 20):
            end_placement(demo_db, samir["id"], "2026-04-20", "beskaeftigelse")
            end_placement(demo_db, fatma["id"], "2026-04-20", "foertidspension")
        run_pass(demo_db, config, at(f"{day} 07:00"))
        if is_working_day(day):
            send_digests(demo_db, config, at(f"{day} 07:30"))
        day += timedelta(days=1)
    mails = outbox(demo_db)
    kinds = {m["dedupe_key"].split(":")[0] for m in mails}
    assert kinds == {"digest", "checkin", "thanks"}
    # No digest on weekends or Easter holidays.
    digest_days = {m["dedupe_key"].rsplit(":", 1)[1] for m in mails if m["dedupe_key"].startswith("digest:")}
    assert "2026-04-06" not in digest_days and "2026-04-04" not in digest_days and "2026-04-07" in digest_days
    assert_no_sensitive_words(mails)
