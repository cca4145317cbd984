"""The employer's check-in form through the private signed link from the check-in e-mail."""
import re

import pytest
from itsdangerous import URLSafeSerializer

from data.placements import log_meeting
from jobs.rules import checkin_serializer, run_pass
from tests.rules_helpers import at, keys, outbox, placement


@pytest.fixture
def link(app, demo_db, config, clock):
    p = placement(demo_db, start="2026-03-02", paid=5)
    run_pass(demo_db, config, at("2026-03-30 08:00"))
    [mail] = [m for m in outbox(demo_db) if m["dedupe_key"] == f"checkin:{p['id']}:1"]
    url = re.search(r"http://127\.0\.0\.1:5000(/tjek-ind/\S+)", mail["body_text"]).group(1)
    clock.set(at("2026-03-31 10:00"))
    return {"path": url, "placement": p}


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _answer(client, path, **fields):
    token = _csrf(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **fields})


def test_form_opens_without_log_in_and_logs_the_answer_as_a_meeting(client, link, demo_db, config):
    page = client.get(link["path"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Hvordan går det med Fatma?" in text
    assert "Hvordan går fremmødet?" in text and "Log ud" not in text
    done = _answer(client, link["path"], attendance="as_agreed", tasks="well", act_on="no", note="Fin uge")
    assert done.status_code == 200 and "Tak for svaret" in done.get_data(as_text=True)
    [meeting] = demo_db.query("SELECT * FROM meetings")
    assert meeting["kind"] == "employer_checkin" and meeting["placement_id"] == link["placement"]["id"]
    assert meeting["held_on"] == "2026-03-31"
    assert "Fremmøde: Kommer som aftalt." in meeting["note"] and "Bemærkning: Fin uge" in meeting["note"]
    # The employer's answer is not the consultant's follow-up, and it flags nothing.
    run_pass(demo_db, config, at("2026-03-31 11:00"))
    assert keys(demo_db, rule="checkin_answer") == []
    assert keys(demo_db, rule="follow_up")
    # Single use.
    again = client.get(link["path"])
    assert again.status_code == 410 and "allerede svaret" in again.get_data(as_text=True)


def test_missing_answers_are_shown_next_to_each_question_and_the_note_is_kept(client, link, demo_db):
    response = _answer(client, link["path"], tasks="well", note="Noget at sige")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="attendance-error">Vælg hvordan fremmødet går.' in page
    assert 'id="act_on-error">Svar ja eller nej.' in page
    assert "Noget at sige</textarea>" in page
    assert list(demo_db.query("SELECT * FROM meetings")) == []
    long = _answer(client, link["path"], attendance="as_agreed", tasks="well", act_on="no", note="x" * 1001)
    assert long.status_code == 400 and "Højst 1000 tegn." in long.get_data(as_text=True)
    assert list(demo_db.query("SELECT answered_at FROM employer_checkins")) == [{"answered_at": None}]


def test_an_answer_asking_for_help_reminds_the_consultant_until_followed_up(client, link, demo_db, config):
    _answer(client, link["path"], attendance="much_absence", tasks="well", act_on="yes")
    run_pass(demo_db, config, at("2026-03-31 11:00"))
    [key] = keys(demo_db, rule="checkin_answer")
    reminder = list(demo_db.query("SELECT * FROM reminders WHERE dedupe_key = ?", [key]))[0]
    assert reminder["consultant_email"] == "konsulent@example.dk" and reminder["due_on"] == "2026-03-31"
    log_meeting(demo_db, citizen_id="cit-fatma", placement_id=link["placement"]["id"], kind="follow_up",
                held_on="2026-04-01")
    run_pass(demo_db, config, at("2026-04-01 12:00"))
    assert keys(demo_db, rule="checkin_answer") == []


def test_tampered_foreign_and_expired_links_get_a_clear_danish_page(client, link, app, config, clock):
    path = link["path"]
    tampered = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    response = client.get(tampered)
    assert response.status_code == 404 and "Linket virker ikke" in response.get_data(as_text=True)
    other_purpose = URLSafeSerializer(config.secret_key, salt="something-else").dumps({"c": 1, "p": 1, "k": 1})
    assert client.get(f"/tjek-ind/{other_purpose}").status_code == 404
    wrong_period = checkin_serializer(config).dumps({"c": 1, "p": link["placement"]["id"], "k": 2})
    assert client.get(f"/tjek-ind/{wrong_period}").status_code == 404
    assert client.get("/tjek-ind/ikke-et-token").status_code == 404
    clock.set(at("2026-04-20 23:00"))  # last valid day
    assert client.get(path).status_code == 200
    clock.set(at("2026-04-21 08:00"))
    expired = client.get(path)
    assert expired.status_code == 410 and "Linket er udløbet" in expired.get_data(as_text=True)


def test_employer_answers_in_a_real_browser(live_server, page, link, demo_db):
    page.goto(f"{live_server}{link['path']}")
    page.get_by_role("heading", name="Hvordan går det med Fatma?").wait_for()
    page.get_by_label("Enkelte afbud eller fravær").check()
    page.get_by_role("button", name="Send svar").click()
    page.locator("#tasks-error").wait_for()
    assert page.locator("#tasks-error").inner_text() == "Vælg hvordan det går med opgaverne."
    assert page.get_by_label("Enkelte afbud eller fravær").is_checked()
    page.get_by_label("Opgaverne går godt").check()
    page.get_by_label("Ja, kontakt os gerne").check()
    page.get_by_label("Vil I tilføje noget? (valgfrit)").fill("Ring gerne i næste uge")
    page.get_by_role("button", name="Send svar").click()
    page.get_by_text("Konsulenten har fået jeres svar og kontakter jer snarest.").wait_for()
    [checkin] = demo_db.query("SELECT flagged, attendance, act_on FROM employer_checkins")
    assert checkin == {"flagged": 1, "attendance": "some_absence", "act_on": 1}


def test_the_employer_is_in_the_audit_trail_without_a_log_in(client, link, demo_db):
    queued = list(demo_db.query("SELECT action, citizen_id, placement_id FROM audit_log WHERE action = 'email_queued'"))
    assert queued == [{"action": "email_queued", "citizen_id": "cit-fatma", "placement_id": link["placement"]["id"]}]
    before = demo_db.execute("SELECT MAX(id) FROM audit_log").fetchone()[0]
    _answer(client, link["path"], attendance="as_agreed", tasks="well", act_on="no", note="Fin uge")
    rows = [(r["action"], r["actor"], r["channel"], r["client_address"], r["citizen_id"]) for r in demo_db.query(
        "SELECT * FROM audit_log WHERE id > ? ORDER BY id", [before])]
    assert rows == [("viewed_placement", "system", "page", "127.0.0.1", "cit-fatma"),
                    ("meeting_created", "system", "page", "127.0.0.1", "cit-fatma")]
