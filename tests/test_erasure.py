"""Erasure (Slet borger / Slet virksomhed) and retention, on a real SQLite file: the data and
its bytes, the page, the API, the CLI and the scheduler's daily pass with a fixed clock."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from core import clock
from data import audit, registry, statistics
from data.accounts import create_consultant
from data.placements import end_placement, log_meeting, update_placement
from jobs import erasure
from jobs.digest import send_digests
from jobs.mail import deliver_outbox
from jobs.rules import run_pass
from jobs.scheduler import retention_pass
from tests.conftest import PASSWORD, login
from tests.rules_helpers import EMPLOYER_EMAIL, at, keys, placement, reminders

OWNER = "konsulent@example.dk"
OTHER = "anden@example.dk"
ADMIN = "admin@example.dk"
# Unique enough that finding them anywhere in the files can only mean the erasure failed.
NAME = "Zorbagdeline"
NOTE = "Notat-qvxj-fortroligt-7731"
CID = "cit-erase-1"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _citizen(db, citizen_id=CID, first_name=NAME, consultant=OWNER):
    return registry.save_citizen(db, {
        "id": citizen_id, "first_name": first_name, "age": 27, "target_group": "Aktivitetsparat",
        "postcode": "2600", "interests": f"{first_name} kan lide brød", "consultant": consultant})


def _count(db, sql, params=()):
    return db.execute(sql, list(params)).fetchone()[0]


def _raw_bytes(path: str) -> bytes:
    found = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = Path(path + suffix)
        if candidate.exists():
            found += candidate.read_bytes()
    return found


def _second_opening(db) -> str:
    """Another opening at the same employer: a citizen has one open forløb per opening (issue 10)."""
    columns = [c.name for c in db["openings"].columns if c.name not in ("id", "position")]
    db.execute(f"INSERT INTO openings (id, position, {', '.join(columns)}) "
               f"SELECT 'opn-98191-b', position + 1, {', '.join(columns)} FROM openings WHERE id = 'opn-98191'")
    db.conn.commit()
    return "opn-98191-b"


@pytest.fixture
def full_citizen(demo_db, config):
    """A citizen with a little of everything: an ended and a running placement, a meeting with a
    note, a report date, reminders, a check-in, e-mails to the employer and the consultant's
    digest, sent by the files transport."""
    create_consultant(demo_db, email=OWNER, name="Karen Konsulent", password_hash=None)
    _citizen(demo_db)
    ended = placement(demo_db, CID, start="2026-03-02", paid=5)
    running = placement(demo_db, CID, start="2026-03-02", opening=_second_opening(demo_db))
    log_meeting(demo_db, citizen_id=CID, placement_id=running["id"], kind="follow_up", held_on="2026-03-09",
                participants="Karen", note=NOTE)
    from data.placements import add_report_due
    add_report_due(demo_db, running["id"], "delrapport", "2026-05-04")
    run_pass(demo_db, config, at("2026-03-30 08:00"))   # check-in e-mail for period 1, reminders
    end_placement(demo_db, ended["id"], "2026-04-30", "beskaeftigelse")
    run_pass(demo_db, config, at("2026-05-01 08:00"))   # thank-you e-mail
    send_digests(demo_db, config, at("2026-05-01 08:00"))
    assert deliver_outbox(demo_db, config, at("2026-05-01 08:01")) >= 3
    return {"ended": ended["id"], "running": running["id"]}


def test_erasure_leaves_nothing_readable_in_the_database_files_or_mail_dir(full_citizen, demo_db, config):
    mail_dir = Path(config.mail_dir)
    naming = [p for p in mail_dir.glob("*.eml") if NAME.encode() in p.read_bytes()]
    assert len(naming) >= 3  # check-in, thank-you, digest
    assert _count(demo_db, "SELECT COUNT(*) FROM outbox_links WHERE citizen_id = ?", [CID]) >= 3
    assert _count(demo_db, "SELECT COUNT(*) FROM reminders WHERE citizen_id = ?", [CID]) >= 1
    with audit.acting_as(audit.Actor("consultant", "page", consultant_id=1)):
        audit.log(demo_db, "viewed_profile", CID)
        assert erasure.erase_citizen(demo_db, config, CID) is True

    for table in ("citizens", "placements", "meetings", "reminders"):
        column = "id" if table == "citizens" else "citizen_id"
        assert _count(demo_db, f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", [CID]) == 0
    for table in ("placement_reports", "employer_checkins"):
        assert _count(demo_db, f"SELECT COUNT(*) FROM {table} WHERE placement_id IN (?, ?)",
                      list(full_citizen.values())) == 0
    assert not [p for p in mail_dir.glob("*.eml") if NAME.encode() in p.read_bytes()]
    assert _count(demo_db, "SELECT COUNT(*) FROM outbox WHERE body_text LIKE ? OR subject LIKE ?",
                  [f"%{NAME}%", f"%{NAME}%"]) == 0
    trail = list(demo_db.query("SELECT actor, consultant_id, action, citizen_id FROM audit_log WHERE citizen_id = ?", [CID]))
    assert trail == [{"actor": "consultant", "consultant_id": 1, "action": "deleted", "citizen_id": CID}]
    # The ended placement's anonymous statistics row stays, without its link.
    rows = list(demo_db.query("SELECT * FROM placement_statistics"))
    assert len(rows) == 1 and rows[0]["placement_id"] is None
    assert rows[0]["outcome"] == "beskaeftigelse" and rows[0]["age_band"] == "25-29"

    # Read while the connection is still open: the WAL is there (closing the last connection
    # would checkpoint by itself), emptied by the erasure's checkpoint.
    assert Path(config.db + "-wal").exists() and Path(config.db + "-wal").stat().st_size == 0
    raw = _raw_bytes(config.db)
    assert raw, "the database file is there"
    for secret in (NAME, NOTE):
        assert secret.encode() not in raw, f"{secret} is still in the files"
    # The id stays only in the one audit row and its index entry.
    assert raw.count(CID.encode()) == 2


def test_the_audit_row_id_is_the_only_trace(full_citizen, demo_db, config):
    # The one row that must stay says which id was deleted: check the raw search above is not
    # vacuous by showing the id does appear before erasure, in both name and note form.
    demo_db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = _raw_bytes(config.db)
    assert NAME.encode() in raw and NOTE.encode() in raw


def test_a_mail_being_written_while_its_citizen_is_erased_leaves_no_file(demo_db, config):
    create_consultant(demo_db, email=OWNER, name="Karen Konsulent", password_hash=None)
    _citizen(demo_db)
    p = placement(demo_db, CID, start="2026-03-02", paid=5)
    end_placement(demo_db, p["id"], "2026-04-30", "beskaeftigelse")
    run_pass(demo_db, config, at("2026-05-01 08:00"))
    from jobs import mail

    class EraseWhileSending(mail.FileTransport):
        def send(self, message, row):
            written = super().send(message, row)
            erasure.erase_citizen(demo_db, config, CID)
            return written

    transport = EraseWhileSending(config)
    original = mail.open_transport
    mail.open_transport = lambda config: transport
    try:
        deliver_outbox(demo_db, config, at("2026-05-01 08:01"))
    finally:
        mail.open_transport = original
    assert not list(Path(config.mail_dir).glob("*.eml"))


# --- the page, the API, the CLI ---------------------------------------------------------------------

@pytest.fixture
def people(demo_db):
    from web.auth import hash_password
    password_hash = hash_password(PASSWORD)
    for email, role in ((OWNER, "consultant"), (OTHER, "consultant"), (ADMIN, "admin")):
        create_consultant(demo_db, email=email, name=email.split("@")[0], password_hash=password_hash, role=role)
    _citizen(demo_db)
    return demo_db


def _token(client, url):
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return CSRF.search(page.get_data(as_text=True)).group(1)


def test_page_asks_for_the_first_name_and_then_erases(client, people, config):
    login(client, OWNER)
    show = client.get(f"/borgere/{CID}").get_data(as_text=True)
    assert f"/borgere/{CID}/slet" in show and "Sletning" in show
    token = _token(client, f"/borgere/{CID}/slet")
    wrong = client.post(f"/borgere/{CID}/slet", data={"csrf_token": token, "confirmation": "Fatma"})
    assert wrong.status_code == 400
    assert "Navnet passer ikke" in wrong.get_data(as_text=True)
    assert registry.get_citizen(people, CID) is not None
    done = client.post(f"/borgere/{CID}/slet", data={"csrf_token": token, "confirmation": f"  {NAME.lower()} "})
    assert done.status_code == 302 and done.headers["Location"].endswith("/borgere")
    assert registry.get_citizen(people, CID) is None
    assert client.get(f"/borgere/{CID}").status_code == 404


def test_another_consultant_cannot_even_see_the_erase_page(client, people):
    login(client, OTHER)
    assert client.get(f"/borgere/{CID}/slet").status_code == 404
    assert client.post(f"/borgere/{CID}/slet", data={"confirmation": NAME}).status_code in (400, 404)
    assert registry.get_citizen(people, CID) is not None


def test_api_delete_is_the_full_erasure(app, client, people, config):
    from tests.api_contract import make_token
    token = make_token(people, _count(people, "SELECT id FROM consultants WHERE email = ?", [OWNER]))
    p = placement(people, CID, start="2026-03-02", paid=5)
    end_placement(people, p["id"], "2026-04-30", "beskaeftigelse")
    run_pass(people, config, at("2026-05-01 08:00"))
    assert _count(people, "SELECT COUNT(*) FROM outbox_links WHERE citizen_id = ?", [CID]) == 1
    answer = client.delete(f"/api/v1/citizens/{CID}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 204
    assert _count(people, "SELECT COUNT(*) FROM outbox WHERE subject LIKE ?", [f"%{NAME}%"]) == 0
    assert _count(people, "SELECT COUNT(*) FROM audit_log WHERE citizen_id = ? AND action = 'deleted' "
                          "AND channel = 'api'", [CID]) in (0, 1)  # the channel is the audit wiring's part
    assert _count(people, "SELECT COUNT(*) FROM audit_log WHERE citizen_id = ?", [CID]) == 1


def test_cli_refuses_without_yes_in_danish_and_erases_with_it(people, config):
    from smajobs.cli import main
    runner = CliRunner()
    refused = runner.invoke(main, ["--db", config.db, "delete-citizen", CID])
    assert refused.exit_code == 1
    assert "slettes endeligt" in refused.output and "--yes" in refused.output
    assert registry.get_citizen(people, CID) is not None
    done = runner.invoke(main, ["--db", config.db, "delete-citizen", CID, "--yes"])
    assert done.exit_code == 0, done.output
    assert NAME not in done.output and CID in done.output
    assert registry.get_citizen(people, CID) is None
    assert list(people.query("SELECT actor, action FROM audit_log WHERE citizen_id = ?", [CID])) == [
        {"actor": "cli", "action": "deleted"}]
    unknown = runner.invoke(main, ["--db", config.db, "delete-citizen", "cit-nope", "--yes"])
    assert unknown.exit_code == 1 and "ingen borger" in unknown.output


# --- employers --------------------------------------------------------------------------------------

def test_admin_deletes_an_employer_and_the_placements_stay_anonymous(client, people, config):
    p = placement(people, CID, start="2026-03-02", paid=5)
    run_pass(people, config, at("2026-03-30 08:00"))  # a check-in e-mail to the employer
    assert _count(people, "SELECT COUNT(*) FROM outbox WHERE to_addr = ?", [EMPLOYER_EMAIL]) == 1
    login(client, OWNER)
    assert client.get("/virksomheder/emp-98191/slet").status_code == 403
    client.get("/logout")
    login(client, ADMIN)
    token = _token(client, "/virksomheder/emp-98191/slet")
    wrong = client.post("/virksomheder/emp-98191/slet", data={"csrf_token": token, "confirmation": "Bageriet"})
    assert wrong.status_code == 400 and registry.get_employer(people, "emp-98191") is not None
    done = client.post("/virksomheder/emp-98191/slet", data={"csrf_token": token, "confirmation": "morgenbrødet"})
    assert done.status_code == 302
    assert registry.get_employer(people, "emp-98191") is None
    kept = list(people.query("SELECT p.id, p.status, p.paid_hours_per_week, o.title, o.tasks, o.active, e.id AS employer, "
                             "e.name, e.contact_email FROM placements p JOIN openings o ON o.id = p.opening_id "
                             "JOIN employers e ON e.id = o.employer_id"))
    assert kept == [{"id": p["id"], "status": "active", "paid_hours_per_week": 5, "title": "Bagerimedhjælper",
                     "tasks": "", "active": 0, "employer": "slettet-virksomhed", "name": "Slettet virksomhed",
                     "contact_email": ""}]
    assert _count(people, "SELECT COUNT(*) FROM outbox WHERE to_addr = ?", [EMPLOYER_EMAIL]) == 0
    # Rules go on for the citizen, but nobody is e-mailed at the deleted employer.
    run_pass(people, config, at("2026-04-27 08:00"))
    assert _count(people, "SELECT COUNT(*) FROM outbox") == 0
    people.close()
    raw = _raw_bytes(config.db)
    assert EMPLOYER_EMAIL.encode() not in raw and "Morgenbrødet".encode() not in raw


def test_cli_deletes_an_employer_only_with_yes(people, config):
    from smajobs.cli import main
    runner = CliRunner()
    refused = runner.invoke(main, ["--db", config.db, "delete-employer", "emp-98191"])
    assert refused.exit_code == 1 and "--yes" in refused.output
    done = runner.invoke(main, ["--db", config.db, "delete-employer", "emp-98191", "--yes"])
    assert done.exit_code == 0, done.output
    assert registry.get_employer(people, "emp-98191") is None


# --- retention --------------------------------------------------------------------------------------

def _retention_reminders(db):
    return reminders(db, rule="retention")


def test_reminder_30_days_before_keep_moves_the_date_and_the_pass_erases_on_the_day(demo_db, config):
    create_consultant(demo_db, email=OWNER, name="Karen Konsulent", password_hash=None)
    _citizen(demo_db)
    p = placement(demo_db, CID, start="2026-01-05", paid=5)
    end_placement(demo_db, p["id"], "2026-03-31", "uddannelse")
    # Twelve months after the end: 31 March 2027. The reminder appears 30 days before, not earlier.
    run_pass(demo_db, config, at("2027-02-28 08:00"))
    assert _retention_reminders(demo_db) == []
    run_pass(demo_db, config, at("2027-03-01 08:00"))
    (reminder,) = _retention_reminders(demo_db)
    assert reminder["title"].startswith(f"Borger {CID} slettes om 30 dage")
    assert NAME not in reminder["title"]
    assert reminder["consultant_email"] == OWNER
    # A pass before the day leaves the citizen (the demo citizens, idle since today, go then).
    retention_pass(config, at("2027-03-30 03:15"))
    assert registry.get_citizen(demo_db, CID) is not None

    with clock.use(at("2027-03-10 10:00")), audit.acting_as(audit.Actor("consultant", "page", consultant_id=1)):
        until = erasure.keep_citizen(demo_db, config, CID, "Starter på ny uddannelse i august")
    assert until == "2028-03-31"
    row = registry.get_citizen(demo_db, CID)
    assert row["retention_kept_until"] == "2028-03-31"
    assert row["retention_kept_reason"] == "Starter på ny uddannelse i august"
    assert _count(demo_db, "SELECT COUNT(*) FROM audit_log WHERE action = 'retention_kept' AND citizen_id = ?", [CID]) == 1
    run_pass(demo_db, config, at("2027-03-10 10:05"))
    assert _retention_reminders(demo_db) == []  # closed itself
    retention_pass(config, at("2027-04-01 03:15"))
    assert registry.get_citizen(demo_db, CID) is not None

    run_pass(demo_db, config, at("2028-03-01 08:00"))
    assert len(_retention_reminders(demo_db)) == 1
    retention_pass(config, at("2028-03-30 03:15"))
    assert registry.get_citizen(demo_db, CID) is not None
    assert retention_pass(config, at("2028-03-31 03:15"))["citizens_erased"] == 1
    assert registry.get_citizen(demo_db, CID) is None
    assert list(demo_db.query("SELECT actor, channel, action FROM audit_log WHERE citizen_id = ?", [CID])) == [
        {"actor": "scheduler", "channel": "scheduler", "action": "deleted"}]
    assert [r["outcome"] for r in statistics.all_rows(demo_db)] == ["uddannelse"]


def test_keeping_needs_a_reason(demo_db, config):
    _citizen(demo_db)
    with pytest.raises(erasure.KeepError, match="Skriv hvorfor"):
        erasure.keep_citizen(demo_db, config, CID, "   ")
    assert registry.get_citizen(demo_db, CID)["retention_kept_until"] is None


def test_a_running_placement_is_never_erased_and_no_placement_counts_from_last_activity(demo_db, config):
    _citizen(demo_db)
    _citizen(demo_db, "cit-erase-2", "Quinbertha")
    placement(demo_db, "cit-erase-2", start="2025-01-06")
    demo_db.execute("UPDATE citizens SET updated_at = '2025-01-10T09:00:00+00:00'")
    demo_db.execute("UPDATE placements SET updated_at = '2025-01-10T09:00:00+00:00'")
    demo_db.conn.commit()
    retention_pass(config, at("2026-01-09 03:15"))
    assert registry.get_citizen(demo_db, CID) is not None
    assert retention_pass(config, at("2026-01-10 03:15"))["citizens_erased"] >= 1
    assert registry.get_citizen(demo_db, CID) is None
    assert registry.get_citizen(demo_db, "cit-erase-2") is not None


def test_retention_months_comes_from_config_and_must_be_positive(demo_db, config):
    from core.config import Config, ConfigError
    with pytest.raises(ConfigError, match="SMAJOBS_RETENTION_MONTHS"):
        Config.load(db=config.db, secret_key="x", retention_months=0)
    _citizen(demo_db)
    demo_db.execute("UPDATE citizens SET updated_at = '2026-01-10T09:00:00+00:00'")
    demo_db.conn.commit()
    assert retention_pass(config.with_(retention_months=3), at("2026-04-09 03:15"))["citizens_erased"] == 0
    assert retention_pass(config.with_(retention_months=3), at("2026-04-10 03:15"))["citizens_erased"] == 4


def test_the_reminder_comes_from_last_activity_without_a_placement(demo_db, config):
    create_consultant(demo_db, email=OWNER, name="Karen Konsulent", password_hash=None)
    _citizen(demo_db)
    demo_db.execute("UPDATE citizens SET updated_at = '2026-01-10T09:00:00+00:00'")
    demo_db.conn.commit()
    run_pass(demo_db, config, at("2026-12-15 08:00"))
    assert f"retention:{CID}:2027-01-10" in keys(demo_db, rule="retention")


# --- statistics ---------------------------------------------------------------------------------------

def test_statistics_row_follows_the_placement_until_it_is_erased(demo_db, config):
    _citizen(demo_db)
    p = placement(demo_db, CID, start="2026-03-02")
    assert statistics.all_rows(demo_db) == []
    with clock.use(at("2026-03-16 10:00")):
        update_placement(demo_db, p["id"], paid_hours_per_week=4, hourly_wage=130)
    end_placement(demo_db, p["id"], "2026-06-30", "beskaeftigelse")
    assert statistics.all_rows(demo_db) == [{
        "kind": "smajob", "target_group": "Aktivitetsparat", "age_band": "25-29", "start_month": "2026-03",
        "end_month": "2026-06", "paid_hours_reached": 1, "days_to_paid_hours": 14, "outcome": "beskaeftigelse"}]
    update_placement(demo_db, p["id"], outcome="uddannelse")  # a correction updates the one row
    assert [r["outcome"] for r in statistics.all_rows(demo_db)] == ["uddannelse"]
    update_placement(demo_db, p["id"], status="active", end_date=None, outcome=None)  # reopened
    assert statistics.all_rows(demo_db) == []
    end_placement(demo_db, p["id"], "2026-07-31", "ledighed")
    erasure.erase_citizen(demo_db, config, CID)
    assert [(r["outcome"], r["end_month"]) for r in statistics.all_rows(demo_db)] == [("ledighed", "2026-07")]


# --- employer registrations -----------------------------------------------------------------------------

def test_rejected_and_superseded_registrations_go_after_30_days(demo_db, config):
    from data import signups
    from data.exchange import parse_employer
    consultant = create_consultant(demo_db, email=OWNER, name="Karen Konsulent", password_hash=None)

    def submit(name, cvr, when):
        problems = []
        record = parse_employer({"id": "x", "name": name, "cvr": cvr, "postcode": "2600", "industry": "Bageri",
                                 "contact": {"name": "Kim", "email": f"{cvr}@firma.dk"},
                                 "openings": [{"id": "y", "title": "Opvask", "tasks": "Vaske op"}]}, 0, problems)
        assert not problems, problems
        return signups.submit(demo_db, record, now=when)

    rejected = submit("Afvist ApS", "12345674", "2026-01-01T09:00:00+00:00")
    signups.reject(demo_db, rejected.registration_id, consultant, now="2026-01-02T09:00:00+00:00")
    first = submit("Ny ApS", "23456788", "2026-01-01T09:00:00+00:00")
    second = submit("Ny ApS", "23456788", "2026-01-05T09:00:00+00:00")
    assert signups.registration(demo_db, first.registration_id)["status"] == "superseded"

    result = retention_pass(config, at("2026-01-31 12:00"))  # 29 days after the rejection
    assert result["registrations_removed"] == 0
    result = retention_pass(config, at("2026-02-02 12:00"))
    assert result["registrations_removed"] == 1
    assert signups.registration(demo_db, rejected.registration_id) is None
    assert signups.registration(demo_db, first.registration_id) is not None  # superseded on 5 January
    # The rejected company had nothing else: its contact data goes too.
    assert result["employers_removed"] == 1 and registry.get_employer(demo_db, rejected.employer_id) is None
    assert retention_pass(config, at("2026-02-05 12:00"))["registrations_removed"] == 1
    assert signups.registration(demo_db, first.registration_id) is None
    assert signups.registration(demo_db, second.registration_id)["status"] == "pending"


def test_i_dag_shows_the_retention_reminder_with_the_way_to_keep(app, client, people, config, clock):
    people.execute("UPDATE citizens SET updated_at = '2026-01-10T09:00:00+00:00'")
    people.conn.commit()
    run_pass(people, config, at("2026-12-15 08:00"))
    login(client, OWNER)
    clock.set(at("2026-12-15 09:00"))
    page = client.get("/i-dag").get_data(as_text=True)
    assert f"Borger {CID} slettes om 26 dage" in page
    assert f'href="/borgere/{CID}#sletning"' in page and "Behold endnu en periode" in page
    token = _token(client, f"/borgere/{CID}")
    kept = client.post(f"/borgere/{CID}/behold", data={"csrf_token": token, "reason": "Venter på ny praktik"})
    assert kept.status_code == 302
    assert registry.get_citizen(people, CID)["retention_kept_reason"] == "Venter på ny praktik"
    empty = client.post(f"/borgere/{CID}/behold", data={"csrf_token": token, "reason": " "}, follow_redirects=True)
    assert "Skriv hvorfor borgeren skal beholdes." in empty.get_data(as_text=True)
