"""The employer's path around the form: rate limits that count real submissions, removing an
opening, the error list at the top, a new private link (from a consultant or asked for on the
public page), the rejection e-mail, the registry's status and pages, and the public postcode
look-up. Flask client against a real SQLite file; e-mails are read from the real outbox."""
from __future__ import annotations

import re

import pytest

from data import registry, signups
from data.signups import counts
from core.config import ConfigError
from tests.conftest import login
from tests.records import employer as employer_record
from tests.records import opening as opening_record
from tests.signup_helpers import (OTHER_CVR, VALID_CVR, csrf_token, form_data, post_form, signup_app,  # noqa: F401
                                  signup_client)
from web.signup import read_update_token

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def _app(config, **settings):
    from web import create_app
    app = create_app(config.with_(**settings))
    app.config.update(TESTING=True)
    return app


def _outbox(db):
    return list(db.query("SELECT * FROM outbox ORDER BY id"))


def _link_from(body: str) -> str:
    return re.search(r"http://\S+/virksomhed/opdater/\S+", body).group(0)


def _path(link: str) -> str:
    return "/virksomhed/opdater/" + link.rsplit("/", 1)[1]


def _add_opening_data(token: str, **overrides) -> dict:
    data = form_data(token, **overrides)
    del data["submit"]
    data["add_opening"] = "Tilføj endnu et småjob"
    return data


def _approved_employer(client, db, consultant_id: int, **kwargs) -> dict:
    post_form(client, **kwargs)
    cvr = kwargs.get("cvr", VALID_CVR)
    employer = signups.employer_by_cvr(db, cvr)
    [registration_id] = [r["id"] for r in signups.pending_registrations(db) if r["employer_id"] == employer["id"]]
    signups.approve(db, registration_id, consultant_id)
    return signups.employer_by_cvr(db, cvr)


# --- 1. rate limits --------------------------------------------------------------------------

def test_only_real_submissions_count_against_the_rate_limit(config, db):
    client = _app(config, signup_rate_limit="2 per hour", signup_flood_limit="1000 per hour").test_client()
    token = csrf_token(client.get("/virksomhed/tilmeld").get_data(as_text=True))
    for _ in range(5):  # five openings added: not submissions
        assert client.post("/virksomhed/tilmeld", data=_add_opening_data(token)).status_code == 200
    for _ in range(3):  # mistakes: not submissions either
        assert client.post("/virksomhed/tilmeld", data=form_data(token, cvr="12345678")).status_code == 400
    assert post_form(client).status_code == 302
    assert post_form(client, cvr=OTHER_CVR, email="b@bager.dk").status_code == 302
    before = counts(db)

    response = client.post("/virksomhed/tilmeld", data=form_data(
        token, cvr="87654303", name="Tredje Café", **{"openings-0-title": "Opvasker"}))
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "For mange forsøg" in page and "Alt, hvad I har skrevet, står stadig i formularen" in page
    # Everything typed is still in the form, which can be sent again later.
    assert 'value="Tredje Café"' in page and 'value="Opvasker"' in page and 'value="87654303"' in page
    assert 'name="csrf_token"' in page and "Send tilmelding" in page
    assert counts(db) == before


def test_the_flood_limit_counts_every_post_and_keeps_what_was_typed(config, db):
    client = _app(config, signup_rate_limit="100 per hour", signup_flood_limit="3 per hour").test_client()
    token = csrf_token(client.get("/virksomhed/tilmeld").get_data(as_text=True))
    for _ in range(3):
        assert client.post("/virksomhed/tilmeld", data=_add_opening_data(token, name="Bageriet")).status_code == 200
    response = client.post("/virksomhed/tilmeld", data=_add_opening_data(token, name="Bageriet"))
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and "For mange forsøg" in page and 'value="Bageriet"' in page
    assert client.get("/virksomhed/tilmeld").status_code == 200  # reading the form is never limited


def test_limits_are_per_client_address(config, db):
    client = _app(config, signup_rate_limit="1 per hour").test_client()
    assert post_form(client).status_code == 302
    assert post_form(client, cvr=OTHER_CVR).status_code == 429
    other = {"REMOTE_ADDR": "10.0.0.7"}
    token = csrf_token(client.get("/virksomhed/tilmeld", environ_base=other).get_data(as_text=True))
    response = client.post("/virksomhed/tilmeld", data=form_data(token, cvr=OTHER_CVR), environ_base=other)
    assert response.status_code == 302


