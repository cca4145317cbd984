"""The consultant's day in real Chromium: log in, create a citizen with needs, read the match
list, start a placement and log an employer meeting; and the same pages on a phone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from data import placements, registry
from tests.conftest import BROWSER_TIMEOUT_MS, browser_login, scroll_width

pytestmark = pytest.mark.browser


def log_in(page, site: str) -> None:
    # Log-in lands on the first menu page ("I dag"); the citizens are one click away.
    browser_login(page, site)
    page.get_by_role("navigation").get_by_role("link", name="Mine borgere").click()
    expect(page.get_by_role("heading", name="Mine borgere")).to_be_visible()


def test_citizen_match_placement_and_meeting(site, page, db, tmp_path):
    log_in(page, site)
    page.get_by_role("link", name="Opret borger").click()
    page.get_by_label("Fornavn").fill("Jonas")
    postcode = page.get_by_label("Postnummer")
    postcode.press_sequentially("9999")
    expect(page.locator("#postcode-town")).to_have_text("Ukendt postnummer")
    postcode.fill("")
    postcode.press_sequentially("2200")
    expect(page.locator("#postcode-town")).to_have_text("2200 København N")
    page.get_by_label("Interesser").fill("madlavning, bage brød")
    page.get_by_label("Timer om ugen, mindst").fill("3")
    page.get_by_label("Timer om ugen, højst").fill("40")  # too many: the server says so
    page.get_by_label("Ingen tunge løft").check()
    page.get_by_label("Fleksible pauser").check()
    expect(page.get_by_text("Man må holde ekstra eller længere pauser")).to_be_visible()
    page.get_by_role("button", name="Gem borger").click()
    expect(page.locator("#hours_max-error")).to_contain_text("mellem 1 og 37")
    expect(page.get_by_label("Fornavn")).to_have_value("Jonas")
    expect(page.get_by_label("Fleksible pauser")).to_be_checked()
    page.get_by_label("Timer om ugen, højst").fill("10")
    page.get_by_role("button", name="Gem borger").click()
    expect(page.get_by_role("heading", name="Jonas")).to_be_visible()
    citizen_id = page.url.rsplit("/", 1)[1]
    assert registry.get_citizen(db, citizen_id)["needs"] == ["no_heavy_lifting", "flexible_breaks"]

    page.get_by_role("link", name="Find småjobs").first.click()
    first = page.locator("li.match").first
    expect(first.locator("ul.reasons li").first).to_be_visible()
    reason = first.locator("ul.reasons li").filter(has_text="km fra bopæl").first.inner_text()
    assert re.search(r"\d+(,\d)? km fra bopæl", reason)
    title = first.locator("h2").inner_text()
    first.get_by_role("link", name="Start forløb").click()

    expect(page.get_by_role("heading", name=re.compile("Nyt forløb"))).to_be_visible()
    expect(page.get_by_text(title.split(" – ")[0]).first).to_be_visible()
    page.get_by_label("Type forløb").select_option("virksomhedspraktik")
    page.get_by_label("Start", exact=True).fill("2026-02-02")
    page.get_by_label("Planlagt slut").fill("2026-04-27")
    page.get_by_label("Timer om ugen i alt").fill("6")
    page.get_by_label("Slutrapport senest").fill("2026-04-27")
    page.get_by_role("button", name="Gem forløb").click()
    expect(page.get_by_role("heading", name=re.compile("^Forløb:"))).to_be_visible()
    [placement] = placements.placements_of_citizen(db, citizen_id)

    page.get_by_role("link", name="Log møde").click()
    expect(page.get_by_label("Møde", exact=True)).to_have_value("first_employer")
    page.get_by_label("Dato").fill("2026-02-09")
    page.get_by_label("Deltagere").fill("Jonas, Karen, mesteren")
    page.get_by_label("Kort note").fill("Jonas faldt godt til")
    page.get_by_label("Ja", exact=True).check()
    page.get_by_label("Virksomhedens svar").fill("Ja, to lønnede timer fra marts")
    page.get_by_role("button", name="Gem møde").click()
    expect(page.get_by_text("Mødet er gemt.")).to_be_visible()
    expect(page.get_by_role("cell", name="Ja, to lønnede timer fra marts", exact=False)).to_be_visible()
    [meeting] = placements.meetings_of_placement(db, placement["id"])
    assert meeting["kind"] == "first_employer" and meeting["paid_hours_proposed"] is True
    page.screenshot(path=str(tmp_path / "forloeb.png"), full_page=True)


def test_phone_viewport(site, browser, tmp_path):
    context = browser.new_context(locale="da-DK", viewport={"width": 375, "height": 812}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        log_in(page, site)
        # The table turns into cards: labels come from data-label, nothing scrolls sideways.
        row = page.locator("table.responsive tbody tr").filter(has_text="Fatma")
        expect(row).to_be_visible()
        assert scroll_width(page) <= 375
        assert page.locator("table.responsive thead").is_hidden()
        row.get_by_role("link", name="Find småjobs").click()
        expect(page.locator("li.match").first).to_be_visible()
        assert scroll_width(page) <= 375
        button = page.locator("li.match").first.get_by_role("link", name="Start forløb")
        box = button.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["height"] >= 30
        page.locator("details#filtre > summary").click()   # folded on a phone, so the matches come first
        page.get_by_label("Kun med lønnede timer").check()
        page.get_by_role("button", name="Opdater listen").click()
        page.wait_for_url(re.compile(r"[?&]paid_only=1"))  # the new list, not the page before it
        expect(page.get_by_label("Kun med lønnede timer")).to_be_checked()
        page.screenshot(path=str(tmp_path / "telefon-match.png"), full_page=False)
    finally:
        context.close()
