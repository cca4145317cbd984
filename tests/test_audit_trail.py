"""The audit trail end to end: a read and a change through each door (page, API, CLI) leave the
right row and nothing else, ids only; a change that fails leaves no row; the Adgangslog page,
its CSV and `smajobs audit`; retention; and no route can change or delete a row."""
from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from datetime import date, datetime, timezone

import pytest
from click.testing import CliRunner

from core.clock import add_months, use
from core.config import Config, ConfigError
from data import audit, placements, registry
from data.db import write
from jobs.scheduler import as_scheduler, prune_audit_log, rules_pass
from smajobs.cli import main
from tests.api_contract import make_token
from tests.conftest import login

OWNER, OTHER, ADMIN = "konsulent@example.dk", "anden@example.dk", "admin@example.dk"
# A first name that appears nowhere else, so finding it anywhere in the log is a leak.
UNIQUE_NAME = "Zyxwalda"
UNIQUE_NOTE = "Hemmelig-notat-7731"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def people(demo_db, make_consultant):
    return {"owner": make_consultant(OWNER), "other": make_consultant(OTHER, "Anne Anden"),
            "admin": make_consultant(ADMIN, "Ada Admin", role="admin")}


@pytest.fixture
def run(config):
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, ["--db", config.db, *args], input=input, catch_exceptions=False)
    return invoke


def audit_rows(db, after_id: int = 0) -> list[dict]:
    return list(db.query("SELECT * FROM audit_log WHERE id > ? ORDER BY id", [after_id]))


