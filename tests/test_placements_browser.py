"""Issue 10 in real Chromium: a double placement refused and marked on the match list, a full
opening marked, cancelling a forløb, the reminder right after a meeting is saved, and the
overview of every forløb with its filters."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from data import placements
from data.matching import match_service
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def _first_match(db, citizen_id: str) -> str:
    return match_service.match(db, citizen_id, top=10).matches[0].opening_id


def test_double_placement_refused_and_marked(site, page, db):
    browser_login(page, site)
    opening = _first_match(db, "cit-sofie")
    page.goto(f"{site}/borgere/cit-sofie/match")
    card = page.locator("li.match").first
    card.get_by_role("link", name="Start forløb").click()
    page.get_by_label("Type forløb").select_option("virksomhedspraktik")
    page.get_by_label("Start", exact=True).fill("2026-02-02")
    page.get_by_label("Timer om ugen i alt").fill("6")
    page.get_by_role("button", name="Gem forløb").click()
    expect(page.get_by_text("Forløbet er oprettet.")).to_be_visible()

    page.goto(f"{site}/borgere/cit-sofie/match")
    card = page.locator("li.match").first
    expect(card.get_by_text("I forløb her")).to_be_visible()
    expect(card.get_by_role("link", name="Start forløb")).to_have_count(0)

    # Straight to the form again (an old tab, a bookmark): refused, and what was typed stays.
    page.goto(f"{site}/borgere/cit-sofie/forloeb/nyt?opening={opening}")
    page.get_by_label("Type forløb").select_option("smajob")
    page.get_by_label("Start", exact=True).fill("2026-03-02")
    page.get_by_label("Timer om ugen i alt").fill("7")
    page.get_by_role("button", name="Gem forløb").click()
    expect(page.locator("#opening_id-error")).to_contain_text("allerede et planlagt eller aktivt forløb")
    expect(page.get_by_label("Timer om ugen i alt")).to_have_value("7")
    assert len(placements.placements_of_citizen(db, "cit-sofie")) == 1


def test_full_opening_marked_and_confirmed(site, page, db):
    opening = _first_match(db, "cit-fatma")
    placements.create_placement(db, citizen_id="cit-sofie", opening_id=opening, kind="smajob",
                                start_date="2026-02-02", hours_per_week=5)
    browser_login(page, site)
    page.goto(f"{site}/borgere/cit-fatma/match")
    card = page.locator("li.match").first
    expect(card.get_by_text("Ingen ledige pladser")).to_be_visible()
    card.get_by_role("link", name="Start forløb").click()
    page.get_by_label("Type forløb").select_option("smajob")
    page.get_by_label("Start", exact=True).fill("2026-03-02")
    page.get_by_label("Timer om ugen i alt").fill("5")
    page.get_by_role("button", name="Gem forløb").click()
    expect(page.locator("#confirm_full-error")).to_contain_text("Ingen ledige pladser")
    page.get_by_label("Opret alligevel").check()
    page.get_by_role("button", name="Gem forløb").click()
    expect(page.get_by_text("Forløbet er oprettet.")).to_be_visible()


def test_cancel_a_forloeb(site, page, db):
    placement = placements.create_placement(db, citizen_id="cit-fatma", opening_id=_first_match(db, "cit-fatma"),
                                            kind="smajob", start_date="2026-02-02", hours_per_week=5)
    browser_login(page, site)
    page.goto(f"{site}/forloeb/{placement['id']}")
    page.get_by_label("Årsag (kan udelades)").fill("Oprettet på den forkerte borger")
    page.get_by_role("button", name="Annullér forløb").click()
    expect(page.get_by_text("Forløbet er annulleret.")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Annulleret")
    expect(page.locator("dl.facts")).to_contain_text("Oprettet på den forkerte borger")
    expect(page.get_by_role("button", name="Annullér forløb")).to_have_count(0)
    stored = placements.get_placement(db, placement["id"])
    assert stored["status"] == "cancelled" and stored["outcome"] is None


def test_reminder_right_after_the_meeting_is_saved(site, page, db):
    today = date.today()
    placement = placements.create_placement(
        db, citizen_id="cit-fatma", opening_id=_first_match(db, "cit-fatma"), kind="virksomhedspraktik",
        status="active", start_date=(today - timedelta(days=3)).isoformat(), hours_per_week=5)
    browser_login(page, site)
    expect(page.get_by_text("Foreslå lønnede timer")).to_have_count(0)
    page.goto(f"{site}/forloeb/{placement['id']}")
    page.get_by_role("link", name="Log møde").click()
    expect(page.get_by_label("Møde", exact=True)).to_have_value("first_employer")
    page.get_by_label("Dato").fill(today.isoformat())
    page.get_by_label("Nej", exact=True).check()
    page.get_by_role("button", name="Gem møde").click()
    expect(page.get_by_text("Mødet er gemt.")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="I dag").click()
    expect(page.get_by_text(re.compile("Foreslå lønnede timer for Fatma: det blev ikke foreslået"))).to_be_visible()


def test_overview_filters(site, page, db):
    fatma = placements.create_placement(db, citizen_id="cit-fatma", opening_id=_first_match(db, "cit-fatma"),
                                        kind="smajob", status="active", start_date="2026-01-05", hours_per_week=5)
    samir = placements.create_placement(db, citizen_id="cit-samir", opening_id=_first_match(db, "cit-samir"),
                                        kind="virksomhedspraktik", start_date="2026-03-02",
                                        planned_end_date="2026-05-01", hours_per_week=5)
    browser_login(page, site)
    page.get_by_role("navigation").get_by_role("link", name="Forløb").click()
    expect(page.get_by_role("heading", name="Forløb", exact=True)).to_be_visible()
    rows = page.locator("table.responsive tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Samir")  # newest start first
    page.get_by_label("Status").select_option("active")
    page.get_by_role("button", name="Vis").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Fatma")
    page.get_by_label("Status").select_option("")
    page.get_by_label("Type").select_option("virksomhedspraktik")
    page.get_by_role("button", name="Vis").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Samir")
    page.get_by_label("Type").select_option("")
    page.get_by_label("Periode fra").fill("2026-06-01")
    page.get_by_role("button", name="Vis").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Fatma")  # Samir's ends 1 May
    page.get_by_label("Periode fra").fill("")
    page.get_by_label("Sortér efter").select_option("no_meeting")
    page.get_by_role("button", name="Vis").click()
    expect(rows.first).to_contain_text("Fatma")  # no meeting since 5 January
    page.get_by_label("Periode fra").fill("2026-05-01")
    page.get_by_label("Periode til").fill("2026-04-01")
    page.get_by_role("button", name="Vis").click()
    expect(page.locator("#period_to-error")).to_have_text("Periodens slut ligger før dens start.")
