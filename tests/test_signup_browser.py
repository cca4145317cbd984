"""The employer form in real Chromium: a new employer registers (with one mistake it corrects), a
consultant approves, and the opening reaches the matches of a citizen it fits - and not of one it
cannot serve. Also the form on a phone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from data.registry import import_document
from smajobs.matching import match_service
from tests.conftest import PASSWORD

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

    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill("konsulent@example.dk")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
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


def test_form_works_on_a_phone(live_server, browser, tmp_path):
    context = browser.new_context(locale="da-DK", viewport={"width": 375, "height": 812}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/virksomhed/tilmeld")
        # Nothing is wider than the screen: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert page.get_by_label("Virksomhedens navn").bounding_box()["width"] > 250
        # The honeypot is not visible to people.
        assert not page.locator("#website").is_visible() or page.locator("#website").bounding_box()["x"] < 0
        page.screenshot(path=str(tmp_path / "tilmeld-mobil.png"), full_page=False)
        page.get_by_role("button", name="Send tilmelding").click()
        expect(page.locator("#name-error")).to_contain_text("Skriv virksomhedens navn")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.screenshot(path="/tmp/tilmeld-mobil-fejl.png", full_page=False)
    finally:
        context.close()
