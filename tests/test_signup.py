"""The public employer form, the private update link and the consultants' queue."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from core.errors import Invalid
from data import registry, signups
from data.signups import counts
from tests.conftest import login
from tests.signup_helpers import (OTHER_CVR, VALID_CVR, csrf_token, form_data, post_form, signup_app,  # noqa: F401
                                  signup_client)
from web.signup import make_update_token, read_update_token


def _outbox(db):
    return list(db.query("SELECT * FROM outbox ORDER BY id"))


def _link_from(body: str) -> str:
    return re.search(r"http://\S+/virksomhed/opdater/\S+", body).group(0)


def _approve_all(client, db):
    for reg in signups.pending_registrations(db):
        page = client.get(f"/nye-virksomheder/{reg['id']}").get_data(as_text=True)
        response = client.post(f"/nye-virksomheder/{reg['id']}/godkend", data={"csrf_token": csrf_token(page)})
        assert response.status_code == 302


def test_form_explains_every_need_in_plain_danish(signup_client):
    page = signup_client.get("/virksomhed/tilmeld").get_data(as_text=True)
    assert "Plettet straffeattest accepteres" in page
    assert "Virksomheden ansætter gerne personer med en plettet straffeattest." in page
    assert "Plads til servicehund" in page and "Ved ikke" in page and "Kan ikke" in page
    assert 'href="/virksomhed/data"' in page
    assert "Restaurationsvirksomhed" in page  # DB07 main groups
    data_page = signup_client.get("/virksomhed/data").get_data(as_text=True)
    assert "Hvem kan se dem?" in data_page


def test_new_registration_is_stored_pending_and_mails_a_private_link(signup_client, db, config):
    response = post_form(signup_client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/virksomhed/tak")
    employer = signups.employer_by_cvr(db, VALID_CVR)
    assert employer["status"] == "pending" and employer["industry"] == "Restaurationsvirksomhed"
    assert employer["contact_phone"] == "+45 20 12 34 56"
    assert employer["extra"]["collaboration"] == {"candidate_info": "noget", "talk_with": "konsulent"}
    [opening] = employer["openings"]
    assert opening["can_meet"] == ["flexible_breaks", "limited_danish"]
    assert opening["cannot_meet"] == ["service_dog"] and opening["shifts"] == ["day", "evening"]
    assert registry.matchable_employers(db) == []  # nothing matched before a consultant approves
    [mail] = _outbox(db)
    assert mail["to_addr"] == "ali@pizzeria.dk" and mail["subject"] == "Tak for jeres tilmelding til småjobs"
    assert mail["body_html"] is None and "<" not in mail["body_text"]
    link = _link_from(mail["body_text"])
    assert link.startswith(config.base_url)
    employer_id, nonce = read_update_token(config.secret_key, link.rsplit("/", 1)[1])
    assert employer_id == employer["id"] and nonce == signups.current_nonce(db, employer["id"])
    thanks = signup_client.get("/virksomhed/tak").get_data(as_text=True)
    assert "Tak for jeres tilmelding" in thanks


def test_consultant_approves_and_openings_become_matchable(signup_client, db, make_consultant):
    post_form(signup_client)
    make_consultant()
    assert signup_client.get("/nye-virksomheder/").status_code == 302  # log-in needed
    login(signup_client)
    queue = signup_client.get("/nye-virksomheder/").get_data(as_text=True)
    assert "Pizzeria Napoli" in queue and "Ny virksomhed" in queue
    assert "Nye virksomheder (1)</a>" in queue  # the menu counts what waits
    [reg] = signups.pending_registrations(db)
    # Without CSRF the decision is refused.
    assert signup_client.post(f"/nye-virksomheder/{reg['id']}/godkend").status_code == 400
    _approve_all(signup_client, db)
    assert signups.registration(db, reg["id"])["status"] == "approved"
    assert "Nye virksomheder</a>" in signup_client.get("/nye-virksomheder/").get_data(as_text=True)
    [employer] = registry.matchable_employers(db)
    assert employer["openings"][0]["title"] == "Køkkenhjælp"


def test_reject_keeps_a_new_company_out_of_matching(signup_client, db, make_consultant):
    post_form(signup_client)
    make_consultant()
    login(signup_client)
    [reg] = signups.pending_registrations(db)
    page = signup_client.get(f"/nye-virksomheder/{reg['id']}").get_data(as_text=True)
    signup_client.post(f"/nye-virksomheder/{reg['id']}/afvis", data={"csrf_token": csrf_token(page)})
    assert signups.employer_by_cvr(db, VALID_CVR)["status"] == "rejected"
    assert registry.matchable_employers(db) == []


def test_registering_again_updates_instead_of_duplicating_and_shows_changes(signup_client, db, make_consultant):
    post_form(signup_client)
    make_consultant()
    login(signup_client)
    _approve_all(signup_client, db)
    before = counts(db)
    # Same CVR and e-mail: the title "køkkenhjælp" matches the stored opening, a second one is new.
    response = post_form(signup_client, openings=2, name="Pizzeria Napoli ApS",
                         **{"openings-0-title": "  køkkenhjælp ", "openings-0-hours_max": "15"})
    assert response.status_code == 302
    assert counts(db)["employers"] == before["employers"]
    [reg] = signups.pending_registrations(db)
    assert reg["kind"] == "update"
    assert {c["field"]: (c["old"], c["new"]) for c in reg["diff"]["fields"]}["name"] == (
        "Pizzeria Napoli", "Pizzeria Napoli ApS")
    assert [o["title"] for o in reg["diff"]["openings"]["added"]] == ["Opvasker 1"]
    [changed] = reg["diff"]["openings"]["changed"]
    assert {c["field"] for c in changed["fields"]} == {"title", "hours_max"}
    # The approved version stays matched, unchanged, until the change is approved.
    [live] = registry.matchable_employers(db)
    assert live["name"] == "Pizzeria Napoli" and len(live["openings"]) == 1
    page = signup_client.get(f"/nye-virksomheder/{reg['id']}").get_data(as_text=True)
    assert "Hvad er ændret" in page and "Pizzeria Napoli ApS" in page and "Nyt småjob" in page
    _approve_all(signup_client, db)
    [live] = registry.matchable_employers(db)
    assert live["name"] == "Pizzeria Napoli ApS" and len(live["openings"]) == 2
    assert live["openings"][0]["hours_per_week"] == {"min": 3, "max": 15}


def test_reregistration_with_another_email_gets_no_link_until_approved(signup_client, db, make_consultant):
    post_form(signup_client)
    make_consultant()
    login(signup_client)
    _approve_all(signup_client, db)
    post_form(signup_client, email="fremmed@example.dk")
    mail = _outbox(db)[-1]
    assert mail["to_addr"] == "fremmed@example.dk" and "/virksomhed/opdater/" not in mail["body_text"]
    employer_id = signups.employer_by_cvr(db, VALID_CVR)["id"]
    old_nonce = signups.current_nonce(db, employer_id)
    _approve_all(signup_client, db)
    approved_mail = _outbox(db)[-1]
    assert approved_mail["to_addr"] == "fremmed@example.dk" and "/virksomhed/opdater/" in approved_mail["body_text"]
    assert signups.current_nonce(db, employer_id) != old_nonce  # the old contact's links are revoked


def test_add_opening_button_keeps_what_was_typed(signup_client, db):
    before = counts(db)
    token = csrf_token(signup_client.get("/virksomhed/tilmeld").get_data(as_text=True))
    data = form_data(token, name="Bageriet")
    del data["submit"]
    data["add_opening"] = "Tilføj endnu et småjob"
    response = signup_client.post("/virksomhed/tilmeld", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Bageriet"' in page and 'value="Køkkenhjælp"' in page
    assert 'name="openings-1-title"' in page and "Småjob 2" in page
    assert 'class="error"' not in page
    assert counts(db) == before


def test_honeypot_pretends_success_and_stores_nothing(signup_client, db):
    before = counts(db)
    response = post_form(signup_client, website="http://spam.example")
    assert response.status_code == 302 and response.headers["Location"].endswith("/virksomhed/tak")
    assert counts(db) == before


def test_wrong_cvr_check_digit_is_shown_next_to_the_field(signup_client, db):
    before = counts(db)
    response = post_form(signup_client, cvr="12345678")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="cvr-error">Forkert kontrolciffer', page)
    assert 'value="12345678"' in page and 'value="Pizzeria Napoli"' in page
    assert counts(db) == before


def test_markup_is_refused_and_never_echoed_raw(signup_client, db):
    before = counts(db)
    response = post_form(signup_client, name="<script>alert(1)</script>")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page and "Må ikke indeholde HTML" in page
    assert counts(db) == before


def test_request_size_limit_gives_a_danish_413(signup_client, db):
    before = counts(db)
    token = csrf_token(signup_client.get("/virksomhed/tilmeld").get_data(as_text=True))
    response = signup_client.post("/virksomhed/tilmeld", data=form_data(token, **{"openings-0-tasks": "x" * 300_000}))
    assert response.status_code == 413 and "For meget tekst" in response.get_data(as_text=True)
    assert counts(db) == before


def test_rate_limit_per_client_gives_a_danish_429(config, db):
    from web import create_app
    app = create_app(config.with_(signup_rate_limit="2 per hour"))
    app.config.update(TESTING=True)
    client = app.test_client()
    assert post_form(client).status_code == 302
    assert post_form(client).status_code == 302
    assert client.get("/virksomhed/tilmeld").status_code == 200  # only POST is limited
    response = post_form(client)
    assert response.status_code == 429 and "For mange forsøg" in response.get_data(as_text=True)


def test_missing_csrf_token_gives_a_danish_page(signup_client, db):
    before = counts(db)
    data = form_data("forkert")
    response = signup_client.post("/virksomhed/tilmeld", data=data)
    assert response.status_code == 400 and "Siden er udløbet" in response.get_data(as_text=True)
    assert counts(db) == before


def _register_and_get_link(client, db) -> str:
    post_form(client)
    return _link_from(_outbox(db)[-1]["body_text"])


def test_update_link_prefills_and_closing_takes_effect_at_once(signup_client, db, make_consultant):
    _register_and_get_link(signup_client, db)
    make_consultant()
    login(signup_client)
    _approve_all(signup_client, db)
    link = _link_from(_outbox(db)[-1]["body_text"])  # approval rotates the nonce and mails a new link
    path = link.split("5000", 1)[1]
    page = signup_client.get(path).get_data(as_text=True)
    assert 'value="Pizzeria Napoli"' in page and 'value="Køkkenhjælp"' in page and "Luk dette småjob" in page
    opening_id = re.search(r'name="openings-0-opening_id" type="hidden" value="([^"]+)"', page).group(1)
    data = form_data(csrf_token(page), **{"openings-0-opening_id": opening_id, "openings-0-close": "y"})
    response = signup_client.post(path, data=data)
    assert response.status_code == 200 and "Tak, vi har modtaget ændringerne" in response.get_data(as_text=True)
    assert registry.get_opening(db, opening_id)["active"] is False
    assert registry.matchable_employers(db) == []
    [reg] = signups.pending_registrations(db)
    assert reg["source"] == "update_link" and [o["id"] for o in reg["diff"]["openings"]["closed"]] == [opening_id]
    receipt = _outbox(db)[-1]
    assert receipt["subject"] == "Vi har modtaget jeres ændringer" and "/virksomhed/opdater/" in receipt["body_text"]


def test_update_link_refuses_expired_tampered_and_revoked_tokens(signup_client, db, config):
    link = _register_and_get_link(signup_client, db)
    token = link.rsplit("/", 1)[1]
    employer_id, nonce = read_update_token(config.secret_key, token)
    old = make_update_token(config.secret_key, employer_id, nonce, now=datetime.now(timezone.utc) - timedelta(days=31))
    assert read_update_token(config.secret_key, old) is None
    response = signup_client.get(f"/virksomhed/opdater/{old}")
    assert response.status_code == 404 and "Linket virker ikke" in response.get_data(as_text=True)
    assert signup_client.get(f"/virksomhed/opdater/{token[:-2]}xx").status_code == 404
    assert signup_client.get(f"/virksomhed/opdater/{token}").status_code == 200
    signups.rotate_link_nonce(db, employer_id)
    assert signup_client.get(f"/virksomhed/opdater/{token}").status_code == 404
    # A token signed for another purpose (salt) is refused too.
    from itsdangerous import URLSafeTimedSerializer
    other = URLSafeTimedSerializer(config.secret_key, salt="other").dumps({"e": employer_id, "n": nonce})
    assert read_update_token(config.secret_key, other) is None


def test_public_form_cannot_touch_another_employers_opening(signup_client, db):
    post_form(signup_client)
    first = signups.employer_by_cvr(db, VALID_CVR)["openings"][0]
    post_form(signup_client, cvr=OTHER_CVR, email="x@andet.dk",
              **{"openings-0-opening_id": first["id"], "openings-0-title": "Overtaget"})
    assert registry.get_opening(db, first["id"])["title"] == "Køkkenhjælp"
    assert signups.employer_by_cvr(db, OTHER_CVR)["openings"][0]["id"] != first["id"]


def test_link_mail_is_delivered_over_smtp_and_the_link_works(signup_client, db, config, smtp_server):
    from email.header import decode_header, make_header

    from jobs.mail import deliver_outbox
    post_form(signup_client)
    smtp_config = config.with_(mail_transport="smtp", smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    assert deliver_outbox(db, smtp_config) == 1
    [message] = smtp_server.messages
    assert message["To"] == "ali@pizzeria.dk"
    assert str(make_header(decode_header(message["Subject"]))) == "Tak for jeres tilmelding til småjobs"
    parts = [p for p in message.walk() if not p.is_multipart()]
    assert [p.get_content_type() for p in parts] == ["text/plain"]
    body = parts[0].get_payload(decode=True).decode(parts[0].get_content_charset())
    link = _link_from(body)
    assert link.startswith(config.base_url)
    page = signup_client.get(link[len(config.base_url):])
    assert page.status_code == 200 and 'value="Pizzeria Napoli"' in page.get_data(as_text=True)


def test_a_company_never_approved_is_replaced_by_its_newest_submission_from_the_same_address(signup_client, db):
    post_form(signup_client)
    post_form(signup_client, name="Pizzeria Napoli 2")  # from another address: see the take-over tests below
    assert counts(db)["employers"] == 1
    employer = signups.employer_by_cvr(db, VALID_CVR)
    assert employer["name"] == "Pizzeria Napoli 2" and employer["status"] == "pending"
    statuses = [r["status"] for r in db.query("SELECT status FROM registrations ORDER BY id")]
    assert statuses == ["superseded", "pending"]
    [pending] = signups.pending_registrations(db)
    assert pending["kind"] == "new" and pending["diff"]["fields"][0]["field"] == "name"
    # The address on record: the link goes there at once.
    assert "/virksomhed/opdater/" in _outbox(db)[-1]["body_text"]
    superseded = db.execute("SELECT id FROM registrations WHERE status = 'superseded'").fetchone()[0]
    try:
        signups.approve(db, superseded, consultant_id=None)
    except Invalid:
        pass
    else:
        raise AssertionError("a superseded registration must not be approvable")


def test_email_text_never_carries_markup(config):
    from web.signup import compose_email
    employer = {"id": "v-1", "name": "<b>Pizza</b>\r\nBcc: x@evil.dk", "contact_name": "<script>Ali</script>",
                "contact_email": "ali@pizzeria.dk"}
    for purpose in ("received", "updated", "approved"):
        message = compose_email(config, purpose)(employer, "nonce", True)
        assert "<" not in message["body_text"] and ">" not in message["body_text"]
        assert "\n" not in message["subject"] and "Bcc: x@evil.dk\n" not in message["body_text"]


# --- re-registration from another address (issue 9, finding 1) -----------------------------------

def _path(link: str) -> str:
    return link.split("5000", 1)[1]


def test_a_pending_registration_cannot_be_taken_over_from_another_address(signup_client, db, make_consultant):
    post_form(signup_client)
    owners_link = _link_from(_outbox(db)[-1]["body_text"])
    response = post_form(signup_client, name="Falsk Napoli", email="angriber@example.dk")
    assert response.status_code == 302
    # What the first contact wrote stands; the stranger gets no link.
    employer = signups.employer_by_cvr(db, VALID_CVR)
    assert employer["name"] == "Pizzeria Napoli" and employer["contact_email"] == "ali@pizzeria.dk"
    strangers_mail = _outbox(db)[-1]
    assert strangers_mail["to_addr"] == "angriber@example.dk"
    assert "/virksomhed/opdater/" not in strangers_mail["body_text"]
    # Both wait for a consultant, the stranger's as a change from another address.
    first, second = signups.pending_registrations(db)
    assert (first["kind"], first["other_sender"]) == ("new", False)
    assert (second["kind"], second["other_sender"]) == ("update", True)
    make_consultant()
    login(signup_client)
    page = signup_client.get(f"/nye-virksomheder/{second['id']}").get_data(as_text=True)
    assert "Sendt fra en anden e-mailadresse end den, vi har" in page and "Falsk Napoli" in page
    # Approving the first contact's registration rotates the nonce: a link handed out before no
    # longer works, and the approval e-mail brings the only working link, to the address on record.
    approve_page = signup_client.get(f"/nye-virksomheder/{first['id']}").get_data(as_text=True)
    signup_client.post(f"/nye-virksomheder/{first['id']}/godkend", data={"csrf_token": csrf_token(approve_page)})
    assert signup_client.get(_path(owners_link)).status_code == 404
    approved_mail = _outbox(db)[-1]
    assert approved_mail["to_addr"] == "ali@pizzeria.dk"
    assert signup_client.get(_path(_link_from(approved_mail["body_text"]))).status_code == 200
    assert [r["id"] for r in signups.pending_registrations(db)] == [second["id"]]


def test_rejecting_a_change_from_another_address_leaves_the_company_waiting(signup_client, db, make_consultant):
    post_form(signup_client)
    post_form(signup_client, email="angriber@example.dk")
    make_consultant()
    login(signup_client)
    stranger = signups.pending_registrations(db)[-1]
    page = signup_client.get(f"/nye-virksomheder/{stranger['id']}").get_data(as_text=True)
    signup_client.post(f"/nye-virksomheder/{stranger['id']}/afvis", data={"csrf_token": csrf_token(page)})
    assert signups.employer_by_cvr(db, VALID_CVR)["status"] == "pending"
    assert [r["other_sender"] for r in signups.pending_registrations(db)] == [False]


def test_a_rejected_registration_is_not_replaced_from_another_address(signup_client, db, make_consultant):
    post_form(signup_client)
    make_consultant()
    login(signup_client)
    [reg] = signups.pending_registrations(db)
    page = signup_client.get(f"/nye-virksomheder/{reg['id']}").get_data(as_text=True)
    signup_client.post(f"/nye-virksomheder/{reg['id']}/afvis", data={"csrf_token": csrf_token(page)})
    post_form(signup_client, name="Falsk Napoli", email="angriber@example.dk")
    employer = signups.employer_by_cvr(db, VALID_CVR)
    assert (employer["name"], employer["contact_email"]) == ("Pizzeria Napoli", "ali@pizzeria.dk")
    assert "/virksomhed/opdater/" not in _outbox(db)[-1]["body_text"]


def test_a_stranger_cannot_push_aside_the_contacts_own_pending_change(signup_client, db, make_consultant):
    post_form(signup_client)
    make_consultant()
    login(signup_client)
    _approve_all(signup_client, db)
    post_form(signup_client, name="Pizzeria Napoli ApS")  # the contact on record
    post_form(signup_client, name="Falsk Napoli", email="angriber@example.dk")
    names = [r["payload"]["name"] for r in signups.pending_registrations(db)]
    assert names == ["Pizzeria Napoli ApS", "Falsk Napoli"]


def test_a_new_contact_email_sent_through_the_link_gets_no_link_before_approval(signup_client, db, make_consultant):
    post_form(signup_client)
    make_consultant()
    login(signup_client)
    _approve_all(signup_client, db)
    link = _link_from(_outbox(db)[-1]["body_text"])
    page = signup_client.get(_path(link)).get_data(as_text=True)
    opening_id = re.search(r'name="openings-0-opening_id" type="hidden" value="([^"]+)"', page).group(1)
    signup_client.post(_path(link), data=form_data(csrf_token(page), email="ny@example.dk",
                                                   **{"openings-0-opening_id": opening_id}))
    receipt = _outbox(db)[-1]
    assert receipt["subject"] == "Vi har modtaget jeres ændringer"
    assert "/virksomhed/opdater/" not in receipt["body_text"]
