"""The employer form in real Chromium: a new employer registers (with one mistake it corrects), a
consultant approves, and the opening reaches the matches of a citizen it fits - and not of one it
cannot serve. Also the form on a phone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from data.registry import import_document
from data.matching import match_service
from tests.conftest import browser_login, scroll_width

pytestmark = pytest.mark.browser

CITIZENS = {"citizens": [
    {"id": "cit-fits", "first_name": "Fatma", "postcode": "2200", "interests": "madlavning, køkken",
     "hours_per_week": {"min": 3, "max": 10}, "shifts": ["day"], "max_travel_km": 5,
     "needs": ["flexible_breaks", "limited_danish"], "consultant": "konsulent@example.dk"},
    {"id": "cit-dog", "first_name": "Jonas", "postcode": "2200", "interests": "madlavning, køkken",
     "hours_per_week": {"min": 3, "max": 10}, "shifts": ["day"], "max_travel_km": 5,
     "needs": ["service_dog"], "consultant": "konsulent@example.dk"},
]}


def _need(page, label: str, answer: str):
    page.get_by_role("group", name=label).get_by_label(answer, exact=True).check()


def test_employer_registers_consultant_approves_and_the_right_citizen_matches(live_server, page, db, make_consultant):
    import_document(db, CITIZENS)
    make_consultant()
    page.goto(f"{live_server}/virksomhed/tilmeld")
    page.get_by_label("Virksomhedens navn").fill("Pizzeria Napoli")
    page.get_by_label("CVR-nummer").fill("12345678")  # wrong check digit
    page.get_by_label("Adresse").fill("Nørrebrogade 101")
    page.get_by_label("Postnummer").fill("2200")
    page.get_by_label("Branche", exact=True).select_option(label="Restaurationsvirksomhed")
    page.get_by_label("Tyrkisk").check()
    page.get_by_label("Kontaktperson").fill("Ali Demir")
    page.get_by_label("E-mail").fill("ali@pizzeria.dk")
    page.get_by_label("Telefon").fill("20 12 34 56")
    page.get_by_label("Hvad hedder jobbet?").fill("Køkkenhjælp")
    page.get_by_label("Hvad skal man lave?").fill("Skrælle grøntsager, lave pizzadej, tage opvask")
    page.get_by_label("Timer om ugen, mindst").fill("3")
    page.get_by_label("Timer om ugen, højst").fill("12")
    page.get_by_label("Aften").check()
    page.get_by_label("Ja, fra start").check()
    _need(page, "Fleksible pauser", "Kan")
    _need(page, "Begrænset dansk er ok", "Kan")
    _need(page, "Plads til servicehund", "Kan ikke")
    page.get_by_label("Lidt om personen og de hensyn, vi skal tage").check()
    page.get_by_label("Med konsulenten").check()
    page.get_by_label("Ja, I må kontakte os").check()
    page.get_by_label("Ja, I må gemme oplysningerne").check()
    page.get_by_role("button", name="Send tilmelding").click()

    error = page.locator("#cvr-error")
    expect(error).to_contain_text("kontrolciffer")
    assert page.get_by_label("Hvad hedder jobbet?").input_value() == "Køkkenhjælp"  # nothing lost
    assert page.get_by_role("group", name="Plads til servicehund").get_by_label("Kan ikke", exact=True).is_checked()
    page.get_by_label("CVR-nummer").fill("12345674")
    page.get_by_role("button", name="Send tilmelding").click()
    page.wait_for_url(f"{live_server}/virksomhed/tak")
    expect(page.get_by_role("heading", name="Tak for jeres tilmelding")).to_be_visible()
    assert match_service.match(db, "cit-fits").matches == ()  # not matched before approval

    browser_login(page, live_server)
    page.get_by_role("link", name="Nye virksomheder").click()
    page.get_by_role("link", name="Pizzeria Napoli").click()
    expect(page.get_by_text("Plads til servicehund").first).to_be_visible()
    page.get_by_role("button", name="Godkend").click()
    expect(page.get_by_text("Pizzeria Napoli er godkendt")).to_be_visible()

    opening_id = db.execute("SELECT id FROM openings WHERE title = 'Køkkenhjælp'").fetchone()[0]
    fits = match_service.match(db, "cit-fits")
    assert opening_id in [m.opening_id for m in fits.matches]
    dog = match_service.match(db, "cit-dog")
    assert opening_id not in [m.opening_id for m in dog.matches]
    # What the consultant sees: the new opening in Fatma's list, and not in Jonas's (service dog).
    page.goto(f"{live_server}/borgere/cit-fits/match")
    expect(page.locator("li.match").filter(has_text="Pizzeria Napoli")).to_be_visible()
    page.goto(f"{live_server}/borgere/cit-dog/match")
    expect(page.get_by_role("heading", name=re.compile("Jonas"))).to_be_visible()
    expect(page.get_by_text("Pizzeria Napoli")).to_have_count(0)


def test_form_works_on_a_phone(live_server, browser, tmp_path):
    context = browser.new_context(locale="da-DK", viewport={"width": 375, "height": 812}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/virksomhed/tilmeld")
        # Nothing is wider than the screen: no sideways scrolling on a phone.
        assert scroll_width(page) <= 375
        assert page.get_by_label("Virksomhedens navn").bounding_box()["width"] > 250
        # The honeypot is not visible to people.
        assert not page.locator("#website").is_visible() or page.locator("#website").bounding_box()["x"] < 0
        page.screenshot(path=str(tmp_path / "tilmeld-mobil.png"), full_page=False)
        page.get_by_role("button", name="Send tilmelding").click()
        expect(page.locator("#name-error")).to_contain_text("Skriv virksomhedens navn")
        assert scroll_width(page) <= 375
        page.screenshot(path=str(tmp_path / "tilmeld-mobil-fejl.png"), full_page=False)
    finally:
        context.close()


def _script_errors(page) -> list[str]:
    """Script exceptions and Content-Security-Policy refusals (a blocked script fails silently).
    Failed resources are left out: a page answered with 400 on purpose is logged as one."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    return errors


