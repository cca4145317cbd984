"""The "I dag" page: own reminders only (others' answer 404), done, snooze, frikort, calendar feed."""
import re

import pytest

from jobs.rules import run_pass
from tests.conftest import PASSWORD, browser_login, login
from tests.rules_helpers import at, placement, reminders

NOW = "2026-03-30 09:00"


@pytest.fixture
def setup(app, demo_db, config, make_consultant, clock):
    make_consultant("konsulent@example.dk", name="Karen Konsulent")
    make_consultant("anden@example.dk", name="Anders Anden")
    make_consultant("chef@example.dk", name="Chef", role="admin")
    demo_db.execute("UPDATE citizens SET consultant_email = 'anden@example.dk' WHERE id = 'cit-samir'")
    demo_db.execute("UPDATE citizens SET social_free_card = 1 WHERE id = 'cit-fatma'")
    demo_db.conn.commit()
    mine = placement(demo_db, start="2026-03-16", paid=5)
    theirs = placement(demo_db, "cit-samir", start="2026-03-16", paid=5)
    run_pass(demo_db, config, at(NOW))
    clock.set(at(NOW))
    by_placement = {r["placement_id"]: r for r in reminders(demo_db, rule="follow_up")}
    return {"mine": by_placement[mine["id"]], "theirs": by_placement[theirs["id"]], "placement": mine}


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_page_lists_own_due_reminders_with_links(client, setup):
    login(client)
    page = client.get("/i-dag").get_data(as_text=True)
    assert "Opfølgning med Fatma og virksomheden" in page
    assert f'href="/forloeb/{setup["placement"]["id"]}"' in page
    assert "overskredet" in page  # due 23 March
    assert "Samir" not in page
    assert "Vis alle" not in page