def test_an_unreadable_limit_setting_stops_the_app_with_its_name(config):
    with pytest.raises(ConfigError, match="SMAJOBS_SIGNUP_FLOOD_LIMIT"):
        _app(config, signup_flood_limit="mange")


# --- 2. removing an opening ------------------------------------------------------------------

def test_remove_opening_keeps_everything_else_and_renumbers(signup_client, db):
    before = counts(db)
    token = csrf_token(signup_client.get("/virksomhed/tilmeld").get_data(as_text=True))
    data = form_data(token, openings=3, name="Bageriet")
    del data["submit"]
    data["remove_opening"] = "1"
    response = signup_client.post("/virksomhed/tilmeld", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Småjob 2 er fjernet" in page and 'class="error"' not in page
    assert 'value="Bageriet"' in page and 'value="Køkkenhjælp"' in page
    assert "Opvasker 1" not in page
    # The third opening is now the second, with its own answers.
    assert re.search(r'name="openings-1-title"[^>]*value="Opvasker 2"', page)
    assert 'name="openings-2-title"' not in page and "Småjob 3" not in page
    assert counts(db) == before

    # Sending the smaller form stores exactly the openings left.
    response = signup_client.post("/virksomhed/tilmeld", data=form_data(
        token, openings=2, **{"openings-1-title": "Opvasker 2"}))
    assert response.status_code == 302
    assert [o["title"] for o in signups.employer_by_cvr(db, VALID_CVR)["openings"]] == ["Køkkenhjælp", "Opvasker 2"]


def test_the_last_opening_cannot_be_removed(signup_client, db):
    token = csrf_token(signup_client.get("/virksomhed/tilmeld").get_data(as_text=True))
    page = signup_client.get("/virksomhed/tilmeld").get_data(as_text=True)
    assert "Fjern dette småjob" not in page  # one opening: no button
    data = form_data(token)
    del data["submit"]
    data["remove_opening"] = "0"
    page = signup_client.post("/virksomhed/tilmeld", data=data).get_data(as_text=True)
    assert 'value="Køkkenhjælp"' in page and "er fjernet" not in page
    for bad in ("7", "x", "-1"):
        data["remove_opening"] = bad
        response = signup_client.post("/virksomhed/tilmeld", data=data)
        assert response.status_code == 200 and 'value="Køkkenhjælp"' in response.get_data(as_text=True)


def test_a_stored_opening_is_closed_not_removed(signup_client, db):
    post_form(signup_client)
    link = _link_from(_outbox(db)[-1]["body_text"])
    page = signup_client.get(_path(link)).get_data(as_text=True)
    token = csrf_token(page)
    stored_id = re.search(r'name="openings-0-opening_id" type="hidden" value="([^"]+)"', page).group(1)
    data = form_data(token, openings=2, **{"openings-0-opening_id": stored_id})
    del data["submit"]
    data["remove_opening"] = "0"  # the stored one: refused
    page = signup_client.post(_path(link), data=data).get_data(as_text=True)
    assert f'value="{stored_id}"' in page and "er fjernet" not in page
    assert page.count("Fjern dette småjob") == 1  # only the new, unsaved opening has the button
    data["remove_opening"] = "1"
    page = signup_client.post(_path(link), data=data).get_data(as_text=True)
    assert "Småjob 2 er fjernet" in page and f'value="{stored_id}"' in page and "Opvasker 1" not in page


def test_enter_sends_the_form_because_the_first_submit_button_is_send(signup_client):
    page = signup_client.get("/virksomhed/tilmeld").get_data(as_text=True)
    form = page[page.index("<form"):]
    first_button = re.search(r'<(button|input)[^>]*type="submit"[^>]*>', form).group(0)
    assert 'name="submit"' in first_button and "add_opening" not in first_button
    assert 'tabindex="-1"' in first_button


# --- 3. the error list -----------------------------------------------------------------------

def test_every_error_is_listed_at_the_top_as_a_link_to_its_field(signup_client, db):
    token = csrf_token(signup_client.get("/virksomhed/tilmeld").get_data(as_text=True))
    data = form_data(token, openings=2, name="", **{"openings-1-tasks": ""})
    del data["candidate_info"]
    response = signup_client.post("/virksomhed/tilmeld", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    notice = page[page.index('id="fejl"'):page.index("<form")]
    assert 'tabindex="-1"' in page[page.index('<div class="notice"'):page.index('id="fejl"') + 40]
    links = [(target, re.sub(r"<[^>]+>", "", text)) for target, text in re.findall(r'<a href="#([^"]+)">(.+?)</a>', notice)]
    assert links == [
        ("name", "Virksomhedens navn: Skriv virksomhedens navn."),
        ("openings-1-tasks", "Småjob 2: Hvad skal man lave? Beskriv kort opgaverne, fx opvask og rengøring af borde."),
        ("candidate_info-0", "Hvor meget vil I vide om kandidaten på forhånd? Vælg en af mulighederne."),
    ]
    for target, _ in links:  # every link leads to an element on the page
        assert f'id="{target}"' in page
    assert "(3)" in notice
    assert not INLINE_SCRIPT.search(page)  # the Content-Security-Policy allows scripts from files only
    assert "/static/signup_form.js" in page


def test_a_cvr_error_links_to_the_cvr_field(signup_client):
    page = post_form(signup_client, cvr="12345678").get_data(as_text=True)
    assert re.search(r'<a href="#cvr"><strong>CVR-nummer:</strong> Forkert kontrolciffer', page)


# --- 4. a new private link -------------------------------------------------------------------

def test_consultant_sends_a_new_link_to_the_contact_on_record(signup_client, db, config, make_consultant):
    consultant = make_consultant()
    employer = _approved_employer(signup_client, db, consultant)
    login(signup_client)
    page = signup_client.get(f"/virksomheder/{employer['id']}").get_data(as_text=True)
    assert "Send nyt link til kontaktpersonen" in page
    before = len(_outbox(db))
    assert signup_client.post(f"/virksomheder/{employer['id']}/nyt-link").status_code == 400  # no CSRF
    assert len(_outbox(db)) == before
    response = signup_client.post(f"/virksomheder/{employer['id']}/nyt-link", data={"csrf_token": csrf_token(page)},
                                  follow_redirects=True)
    assert "Et nyt link er sendt til ali@pizzeria.dk" in response.get_data(as_text=True)
    mail = _outbox(db)[-1]
    assert mail["to_addr"] == "ali@pizzeria.dk" and mail["subject"] == "Jeres nye link til småjobs"
    link = _link_from(mail["body_text"])
    assert read_update_token(config.secret_key, link.rsplit("/", 1)[1])[0] == employer["id"]
    assert signup_client.get(_path(link)).status_code == 200
    assert signup_client.post("/virksomheder/findes-ikke/nyt-link",
                              data={"csrf_token": csrf_token(page)}).status_code == 404


def test_send_link_needs_a_login(signup_client, db):
    post_form(signup_client)
    employer = signups.employer_by_cvr(db, VALID_CVR)
    token = csrf_token(signup_client.get("/virksomhed/tilmeld").get_data(as_text=True))  # a valid token, no login
    response = signup_client.post(f"/virksomheder/{employer['id']}/nyt-link", data={"csrf_token": token})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert len(_outbox(db)) == 1  # only the receipt


def test_expired_link_page_offers_a_new_link(signup_client, db):
    response = signup_client.get("/virksomhed/opdater/noget-forkert")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Linket virker ikke" in page and "Få et nyt link" in page
    assert 'action="/virksomhed/nyt-link"' in page and "CVR-nummer eller e-mail" in page


def _ask_for_link(client, who: str, environ=None):
    token = csrf_token(client.get("/virksomhed/nyt-link").get_data(as_text=True))
    return client.post("/virksomhed/nyt-link", data={"csrf_token": token, "who": who},
                       environ_base=environ or {})


def test_public_link_request_mails_only_the_address_on_record(signup_client, db, make_consultant):
    consultant = make_consultant()
    employer = _approved_employer(signup_client, db, consultant)
    before = len(_outbox(db))

    known = _ask_for_link(signup_client, "12 34 56 74")
    assert known.status_code == 200
    [mail] = _outbox(db)[before:]
    assert mail["to_addr"] == "ali@pizzeria.dk" and mail["subject"] == "Jeres nye link til småjobs"
    assert signup_client.get(_path(_link_from(mail["body_text"]))).status_code == 200

    unknown = _ask_for_link(signup_client, OTHER_CVR)
    typed = _ask_for_link(signup_client, "angriber@evil.dk")
    # The answer is the same whatever was typed: nothing tells which companies exist.
    assert known.get_data() == unknown.get_data() == typed.get_data()
    assert len(_outbox(db)) == before + 1
    assert all(m["to_addr"] != "angriber@evil.dk" for m in _outbox(db))

    # The e-mail on record works too (any case); one e-mail per company per hour is enough.
    assert _ask_for_link(signup_client, "ALI@pizzeria.dk").get_data() == known.get_data()
    assert len(_outbox(db)) == before + 1
    assert signups.current_nonce(db, employer["id"])  # the old link keeps working (no rotation)


def test_public_link_request_sends_nothing_for_a_company_not_approved(signup_client, db):
    post_form(signup_client)  # pending
    before = len(_outbox(db))
    assert _ask_for_link(signup_client, VALID_CVR).status_code == 200
    assert len(_outbox(db)) == before


def test_public_link_request_explains_bad_input_next_to_the_field(signup_client, db):
    before = counts(db)
    for typed, message in (("", "Skriv jeres CVR-nummer eller jeres e-mailadresse."),
                           ("1234", "Et CVR-nummer har otte cifre"),
                           ("12345678", "Et CVR-nummer har otte cifre"),
                           ("pizza", "Skriv et CVR-nummer (otte cifre) eller en e-mailadresse"),
                           ("ali@", "Skriv en gyldig e-mailadresse")):
        response = _ask_for_link(signup_client, typed)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, typed
        assert re.search(r'id="who-error">' + re.escape(message), page), typed
        assert f'value="{typed}"' in page or not typed
    assert counts(db) == before


def test_public_link_requests_are_rate_limited(config, db):
    client = _app(config, signup_link_rate_limit="2 per hour").test_client()
    assert _ask_for_link(client, OTHER_CVR).status_code == 200
    assert _ask_for_link(client, OTHER_CVR).status_code == 200
    response = _ask_for_link(client, OTHER_CVR)
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and "For mange forsøg" in page and f'value="{OTHER_CVR}"' in page


# --- 5. the rejection e-mail -----------------------------------------------------------------

def _reject(client, db, message: str | None = None):
    [reg] = signups.pending_registrations(db)
    page = client.get(f"/nye-virksomheder/{reg['id']}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page)}
    if message is not None:
        data["message"] = message
    return reg, client.post(f"/nye-virksomheder/{reg['id']}/afvis", data=data)


def test_a_rejected_company_gets_a_polite_email_with_the_consultants_message(signup_client, db, make_consultant):
    post_form(signup_client)
    make_consultant()
    login(signup_client)
    page = signup_client.get(f"/nye-virksomheder/{signups.pending_registrations(db)[0]['id']}").get_data(as_text=True)
    assert "Besked til virksomheden (valgfri)" in page
    reg, response = _reject(signup_client, db, "Vi har ingen borgere i jeres område lige nu.\nSkriv gerne igen til foråret.")
    assert response.status_code == 302
    assert signups.registration(db, reg["id"])["status"] == "rejected"
    mail = _outbox(db)[-1]
    assert mail["to_addr"] == "ali@pizzeria.dk" and mail["subject"] == "Om jeres tilmelding til småjobs"
    body = mail["body_text"]
    assert body.startswith("Hej Ali\n") and "Pizzeria Napoli" in body and "desværre" in body
    assert "Besked fra konsulenten:\nVi har ingen borgere i jeres område lige nu.\nSkriv gerne igen til foråret." in body
    assert "/virksomhed/tilmeld" in body and "<" not in body


def test_a_rejection_without_a_message_says_no_more_than_the_standard_text(signup_client, db, make_consultant):
    post_form(signup_client)
    make_consultant()
    login(signup_client)
    _reject(signup_client, db)
    body = _outbox(db)[-1]["body_text"]
    assert "Besked fra konsulenten" not in body and "desværre" in body


def test_a_rejected_change_tells_the_company_its_openings_stand(signup_client, db, make_consultant):
    consultant = make_consultant()
    _approved_employer(signup_client, db, consultant)
    post_form(signup_client, **{"openings-0-tasks": "Kun opvask"})  # a change that waits
    login(signup_client)
    _reject(signup_client, db)
    mail = _outbox(db)[-1]
    assert mail["subject"] == "Vi har ikke godkendt jeres ændringer" and "står, som de stod før" in mail["body_text"]
    assert signups.employer_by_cvr(db, VALID_CVR)["status"] == "approved"


def test_a_bad_rejection_message_keeps_the_text_and_decides_nothing(signup_client, db, make_consultant):
    post_form(signup_client)
    make_consultant()
    login(signup_client)
    before = len(_outbox(db))
    reg, response = _reject(signup_client, db, "Se <b>her</b>")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Må ikke indeholde HTML" in page and "Se &lt;b&gt;her&lt;/b&gt;" in page
    reg, response = _reject(signup_client, db, "x" * 1501)
    assert response.status_code == 400 and "Højst 1500 tegn." in response.get_data(as_text=True)
    assert signups.registration(db, reg["id"])["status"] == "pending" and len(_outbox(db)) == before


# --- 6. the registry: status and pages -------------------------------------------------------

def test_employer_page_shows_pending_and_rejected_status(signup_client, db, make_consultant):
    post_form(signup_client)
    make_consultant()
    login(signup_client)
    employer = signups.employer_by_cvr(db, VALID_CVR)
    page = signup_client.get(f"/virksomheder/{employer['id']}").get_data(as_text=True)
    assert "Afventer godkendelse" in page and "kommer ikke med i matchene" in page
    [reg] = signups.pending_registrations(db)
    assert f'href="/nye-virksomheder/{reg["id"]}"' in page
    _reject(signup_client, db)
    page = signup_client.get(f"/virksomheder/{employer['id']}").get_data(as_text=True)
    assert "Afvist" in page and "Afventer godkendelse" not in page


def test_an_approved_employer_page_shows_no_warning(signup_client, db, make_consultant):
    employer = _approved_employer(signup_client, db, make_consultant())
    login(signup_client)
    page = signup_client.get(f"/virksomheder/{employer['id']}").get_data(as_text=True)
    assert "Afventer godkendelse" not in page and "Afvist" not in page


def test_registry_is_paged_and_keeps_the_search(client, db, make_consultant):
    employers = [employer_record(id=f"bag-{i:03}", name=f"Bageri {i:03}", openings=[opening_record(id=f"bag-o-{i:03}")])
                 for i in range(60)]
    employers += [employer_record(id=f"piz-{i:03}", name=f"Pizza {i:03}", openings=[opening_record(id=f"piz-o-{i:03}")])
                  for i in range(5)]
    registry.import_document(db, {"employers": employers})
    make_consultant()
    login(client)

    first = client.get("/virksomheder").get_data(as_text=True)
    assert "65 virksomheder" in first and "side 1 af 2" in first
    assert first.count('data-label="Virksomhed"') == 50
    assert 'href="/virksomheder?side=2"' in first and "Næste" in first and "Forrige" not in first

    searched = client.get("/virksomheder?q=bageri&side=2").get_data(as_text=True)
    assert '60 virksomheder matcher "bageri"' in searched and "Viser 51–60" in searched
    assert searched.count('data-label="Virksomhed"') == 10 and "Bageri 059" in searched and "Pizza" not in searched
    assert 'href="/virksomheder?q=bageri&amp;side=1"' in searched and "Næste" not in searched

    assert "Bageri 000" in client.get("/virksomheder?side=abc").get_data(as_text=True)  # bad page: the first
    assert "Pizza 004" in client.get("/virksomheder?side=99").get_data(as_text=True)  # too far: the last
    small = client.get("/virksomheder?q=pizza").get_data(as_text=True)
    assert "5 virksomheder" in small and "Næste" not in small and "side 1 af" not in small


# --- 7. the public postcode look-up ----------------------------------------------------------

def test_public_postcode_lookup_needs_no_login(signup_client):
    response = signup_client.get("/virksomhed/postnummer/2200")
    assert response.status_code == 200 and response.get_json()["text"] == "2200 København N"
    unknown = signup_client.get("/virksomhed/postnummer/0001")
    assert unknown.status_code == 404 and unknown.get_json() == {"code": "0001", "known": False,
                                                                  "text": "Ukendt postnummer"}
    assert signup_client.get("/virksomhed/postnummer/abcd").status_code == 404
    page = signup_client.get("/virksomhed/tilmeld").get_data(as_text=True)
    assert 'data-postcode-lookup="/virksomhed/postnummer/0000"' in page and 'id="postcode-town"' in page
    assert "/static/postcode.js" in page


def test_postcode_lookups_are_rate_limited(config):
    client = _app(config, signup_postcode_rate_limit="2 per minute").test_client()
    assert client.get("/virksomhed/postnummer/2200").status_code == 200
    assert client.get("/virksomhed/postnummer/8000").status_code == 200
    limited = client.get("/virksomhed/postnummer/2200")
    assert limited.status_code == 429 and limited.get_json()["known"] is False


def test_the_town_is_shown_when_the_form_comes_back(signup_client):
    page = post_form(signup_client, name="").get_data(as_text=True)
    assert re.search(r'id="postcode-town" aria-live="polite">2200 København N<', page)


def test_no_link_button_for_an_employer_without_an_email(client, db, make_consultant):
    registry.import_document(db, {"employers": [employer_record()]})
    make_consultant()
    login(client)
    page = client.get("/virksomheder/emp-1").get_data(as_text=True)
    assert "Send nyt link til kontaktpersonen" not in page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # the log-out form's
    response = client.post("/virksomheder/emp-1/nyt-link", data={"csrf_token": token}, follow_redirects=True)
    assert "ingen e-mailadresse hos os" in response.get_data(as_text=True) and _outbox(db) == []


# --- 7. a private link that runs out while the form is being filled in -----------------------

SAME_SITE = {"HTTP_ORIGIN": "http://localhost", "HTTP_SEC_FETCH_SITE": "same-origin"}


def _expired_update_path(client, db, config, make_consultant) -> tuple[str, dict, str]:
    """(path of an update link signed 31 days ago, the employer, a CSRF token of this session)."""
    from datetime import datetime, timedelta, timezone

    from web.signup import make_update_token
    employer = _approved_employer(client, db, make_consultant())
    fresh = _link_from(_outbox(db)[-1]["body_text"])
    employer_id, nonce = read_update_token(config.secret_key, fresh.rsplit("/", 1)[1])
    old = make_update_token(config.secret_key, employer_id, nonce,
                            now=datetime.now(timezone.utc) - timedelta(days=31))
    token = csrf_token(client.get(_path(fresh)).get_data(as_text=True))
    return f"/virksomhed/opdater/{old}", employer, token


def _typed_changes(token: str, employer: dict) -> dict:
    return form_data(token, openings=2, name="Pizzeria Napoli og Søn",
                     **{"openings-0-opening_id": employer["openings"][0]["id"],
                        "openings-0-tasks": "Rulle pizzadej ud og skære løg i tern hver eftermiddag",
                        "openings-1-title": "Opvasker om aftenen", "openings-1-hours_max": "9",
                        "openings-1-need_quiet_environment": "kan", "talk_with": "begge"})


def _checked(page: str, name: str, value: str) -> bool:
    return any('checked' in tag and f'value="{value}"' in tag
               for tag in re.findall(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page))


def test_an_expired_link_keeps_everything_typed_and_stores_nothing(signup_client, db, config, make_consultant):
    path, employer, token = _expired_update_path(signup_client, db, config, make_consultant)
    before = counts(db)
    response = signup_client.post(path, data=_typed_changes(token, employer), environ_base=SAME_SITE)
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and counts(db) == before
    assert signups.pending_registrations(db) == []
    assert "Linket er udløbet, så intet er gemt." in page
    assert 'value="Pizzeria Napoli og Søn"' in page and 'value="Opvasker om aftenen"' in page
    assert "Rulle pizzadej ud og skære løg i tern hver eftermiddag</textarea>" in page
    assert re.search(r'<input[^>]*name="openings-1-hours_max"[^>]*value="9"', page)
    assert f'value="{employer["openings"][0]["id"]}"' in page
    assert _checked(page, "openings-1-need_quiet_environment", "kan")
    assert _checked(page, "openings-0-need_service_dog", "kan_ikke")
    assert _checked(page, "talk_with", "begge") and _checked(page, "languages", "tr")
    # The small form for a new link opens in another tab, so the typed form stays on screen.
    assert re.search(r'<form method="post" action="/virksomhed/nyt-link" target="_blank"', page)
    assert 'name="who"' in page and 'name="new_link"' in page
    assert "Tilføj endnu et småjob" not in page and "Fjern dette småjob" not in page
    assert not INLINE_SCRIPT.search(page) and "style=" not in page


def test_a_revoked_link_keeps_everything_typed_too(signup_client, db, config, make_consultant):
    employer = _approved_employer(signup_client, db, make_consultant())
    path = _path(_link_from(_outbox(db)[-1]["body_text"]))
    token = csrf_token(signup_client.get(path).get_data(as_text=True))
    signups.rotate_link_nonce(db, employer["id"])
    before = counts(db)
    page = signup_client.post(path, data=_typed_changes(token, employer), environ_base=SAME_SITE)
    assert page.status_code == 404 and counts(db) == before
    assert 'value="Opvasker om aftenen"' in page.get_data(as_text=True)


def test_a_form_posted_from_another_site_to_an_expired_link_shows_nothing_typed(signup_client, db, config,
                                                                                make_consultant):
    path, employer, token = _expired_update_path(signup_client, db, config, make_consultant)
    before = counts(db)
    for headers in ({"HTTP_ORIGIN": "https://ondt.example", "HTTP_SEC_FETCH_SITE": "cross-site"},
                    {"HTTP_REFERER": "https://ondt.example/side"}, {}):
        response = signup_client.post(path, data=_typed_changes(token, employer), environ_base=headers)
        page = response.get_data(as_text=True)
        assert response.status_code == 404 and "Linket virker ikke" in page
        assert "Opvasker om aftenen" not in page and "Pizzeria Napoli og Søn" not in page
        assert "Rulle pizzadej" not in page and 'name="new_link"' not in page
    assert counts(db) == before


def test_a_new_link_pasted_into_the_rescued_form_sends_it(signup_client, db, config, make_consultant):
    path, employer, token = _expired_update_path(signup_client, db, config, make_consultant)
    data = _typed_changes(token, employer)
    before = counts(db)
    wrong = signup_client.post(path, data={**data, "new_link": "http://localhost:5000/virksomhed/opdater/forkert"},
                               environ_base=SAME_SITE).get_data(as_text=True)
    assert counts(db) == before and 'aria-invalid="true"' in wrong and "Linket virker ikke." in wrong
    assert 'value="http://localhost:5000/virksomhed/opdater/forkert"' in wrong
    # The employer asks for a new link on the rescued page and pastes it in.
    assert _ask_for_link(signup_client, VALID_CVR).status_code == 200
    new_link = _link_from(_outbox(db)[-1]["body_text"])
    # A mistake in the form: the errors come back, and the form now posts to the new link.
    bad = signup_client.post(path, data={**data, "new_link": f"  {new_link} ", "contact_email": "ikke-en-mail"},
                             environ_base=SAME_SITE)
    assert bad.status_code == 400 and f'action="{_path(new_link)}"' in bad.get_data(as_text=True)
    assert signups.pending_registrations(db) == []
    response = signup_client.post(path, data={**data, "new_link": new_link}, environ_base=SAME_SITE)
    assert response.status_code == 200 and "Tak, vi har modtaget ændringerne" in response.get_data(as_text=True)
    [registration] = signups.pending_registrations(db)
    assert registration["employer_id"] == employer["id"] and registration["source"] == "update_link"
    assert registration["payload"]["name"] == "Pizzeria Napoli og Søn"
