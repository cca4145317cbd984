"""The one clock (core.clock): fixed by a test, it is the time of what data writes, of what the
web pages show (in the test client and in live_server's thread), and of `remind --now`."""
from __future__ import annotations

import re
import urllib.error
import urllib.request
from datetime import datetime, timezone

from click.testing import CliRunner

from core import clock as the_clock
from data.accounts import consultant_by_id, create_consultant
from data.outbox import enqueue
from jobs.rules import run_pass
from tests.conftest import login
from tests.rules_helpers import at, outbox, placement, reminders


def test_a_fixed_clock_is_the_time_data_writes(db, clock):
    clock.set(at("2026-11-23 10:30"))
    consultant_id = create_consultant(db, email="karen@example.dk", name="Karen", password_hash=None)
    outbox_id = enqueue(db, to="karen@example.dk", subject="Emne", body_text="Tekst\n")
    assert consultant_by_id(db, consultant_id)["created_at"] == "2026-11-23T09:30:00+00:00"
    row = next(db.query("SELECT created_at, send_after FROM outbox WHERE id = ?", [outbox_id]))
    assert row == {"created_at": "2026-11-23T09:30:00+00:00", "send_after": "2026-11-23T09:30:00+00:00"}


def test_the_fixture_reads_naive_moments_as_copenhagen_time_and_resets_itself(clock):
    clock.set(datetime(2026, 7, 1, 0, 30))  # summer time: 22:30 UTC the day before
    assert the_clock.now_iso() == "2026-06-30T22:30:00+00:00"
    assert the_clock.today().isoformat() == "2026-07-01"
    with the_clock.use(datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)):
        assert the_clock.now_iso() == "2030-01-01T12:00:00+00:00"
    assert the_clock.today().isoformat() == "2026-07-01"  # use() gives the time before back


def test_without_a_fixed_clock_it_is_the_real_time():
    assert abs((the_clock.now() - datetime.now(timezone.utc)).total_seconds()) < 60


def test_the_i_dag_page_shows_the_clocks_date(client, make_consultant, clock):
    make_consultant()
    login(client)
    clock.set(at("2026-03-30 09:00"))
    assert "I dag <span class=\"muted\">– 30. marts 2026</span>" in client.get("/i-dag").get_data(as_text=True)
    clock.set(at("2026-12-24 23:59"))
    page = client.get("/i-dag").get_data(as_text=True)
    assert "24. december 2026" in page and "ingen arbejdsdag" in page  # juleaftensdag


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_live_servers_thread_reads_the_same_clock(live_server, demo_db, config, clock):
    placement(demo_db, start="2026-03-02", paid=5)
    run_pass(demo_db, config, at("2026-03-30 08:00"))
    [mail] = [m for m in outbox(demo_db) if (m["dedupe_key"] or "").startswith("checkin:")]
    path = re.search(r"http://127\.0\.0\.1:5000(/tjek-ind/\S+)", mail["body_text"]).group(1)
    clock.set(at("2026-04-20 23:00"))  # the link's last day
    assert _status(live_server + path) == 200
    clock.set(at("2026-04-21 08:00"))
    assert _status(live_server + path) == 410


def test_remind_now_is_the_time_stored_and_only_for_that_command(demo_db, config, monkeypatch, tmp_path):
    from smajobs.cli import main
    placement(demo_db, start="2026-03-02", paid=5)
    monkeypatch.setenv("SMAJOBS_MAIL_DIR", str(tmp_path / "sent"))
    result = CliRunner().invoke(main, ["--db", config.db, "remind", "--now", "2026-03-30T08:00"])
    assert result.exit_code == 0, result.output
    moment = "2026-03-30T06:00:00+00:00"  # 08:00 in Copenhagen (summer time)
    assert {r["created_at"] for r in reminders(demo_db)} == {moment}
    [mail] = outbox(demo_db)
    assert (mail["created_at"], mail["send_after"], mail["sent_at"]) == (moment, moment, moment)
    assert the_clock.today() != at("2026-03-30 08:00").date()  # the real time again afterwards


def test_send_mail_now_is_the_time_of_the_send(db, config, monkeypatch, tmp_path):
    from smajobs.cli import main
    enqueue(db, to="karen@example.dk", subject="Emne", body_text="Tekst\n",
            send_after=at("2026-03-30 07:00"))
    monkeypatch.setenv("SMAJOBS_MAIL_DIR", str(tmp_path / "sent"))
    result = CliRunner().invoke(main, ["--db", config.db, "send-mail", "--now", "2026-03-30T08:00"])
    assert result.exit_code == 0 and "Sendt: 1." in result.output, result.output
    row = next(db.query("SELECT claimed_at, sent_at FROM outbox"))
    assert row == {"claimed_at": "2026-03-30T06:00:00+00:00", "sent_at": "2026-03-30T06:00:00+00:00"}