def last_id(db) -> int:
    return db.execute("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()[0]


def opening_id(db) -> str:
    return registry.matchable_employers(db)[0]["openings"][0]["id"]


def csrf(client) -> str:
    return CSRF.search(client.get("/login").get_data(as_text=True)).group(1)


# --- through the pages ------------------------------------------------------------------------

def test_a_page_read_leaves_one_row_with_actor_door_address_and_ids(client, demo_db, people):
    login(client, OWNER)
    before = last_id(demo_db)
    assert client.get("/borgere/cit-fatma").status_code == 200
    [row] = audit_rows(demo_db, before)
    assert (row["actor"], row["consultant_id"], row["action"], row["citizen_id"], row["channel"],
            row["client_address"]) == ("consultant", people["owner"], "viewed_profile", "cit-fatma", "page",
                                       "127.0.0.1")
    assert row["placement_id"] is None and row["meeting_id"] is None


def test_a_page_change_leaves_one_row_in_its_transaction(client, demo_db, people):
    login(client, OWNER)
    token = csrf(client)
    before = last_id(demo_db)
    response = client.post("/borgere/cit-fatma/moeder/nyt",
                           data={"csrf_token": token, "kind": "first_citizen", "held_on": "2026-01-02",
                                 "note": UNIQUE_NOTE})
    assert response.status_code == 302
    [row] = audit_rows(demo_db, before)
    meeting = placements.meetings_of_citizen(demo_db, "cit-fatma")[0]
    assert (row["action"], row["citizen_id"], row["meeting_id"], row["actor"], row["channel"]) == \
        ("meeting_created", "cit-fatma", meeting["id"], "consultant", "page")


def test_a_failed_change_leaves_no_row(client, demo_db, people):
    """The placement is stored (and logged) first, then its report date fails: the whole
    transaction, the audit row included, is rolled back."""
    login(client, OWNER)
    token = csrf(client)
    before = last_id(demo_db)
    response = client.post("/borgere/cit-fatma/forloeb/nyt", data={
        "csrf_token": token, "opening_id": opening_id(demo_db), "kind": "smajob", "status": "planned",
        "start_date": "2026-01-05", "hours_per_week": "6", "paid_hours_per_week": "0", "trial_weeks": "0",
        "delrapport_due": "ikke-en-dato"})
    assert response.status_code == 400
    assert placements.placements_of_citizen(demo_db, "cit-fatma") == []
    assert audit_rows(demo_db, before) == []


def test_an_admin_list_logs_one_row_per_citizen_shown(client, demo_db, people):
    login(client, ADMIN)
    before = last_id(demo_db)
    assert client.get("/borgere").status_code == 200
    rows = audit_rows(demo_db, before)
    assert sorted(r["citizen_id"] for r in rows) == ["cit-fatma", "cit-samir", "cit-sofie"]
    assert {(r["action"], r["actor"], r["consultant_id"]) for r in rows} == {("viewed_list", "admin", people["admin"])}


def test_the_employer_page_logs_only_the_citizens_it_names(client, demo_db, people):
    opening = opening_id(demo_db)
    employer_id = registry.get_opening(demo_db, opening)["employer_id"]
    mine = placements.create_placement(demo_db, citizen_id="cit-fatma", opening_id=opening, kind="smajob",
                                       start_date="2026-01-05", hours_per_week=6)
    registry.save_citizen(demo_db, {"id": "cit-hers", "first_name": "Hanne", "postcode": "8000",
                                    "consultant": OTHER})
    placements.create_placement(demo_db, citizen_id="cit-hers", opening_id=opening, kind="smajob",
                                start_date="2026-01-05", hours_per_week=6)
    login(client, OWNER)
    before = last_id(demo_db)
    assert client.get(f"/virksomheder/{employer_id}").status_code == 200
    [row] = audit_rows(demo_db, before)
    assert (row["action"], row["citizen_id"], row["placement_id"], row["employer_id"]) == \
        ("viewed_employer_placements", "cit-fatma", mine["id"], employer_id)


def test_the_client_address_respects_proxy_hops(config, demo_db, people):
    from web import create_app
    for hops, expected in ((0, "127.0.0.1"), (1, "203.0.113.7")):
        app = create_app(config.with_(proxy_hops=hops))
        app.config.update(TESTING=True)
        client = app.test_client()
        login(client, OWNER)
        before = last_id(demo_db)
        client.get("/borgere/cit-fatma", headers={"X-Forwarded-For": "203.0.113.7"})
        assert [r["client_address"] for r in audit_rows(demo_db, before)] == [expected]


# --- through the API --------------------------------------------------------------------------

def test_an_api_read_and_change_leave_their_rows(client, demo_db, people):
    token = make_token(demo_db, people["owner"])
    auth = {"Authorization": f"Bearer {token}"}
    before = last_id(demo_db)
    assert client.get("/api/v1/citizens/cit-fatma", headers=auth).status_code == 200
    [read] = audit_rows(demo_db, before)
    assert (read["action"], read["citizen_id"], read["actor"], read["channel"], read["consultant_id"],
            read["client_address"]) == ("viewed_profile", "cit-fatma", "consultant", "api", people["owner"],
                                        "127.0.0.1")
    citizen = registry.citizen_for_matching(demo_db, "cit-fatma")
    before = last_id(demo_db)
    response = client.put("/api/v1/citizens/cit-fatma", headers=auth, json={**citizen, "goal": "Noget nyt"})
    assert response.status_code == 200
    [change] = audit_rows(demo_db, before)
    assert (change["action"], change["citizen_id"], change["channel"]) == ("changed", "cit-fatma", "api")


def test_an_api_change_that_fails_leaves_no_row(client, demo_db, people):
    auth = {"Authorization": f"Bearer {make_token(demo_db, people['owner'])}"}
    citizen = registry.citizen_for_matching(demo_db, "cit-fatma")
    before = last_id(demo_db)
    response = client.put("/api/v1/citizens/cit-fatma", headers=auth, json={**citizen, "postcode": "0000x"})
    assert response.status_code == 422
    assert audit_rows(demo_db, before) == []


def test_a_session_cookie_on_the_api_does_not_name_the_actor(client, demo_db, people):
    """The API's actor is the token's consultant, even when a session of another is open."""
    login(client, OTHER)
    auth = {"Authorization": f"Bearer {make_token(demo_db, people['owner'])}"}
    before = last_id(demo_db)
    client.get("/api/v1/citizens/cit-fatma/matches", headers=auth)
    [row] = audit_rows(demo_db, before)
    assert (row["action"], row["consultant_id"], row["channel"]) == ("viewed_matches", people["owner"], "api")


# --- through the CLI --------------------------------------------------------------------------

def test_cli_reads_and_changes_are_logged_as_the_cli(run, demo_db, tmp_path):
    before = last_id(demo_db)
    assert run("match", "cit-fatma").exit_code == 0
    [read] = audit_rows(demo_db, before)
    assert (read["action"], read["citizen_id"], read["actor"], read["channel"], read["consultant_id"],
            read["client_address"]) == ("viewed_matches", "cit-fatma", "cli", "cli", None, None)
    document = tmp_path / "one.json"
    document.write_text(json.dumps({"citizens": [{"id": "cit-new", "first_name": "Ny", "postcode": "8000"}]}))
    before = last_id(demo_db)
    assert run("import", str(document)).exit_code == 0
    [change] = audit_rows(demo_db, before)
    assert (change["action"], change["citizen_id"], change["actor"]) == ("created", "cit-new", "cli")
    before = last_id(demo_db)
    assert run("export", str(tmp_path / "out.json")).exit_code == 0
    exported = audit_rows(demo_db, before)
    assert sorted(r["citizen_id"] for r in exported) == ["cit-fatma", "cit-new", "cit-samir", "cit-sofie"]
    assert {r["action"] for r in exported} == {"exported"}
    # The CLI's actor ends with the command: this process acts as 'system' again.
    assert audit.current_actor() == audit.SYSTEM


def test_a_scheduler_job_acts_as_the_scheduler(config, demo_db):
    placement = placements.create_placement(demo_db, citizen_id="cit-fatma", opening_id=opening_id(demo_db),
                                            kind="smajob", start_date="2026-01-05", hours_per_week=6)
    before = last_id(demo_db)
    as_scheduler(rules_pass)(config, now=datetime(2026, 1, 6, 9, 0))
    started = [r for r in audit_rows(demo_db, before) if r["action"] == "placement_changed"]
    assert [(r["citizen_id"], r["placement_id"], r["actor"], r["channel"]) for r in started] == \
        [("cit-fatma", placement["id"], "scheduler", "scheduler")]


# --- ids only ---------------------------------------------------------------------------------

def test_no_name_or_note_reaches_the_log(client, run, demo_db, people):
    auth = {"Authorization": f"Bearer {make_token(demo_db, people['owner'])}"}
    response = client.post("/api/v1/citizens", headers=auth, json={
        "id": "cit-unique", "first_name": UNIQUE_NAME, "postcode": "8000", "goal": UNIQUE_NOTE})
    assert response.status_code == 201
    placement = placements.create_placement(demo_db, citizen_id="cit-unique", opening_id=opening_id(demo_db),
                                            kind="smajob", start_date="2026-01-05", hours_per_week=6)
    login(client, OWNER)
    for url in ("/borgere", "/borgere/cit-unique", "/borgere/cit-unique/match", f"/forloeb/{placement['id']}",
                "/i-dag", f"/virksomheder/{placement['employer_id']}"):
        assert client.get(url).status_code == 200, url
    for url in ("/api/v1/citizens", "/api/v1/citizens/cit-unique", "/api/v1/export",
                "/api/v1/citizens/cit-unique/placements"):
        assert client.get(url, headers=auth).status_code == 200, url
    assert run("match", "cit-unique").exit_code == 0
    rows = demo_db.execute("SELECT * FROM audit_log").fetchall()
    assert len(rows) > 10
    text = " ".join(str(value) for row in rows for value in row)
    assert UNIQUE_NAME not in text and UNIQUE_NOTE not in text and "Zyx" not in text
    # and the SQL itself finds it in no column of any row
    columns = [c[1] for c in demo_db.execute("PRAGMA table_info(audit_log)")]
    where = " OR ".join(f"CAST({c} AS TEXT) LIKE ?" for c in columns)
    assert demo_db.execute(f"SELECT COUNT(*) FROM audit_log WHERE {where}",
                           [f"%{UNIQUE_NAME}%"] * len(columns)).fetchone()[0] == 0


# --- nobody changes the log through the app ---------------------------------------------------

def test_no_route_changes_or_deletes_a_log_row(app, client, demo_db, people):
    """Every route of the app, with every method, as an admin (session and token): the rows
    written before are all still there, unchanged. New routes are walked without being listed.
    Erasure is left out: erasing a citizen removes their earlier rows on purpose and leaves one
    'deleted' row (tests/test_erasure.py)."""
    placement = placements.create_placement(demo_db, citizen_id="cit-fatma", opening_id=opening_id(demo_db),
                                            kind="smajob", start_date="2026-01-05", hours_per_week=6)
    meeting = placements.log_meeting(demo_db, citizen_id="cit-fatma", placement_id=placement["id"],
                                     kind="follow_up", held_on="2026-01-06")
    report = placements.add_report_due(demo_db, placement["id"], "delrapport", "2026-02-01")
    with audit.acting_as(audit.Actor("admin", "page", people["admin"], "10.0.0.1")):
        audit.log(demo_db, "viewed_profile", "cit-fatma")
    before = audit_rows(demo_db)
    ids = {"citizen_id": "cit-fatma", "placement_id": placement["id"], "meeting_id": meeting["id"],
           "report_id": report["id"], "employer_id": placement["employer_id"], "opening_id": placement["opening_id"],
           "consultant_id": people["other"], "code": "8000"}
    login(client, ADMIN)
    token = csrf(client)
    auth = {"Authorization": f"Bearer {make_token(demo_db, people['admin'])}"}
    walked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("auth.logout", "static", "api.delete_citizen") or rule.endpoint.startswith("erasure."):
            continue
        url = rule.build({name: ids.get(name, 1) for name in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            headers = auth if rule.endpoint.startswith("api.") else {}
            client.open(url, method=method, headers=headers,
                        data={"csrf_token": token} if method != "GET" and not headers else None)
            walked += 1
    assert walked > 60
    after = {row["id"]: row for row in audit_rows(demo_db)}
    assert all(after.get(row["id"]) == row for row in before)
    assert not [r for r in app.url_map.iter_rules() if r.endpoint.startswith("audit_admin.")
                and r.methods - {"GET", "HEAD", "OPTIONS"}]


def test_sql_cannot_change_or_delete_a_row(demo_db):
    audit.log(demo_db, "viewed_profile", "cit-fatma")
    for statement in ("UPDATE audit_log SET citizen_id = 'x'", "DELETE FROM audit_log WHERE citizen_id = 'cit-fatma'"):
        with pytest.raises(sqlite3.IntegrityError, match="kun til tilføjelse"):
            with write(demo_db):
                demo_db.execute(statement)
    assert demo_db.execute("SELECT COUNT(*) FROM audit_log WHERE citizen_id = 'cit-fatma'").fetchone()[0] >= 1


# --- the Adgangslog page and its CSV -----------------------------------------------------------

def _seed(db, people, count: int = 60) -> None:
    with use(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)):
        with audit.acting_as(audit.Actor("consultant", "page", people["owner"], "10.0.0.2")):
            audit.log_many(db, "viewed_profile", [f"cit-{n}" for n in range(count)])
    with use(datetime(2026, 4, 20, 12, 0, tzinfo=timezone.utc)):
        with audit.acting_as(audit.Actor("consultant", "api", people["other"], "10.0.0.3")):
            audit.log(db, "changed", "cit-x")


def test_only_admins_reach_the_adgangslog(client, demo_db, people):
    for url in ("/admin/adgangslog/", "/admin/adgangslog/adgangslog.csv"):
        assert client.get(url).status_code == 302  # anonymous: to the log-in
    login(client, OWNER)
    for url in ("/admin/adgangslog/", "/admin/adgangslog/adgangslog.csv"):
        assert client.get(url).status_code == 403
    assert "Adgangslog" not in client.get("/borgere").get_data(as_text=True)
    auth = {"Authorization": f"Bearer {make_token(demo_db, people['admin'])}"}
    assert client.get("/api/v1/audit", headers=auth).status_code == 404  # no API door to the log


def test_the_page_filters_and_pages(client, demo_db, people):
    _seed(demo_db, people)
    login(client, ADMIN)
    page = client.get("/admin/adgangslog/?fra=2026-03-01&til=2026-03-31")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Adgangslog" in text
    assert text.count("Så profilen") == 50 and "cit-x" not in text
    next_url = re.search(r'<a rel="next" href="([^"]+)"', text).group(1).replace("&amp;", "&")
    rest = client.get(next_url).get_data(as_text=True)
    assert rest.count("Så profilen") == 10 and 'rel="next"' not in rest
    by_consultant = client.get(f"/admin/adgangslog/?konsulent={people['other']}").get_data(as_text=True)
    assert "cit-x" in by_consultant and "Ændrede" in by_consultant and "cit-1<" not in by_consultant
    by_citizen = client.get("/admin/adgangslog/?borger=cit-7").get_data(as_text=True)
    assert by_citizen.count("Så profilen") == 1
    bad = client.get("/admin/adgangslog/?fra=31.02.2026")
    assert bad.status_code == 400 and "er ikke en dato" in bad.get_data(as_text=True)
    assert "Adgangslog" in client.get("/borgere").get_data(as_text=True)  # in the admin menu


def test_the_csv_has_danish_headers_ids_and_the_filters(client, demo_db, people):
    _seed(demo_db, people)
    login(client, ADMIN)
    response = client.get(f"/admin/adgangslog/adgangslog.csv?konsulent={people['other']}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == list(audit.COLUMNS)
    assert rows[1:] == [["2026-04-20 14:00:00", "Konsulent", str(people["other"]), OTHER, "Ændrede", "cit-x",
                         "", "", "", "API", "10.0.0.3"]]
    everything = client.get("/admin/adgangslog/adgangslog.csv").get_data(as_text=True)
    assert everything.count("\r\n") >= 62


# --- smajobs audit ------------------------------------------------------------------------------

def test_smajobs_audit_prints_with_filters(run, demo_db, people):
    _seed(demo_db, people, count=3)
    out = run("audit").output
    assert out.splitlines()[0].split("\t") == list(audit.COLUMNS)
    assert "cit-x" in out and "cit-2" in out
    assert [line.split("\t")[5] for line in run("audit", "--citizen", "cit-1").output.splitlines()[1:]] == ["cit-1"]
    lines = run("audit", "--consultant", OTHER.upper()).output.splitlines()[1:]
    assert [line.split("\t")[5] for line in lines] == ["cit-x"]
    lines = run("audit", "--since", "01-04-2026").output.splitlines()
    assert [line.split("\t")[5] for line in lines[1:] if "2026-04" in line] == ["cit-x"]
    assert not [line for line in lines if "2026-03" in line]
    assert "Ingen rækker" in run("audit", "--citizen", "findes-ikke").output
    unknown = run("audit", "--consultant", "nobody@example.dk")
    assert unknown.exit_code == 1 and "ingen konsulent med e-mail" in unknown.output
    bad = run("audit", "--since", "i går")
    assert bad.exit_code == 2 and "er ikke en dato" in bad.output


# --- retention ----------------------------------------------------------------------------------

def test_retention_removes_only_rows_older_than_the_period(config, demo_db):
    for moment, citizen in ((datetime(2024, 1, 9, 12, tzinfo=timezone.utc), "cit-old"),
                            (datetime(2024, 1, 11, 12, tzinfo=timezone.utc), "cit-young")):
        with use(moment):
            audit.log(demo_db, "viewed_profile", citizen)
    with use(datetime(2026, 1, 10, 12, tzinfo=timezone.utc)):
        assert prune_audit_log(config.with_(audit_retention_months=24)) == 1
    assert [r[0] for r in demo_db.execute(
        "SELECT citizen_id FROM audit_log WHERE citizen_id IN ('cit-old', 'cit-young')")] == ["cit-young"]
    # and the table is locked again afterwards
    with pytest.raises(sqlite3.IntegrityError):
        with write(demo_db):
            demo_db.execute("DELETE FROM audit_log")


def test_retention_months_count_calendar_months():
    assert add_months(date(2026, 5, 31), -3) == date(2026, 2, 28)
    assert add_months(date(2024, 5, 31), -3) == date(2024, 2, 29)
    assert add_months(date(2026, 1, 15), -24) == date(2024, 1, 15)


def test_the_retention_setting_is_checked(monkeypatch, tmp_path):
    monkeypatch.setenv("SMAJOBS_AUDIT_RETENTION_MONTHS", "6")
    assert Config.load(db=str(tmp_path / "x.db"), secret_key="k").audit_retention_months == 6
    monkeypatch.setenv("SMAJOBS_AUDIT_RETENTION_MONTHS", "0")
    with pytest.raises(ConfigError, match="SMAJOBS_AUDIT_RETENTION_MONTHS"):
        Config.load(db=str(tmp_path / "x.db"), secret_key="k")