def test_others_reminders_answer_404(client, setup):
    login(client)
    token = _token(client.get("/i-dag").get_data(as_text=True))
    theirs = setup["theirs"]["id"]
    assert client.post(f"/i-dag/{theirs}/udfoert", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/i-dag/{theirs}/udsaet", data={"csrf_token": token, "until": "2026-04-02"}).status_code == 404
    assert client.post("/i-dag/999999/udfoert", data={"csrf_token": token}).status_code == 404


def test_done_needs_csrf_and_removes_the_reminder(client, setup, demo_db):
    login(client)
    mine = setup["mine"]["id"]
    assert client.post(f"/i-dag/{mine}/udfoert").status_code == 400
    token = _token(client.get("/i-dag").get_data(as_text=True))
    response = client.post(f"/i-dag/{mine}/udfoert", data={"csrf_token": token}, follow_redirects=True)
    assert "markeret som udført" in response.get_data(as_text=True)
    assert "Opfølgning med Fatma" not in response.get_data(as_text=True)
    assert [r["status"] for r in demo_db.query("SELECT status FROM reminders WHERE id = ?", [mine])] == ["done"]


def test_snooze_errors_are_danish_next_to_the_field_and_keep_the_input(client, setup, demo_db, app, clock):
    login(client)
    mine = setup["mine"]["id"]
    token = _token(client.get("/i-dag").get_data(as_text=True))
    bad = client.post(f"/i-dag/{mine}/udsaet", data={"csrf_token": token, "until": "31-02-2026"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert f'id="until-{mine}-error">&#39;31-02-2026&#39; er ikke en dato (ÅÅÅÅ-MM-DD).' in page
    assert 'value="31-02-2026"' in page
    past = client.post(f"/i-dag/{mine}/udsaet", data={"csrf_token": token, "until": "2026-03-30"})
    assert past.status_code == 400 and "Datoen skal ligge efter i dag." in past.get_data(as_text=True)
    empty = client.post(f"/i-dag/{mine}/udsaet", data={"csrf_token": token, "until": ""})
    assert "Vælg en dato at udsætte til." in empty.get_data(as_text=True)
    ok = client.post(f"/i-dag/{mine}/udsaet", data={"csrf_token": token, "until": "2026-04-01"},
                     follow_redirects=True)
    assert "udsat til 1.4.2026" in ok.get_data(as_text=True)
    assert "Opfølgning med Fatma" not in ok.get_data(as_text=True)
    clock.set(at("2026-04-01 08:00"))
    assert "Opfølgning med Fatma" in client.get("/i-dag").get_data(as_text=True)


def test_admin_sees_own_and_can_show_all(client, setup):
    login(client, "chef@example.dk", PASSWORD)
    own = client.get("/i-dag").get_data(as_text=True)
    assert "Fatma" not in own.split("Socialt frikort")[0] and "Vis alle" in own
    everyone = client.get("/i-dag?alle=1").get_data(as_text=True)
    assert "Opfølgning med Fatma" in everyone and "Opfølgning med Samir" in everyone
    assert "anden@example.dk" in everyone


def test_consultant_cannot_use_the_all_toggle(client, setup):
    login(client)
    page = client.get("/i-dag?alle=1").get_data(as_text=True)
    assert "Samir" not in page


def test_frikort_status_with_the_ceiling_note(client, setup, demo_db, config):
    placement(demo_db, start="2026-01-05", paid=10, wage=100, opening="opn-76855")  # another opening: one open forløb per opening
    login(client)
    page = client.get("/i-dag").get_data(as_text=True)
    assert "Loftet for 2026 er ikke offentliggjort i vores kilder; vi bruger 42.766 kr. fra konfigurationen." in page
    row = re.search(r'<tr class="frikort-row">(.*?)</tr>', page, re.S).group(1)
    # 85 days at 1,000 kr. a week plus 15 days at 5 × 130 kr. (the setup placement)
    assert "Fatma" in row and "13.536 kr." in row and "42.766 kr." in row and "31 %" in row


def test_calendar_feed_by_secret_link(client, setup):
    login(client)
    token = _token(client.get("/i-dag").get_data(as_text=True))
    page = client.post("/i-dag/kalender", data={"csrf_token": token}).get_data(as_text=True)
    url = re.search(r'value="(http://127\.0\.0\.1:5000/kalender/[^"]+\.ics)"', page).group(1)
    path = url.removeprefix("http://127.0.0.1:5000")
    client.post("/logout", data={"csrf_token": token})
    feed = client.get(path)  # no session: the token is the key
    body = feed.get_data(as_text=True)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert "SUMMARY:Opfølgning: Fatma" in body and "Samir" not in body
    assert client.get("/kalender/forkert.ics").status_code == 404
    # A new link revokes the old one.
    login(client)
    token = _token(client.get("/i-dag").get_data(as_text=True))
    client.post("/i-dag/kalender", data={"csrf_token": token})
    gone = client.get(path)
    assert gone.status_code == 404 and "Ukendt eller udløbet kalenderlink" in gone.get_data(as_text=True)


def test_i_dag_in_a_real_browser(live_server, page, setup, app):
    browser_login(page, live_server)
    assert page.url == f"{live_server}/i-dag"
    assert page.get_by_role("link", name="I dag").get_attribute("aria-current") == "page"
    row = page.locator(f"#paamindelse-{setup['mine']['id']}")
    row.get_by_role("button", name="Udført").click()
    page.get_by_text("Påmindelsen er markeret som udført.").wait_for()
    assert page.locator(f"#paamindelse-{setup['mine']['id']}").count() == 0


def test_reminders_follow_a_citizen_handed_to_another_consultant(client, setup, demo_db, config):
    demo_db.execute("UPDATE citizens SET consultant_email = 'anden@example.dk' WHERE id = 'cit-fatma'")
    demo_db.conn.commit()
    login(client)
    page = client.get("/i-dag").get_data(as_text=True)
    assert "Opfølgning med Fatma" not in page
    token = _token(page)
    assert client.post(f"/i-dag/{setup['mine']['id']}/udfoert", data={"csrf_token": token}).status_code == 404
    run_pass(demo_db, config, at(NOW))
    assert reminders(demo_db, rule="follow_up")[0]["consultant_email"] == "anden@example.dk"
