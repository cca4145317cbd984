"""Access export (GDPR art. 15): the document (data.access_export), the page "Hent alle data"
and its JSON download, the API route (checked against the OpenAPI document), and
`smajobs export-citizen`. Every export is audited; access follows the citizen page."""
from __future__ import annotations

import json
import os
import stat
from datetime import date
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from data import audit, reminders as store
from data.access_export import citizen_export
from data.accounts import create_consultant
from data.outbox import enqueue
from data.placements import add_report_due, log_meeting
from smajobs.cli import main
from tests.api_contract import ContractClient, make_token
from tests.conftest import login
from tests.rules_helpers import placement

OWNER, OTHER, ADMIN = "konsulent@example.dk", "anden@example.dk", "admin@example.dk"
NOTE = "Fatma vil gerne prøve køkkenet; aftalt opstart i januar."


@pytest.fixture
def history(demo_db):
    """Fatma with one of everything the export must carry, and Samir with an e-mail of his own."""
    db = demo_db
    fatma = placement(db, "cit-fatma")
    samir = placement(db, "cit-samir")
    add_report_due(db, fatma["id"], "delrapport", "2026-05-01")
    meeting = log_meeting(db, citizen_id="cit-fatma", kind="first_citizen", held_on="2026-02-20", note=NOTE)
    store.insert_reminder(db, rule="follow_up", dedupe_key="follow_up:test", consultant_email=None,
                          citizen_id="cit-fatma", placement_id=fatma["id"], due_on=date(2026, 4, 1),
                          title="Følg op med Fatma")
    checkin_id = store.create_checkin(db, fatma["id"], 1, date(2026, 3, 30), date(2026, 4, 13))
    store.answer_checkin(db, checkin_id, held_on=date(2026, 3, 31), attendance="as_agreed", tasks="mixed",
                         act_on=True, note="Hun er glad for holdet", flagged=False, meeting_note="Svar")
    enqueue(db, to="emp@example.dk", subject="Tak for forløbet med Fatma", body_text="Tak!",
            dedupe_key=f"thanks:{fatma['id']}")
    enqueue(db, to="emp@example.dk", subject="Hvordan går det med Fatma?", body_text="Link",
            dedupe_key=f"checkin:{fatma['id']}:1")
    enqueue(db, to="emp@example.dk", subject="Tak for forløbet med Samir", body_text="Tak!",
            dedupe_key=f"thanks:{samir['id']}")
    consultant_id = create_consultant(db, email=OWNER, name="Karen Konsulent", password_hash=None)
    with audit.acting_as(audit.Actor("consultant", "page", consultant_id=consultant_id, client_address="10.0.0.9")):
        audit.log(db, "viewed_profile", "cit-fatma")
    audit.log(db, "viewed_profile", "cit-samir")
    return SimpleNamespace(db=db, placement=fatma, meeting=meeting, consultant_id=consultant_id)


def test_the_document_holds_everything_about_the_citizen_and_nothing_about_others(history):
    document = citizen_export(history.db, "cit-fatma")
    assert document["format"] == "smajobs-indsigt" and document["citizen"]["first_name"] == "Fatma"
    assert document["citizen"]["created_at"] and document["citizen"]["needs"]
    [stored_placement] = document["placements"]
    assert stored_placement["id"] == history.placement["id"] and stored_placement["employer_name"]
    assert [r["kind"] for r in stored_placement["reports"]] == ["delrapport"]
    assert NOTE in [m["note"] for m in document["meetings"]]
    assert "Følg op med Fatma" in [r["title"] for r in document["reminders"]]
    [checkin] = document["checkins"]
    assert checkin["tasks"] == "mixed" and checkin["note"] == "Hun er glad for holdet"
    assert sorted(e["subject"] for e in document["emails"]) == ["Hvordan går det med Fatma?",
                                                               "Tak for forløbet med Fatma"]
    viewed = [a for a in document["access_log"] if a["action"] == "viewed_profile"]
    assert [(a["consultant_name"], a["consultant_email"], a["channel"]) for a in viewed] == [
        ("Karen Konsulent", OWNER, "page")]
    text = json.dumps(document, ensure_ascii=False)
    assert "Samir" not in text and "cit-samir" not in text
    assert "10.0.0.9" not in text  # the consultant's address is the consultant's data


def test_the_export_is_audited_and_lists_itself(history):
    with audit.acting_as(audit.CLI):
        document = citizen_export(history.db, "cit-fatma")
    assert document["access_log"][-1]["action"] == "exported"
    assert document["access_log"][-1]["action_text"] == "Hentede alle data"
    rows = history.db.execute("SELECT actor, citizen_id FROM audit_log WHERE action = 'exported'").fetchall()
    assert rows == [("cli", "cit-fatma")]


def test_an_unknown_citizen_gives_none_and_logs_nothing(db):
    assert citizen_export(db, "cit-findes-ikke") is None
    assert db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == 0


def test_e_mails_marked_with_the_citizen_id_are_found_when_the_outbox_has_that_column(history):
    # The erasure work adds outbox.citizen_id; an e-mail with no placement key is then found too.
    db = history.db
    if not any(row[1] == "citizen_id" for row in db.execute("PRAGMA table_info(outbox)")):
        db["outbox"].add_column("citizen_id", str)
    outbox_id = enqueue(db, to=OWNER, subject="Ny opgave for Fatma", body_text="Se siden")
    db.execute("UPDATE outbox SET citizen_id = 'cit-fatma' WHERE id = ?", [outbox_id])
    subjects = {e["subject"] for e in citizen_export(db, "cit-fatma")["emails"]}
    assert "Ny opgave for Fatma" in subjects and "Tak for forløbet med Samir" not in subjects