def test_enter_in_a_text_field_sends_the_form_and_the_error_list_leads_to_each_field(live_server, page):
    errors = _script_errors(page)
    page.goto(f"{live_server}/virksomhed/tilmeld")
    page.get_by_label("Virksomhedens navn").fill("Bageriet")
    page.get_by_label("Virksomhedens navn").press("Enter")

    notice = page.locator("#fejl")
    expect(notice).to_be_visible()
    expect(notice).to_be_focused()  # the static script moves focus to the list of errors
    expect(page.get_by_role("group", name="Småjob 2")).to_have_count(0)  # Enter added no empty opening
    expect(page.get_by_label("Virksomhedens navn")).to_have_value("Bageriet")

    cvr_link = notice.get_by_role("link", name="CVR-nummer: Skriv jeres CVR-nummer")
    expect(cvr_link).to_have_attribute("href", "#cvr")
    cvr_link.click()
    expect(page.get_by_label("CVR-nummer")).to_be_focused()
    notice.get_by_role("link", name="Småjob 1: Hvad hedder jobbet?").click()
    expect(page.get_by_label("Hvad hedder jobbet?")).to_be_focused()
    notice.get_by_role("link", name=re.compile("^Hvor meget vil I vide")).click()
    expect(page.get_by_label("Kun det nødvendige")).to_be_focused()
    assert errors == []  # no script blocked or broken (the Content-Security-Policy allows files only)


def test_postcode_shows_the_town_as_it_is_typed(live_server, page):
    page.goto(f"{live_server}/virksomhed/tilmeld")
    postcode = page.get_by_label("Postnummer")
    postcode.fill("2200")
    expect(page.locator("#postcode-town")).to_have_text("2200 København N")
    postcode.fill("0001")
    expect(page.locator("#postcode-town")).to_have_text("Ukendt postnummer")
    postcode.fill("22")
    expect(page.locator("#postcode-town")).to_have_text("Skriv fire cifre")


def test_an_added_opening_can_be_removed_again(live_server, page):
    page.goto(f"{live_server}/virksomhed/tilmeld")
    page.get_by_label("Virksomhedens navn").fill("Bageriet")
    page.get_by_label("Hvad hedder jobbet?").fill("Bagermedhjælper")
    page.get_by_role("button", name="Tilføj endnu et småjob").click()
    second = page.get_by_role("group", name="Småjob 2")
    expect(second).to_be_visible()
    second.get_by_label("Hvad hedder jobbet?").fill("Opvasker")
    second.get_by_role("button", name="Fjern dette småjob").click()
    expect(page.get_by_text("Småjob 2 er fjernet")).to_be_visible()
    expect(page.get_by_role("group", name="Småjob 2")).to_have_count(0)
    expect(page.get_by_label("Virksomhedens navn")).to_have_value("Bageriet")
    expect(page.get_by_label("Hvad hedder jobbet?")).to_have_value("Bagermedhjælper")
    expect(page.get_by_role("button", name="Fjern dette småjob")).to_have_count(0)  # never the last one


def test_a_link_that_runs_out_while_editing_keeps_the_changes_until_a_new_link_is_pasted(
        live_server, page, app, db, config, make_consultant):
    from data import signups
    from tests.signup_helpers import VALID_CVR, post_form
    from web.signup import compose_email, make_update_token, read_update_token
    post_form(app.test_client())
    employer = signups.employer_by_cvr(db, VALID_CVR)
    [registration] = signups.pending_registrations(db)
    # Approval rotates the link's nonce and mails the new link: that is the link used below.
    signups.approve(db, registration["id"], make_consultant(), compose_email=compose_email(config, "approved"))
    body = db.execute("SELECT body_text FROM outbox ORDER BY id DESC LIMIT 1").fetchone()[0]
    token = re.search(r"/virksomhed/opdater/(\S+)", body).group(1)
    assert read_update_token(config.secret_key, token)[0] == employer["id"]

    page.goto(f"{live_server}/virksomhed/opdater/{token}")
    page.get_by_label("Virksomhedens navn").fill("Pizzeria Napoli og Søn")
    page.get_by_label("Hvad skal man lave?").fill("Rulle pizzadej ud og skære løg")
    page.get_by_label("Ja, I må kontakte os").check()
    page.get_by_label("Ja, I må gemme oplysningerne").check()
    signups.rotate_link_nonce(db, employer["id"])  # the link stops working while they type
    page.get_by_role("button", name="Send tilmelding").click()

    expect(page.get_by_role("alert")).to_contain_text("Linket er udløbet, så intet er gemt.")
    expect(page.get_by_label("Virksomhedens navn")).to_have_value("Pizzeria Napoli og Søn")
    expect(page.get_by_label("Hvad skal man lave?")).to_have_value("Rulle pizzadej ud og skære løg")
    expect(page.get_by_label("Ja, I må gemme oplysningerne")).to_be_checked()
    assert signups.pending_registrations(db) == []

    new_token = make_update_token(config.secret_key, employer["id"], signups.current_nonce(db, employer["id"]))
    page.get_by_label("Nyt link fra e-mailen").fill(f"{config.base_url}/virksomhed/opdater/{new_token}")
    page.get_by_role("button", name="Send tilmelding").click()
    expect(page.get_by_role("heading", name="Tak, vi har modtaget ændringerne")).to_be_visible()
    [change] = signups.pending_registrations(db)
    assert change["payload"]["name"] == "Pizzeria Napoli og Søn"