# --- the page ------------------------------------------------------------------------------------

@pytest.fixture
def accounts(history, make_consultant):
    make_consultant(OTHER, name="Anders Anden")
    make_consultant(ADMIN, name="Ada Admin", role="admin")
    from web.auth import hash_password
    from tests.conftest import PASSWORD
    from data.accounts import set_password_hash
    set_password_hash(history.db, history.consultant_id, hash_password(PASSWORD))
    return history


def test_the_owner_gets_a_printable_danish_page_and_a_json_download(client, accounts):
    login(client, OWNER)
    profile = client.get("/borgere/cit-fatma").get_data(as_text=True)
    assert "/borgere/cit-fatma/alle-data" in profile and "Hent alle data" in profile
    page = client.get("/borgere/cit-fatma/alle-data")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for text in ("Alle data om Fatma", NOTE, "Følg op med Fatma", "Nogle opgaver er svære",
                 "Tak for forløbet med Fatma", "Karen Konsulent", "Så profilen", "Udskriv", "print.css"):
        assert text in html, text
    assert "Samir" not in html
    download = client.get("/borgere/cit-fatma/alle-data.json")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    assert download.headers["Content-Disposition"] == 'attachment; filename="alle-data-cit-fatma.json"'
    assert json.loads(download.get_data(as_text=True))["citizen"]["id"] == "cit-fatma"
    exported = accounts.db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'exported' "
                                   "AND citizen_id = 'cit-fatma'").fetchone()[0]
    assert exported == 2


@pytest.mark.parametrize("who, status", [(OTHER, 404), (ADMIN, 200)])
def test_another_consultant_gets_404_an_admin_gets_the_export(client, accounts, who, status):
    login(client, who)
    assert client.get("/borgere/cit-fatma/alle-data").status_code == status
    assert client.get("/borgere/cit-fatma/alle-data.json").status_code == status
    exported = accounts.db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'exported'").fetchone()[0]
    assert exported == (2 if status == 200 else 0)


def test_without_log_in_the_page_sends_to_the_log_in(client, accounts):
    response = client.get("/borgere/cit-fatma/alle-data.json")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_printed_the_page_has_no_menu_and_no_buttons(browser, live_server, accounts):
    from playwright.sync_api import expect
    from tests.conftest import browser_login
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    try:
        browser_login(page, live_server, OWNER)
        page.goto(f"{live_server}/borgere/cit-fatma/alle-data")
        expect(page.get_by_role("heading", name="Alle data om Fatma")).to_be_visible()
        expect(page.get_by_role("navigation", name="Hovedmenu")).to_be_visible()
        expect(page.get_by_role("button", name="Udskriv")).to_be_visible()
        page.emulate_media(media="print")
        expect(page.get_by_role("navigation", name="Hovedmenu")).to_be_hidden()
        expect(page.get_by_role("button", name="Udskriv")).to_be_hidden()
        expect(page.get_by_text(NOTE)).to_be_visible()
    finally:
        context.close()


# --- the API -------------------------------------------------------------------------------------

def test_the_api_export_follows_the_contract_and_the_access_rule(app, client, accounts):
    db = accounts.db
    other = create_consultant(db, email="tredje@example.dk", name="Tove Tredje", password_hash=None)
    call = ContractClient(app, client).call
    response = call("GET", "/api/v1/citizens/cit-fatma/export", token=make_token(db, accounts.consultant_id))
    assert response.status_code == 200
    assert response.get_json()["access_log"][-1]["action"] == "exported"
    assert call("GET", "/api/v1/citizens/cit-fatma/export", token=make_token(db, other)).status_code == 404
    assert call("GET", "/api/v1/citizens/cit-nope/export", token=make_token(db, other)).status_code == 404
    assert call("GET", "/api/v1/citizens/cit-fatma/export").status_code == 401


# --- the command line ----------------------------------------------------------------------------

def test_export_citizen_prints_json_or_writes_a_private_file(tmp_path, config, history):
    runner = CliRunner()
    result = runner.invoke(main, ["--db", config.db, "export-citizen", "cit-fatma"], catch_exceptions=False)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["citizen"]["first_name"] == "Fatma"
    target = tmp_path / "ud" / "fatma.json"
    target.parent.mkdir()
    old = os.umask(0o022)
    try:
        result = runner.invoke(main, ["--db", config.db, "export-citizen", "cit-fatma", str(target)])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert "gemt i" in result.stderr and result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["meetings"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not [p for p in target.parent.iterdir() if p.name != target.name]  # no temporary left
    actors = history.db.execute("SELECT actor, channel FROM audit_log WHERE action = 'exported'").fetchall()
    assert actors == [("cli", "cli"), ("cli", "cli")]


def test_export_citizen_of_an_unknown_id_is_a_danish_error(config, db):
    result = CliRunner().invoke(main, ["--db", config.db, "export-citizen", "cit-nope"])
    assert result.exit_code == 1 and "Fejl: Ingen borger med id 'cit-nope'." in result.stderr
