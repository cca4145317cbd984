"""The consultant's daily work in real Chromium: the printed shortlist (print-to-PDF, read back),
the match page on a phone, and axe-core on every page, the public employer form included."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from data import placements
from tests.axe import describe, run_axe
from tests.conftest import browser_login, scroll_width, settled_layout

pytestmark = pytest.mark.browser

FATMA = "cit-fatma"


@pytest.fixture
def site(site, make_consultant):
    """The shared demo site (tests/conftest.py), with the demo admin too."""
    make_consultant("admin@example.dk", "Anders Admin", role="admin")
    return site


def pdf_text(pdf: bytes) -> str:
    import io
    from pypdf import PdfReader
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_marked_matches_print_as_a_clean_a4_list_with_the_contact_and_no_menu(site, page, db):
    browser_login(page, site)
    page.goto(f"{site}/borgere/{FATMA}/match")
    cards = page.locator("li.match")
    first_title = cards.nth(0).locator("h2").inner_text()
    cards.nth(0).get_by_label("Med på listen").check()
    cards.nth(2).get_by_label("Med på listen").check()
    page.get_by_role("button", name="Udskriv").click()
    expect(page.get_by_role("heading", name="Småjobs til Fatma")).to_be_visible()
    expect(page.locator("li.match")).to_have_count(2)

    pdf = page.pdf(format="A4", print_background=False)   # Chromium's own print-to-PDF, print CSS on
    text = pdf_text(pdf)
    employer = first_title.split(" – ", 1)[1]
    contact = page.locator("li.match").first.locator("dt:text('Kontakt') + dd").inner_text()
    assert employer in text and contact.split(",")[0] in text
    assert "Adresse" in text and "Lønnede timer" in text and "Afstand" in text and "Derfor passer det" in text
    for not_on_paper in ("Mine borgere", "Log ud", "Udskriv", "Tilbage til listen", "Spring til indhold"):
        assert not_on_paper not in text, not_on_paper
    assert text.count("Adresse") == 2


def test_match_page_on_a_phone_folds_the_filters_and_shows_the_first_match_at_once(site, browser):
    context = browser.new_context(locale="da-DK", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        browser_login(page, site)
        page.goto(f"{site}/borgere/{FATMA}/match")
        filters = page.locator("details#filtre")
        expect(filters).not_to_have_attribute("open", "")
        expect(page.get_by_label("Radius (km)")).to_be_hidden()
        first = page.locator("li.match").first
        settled_layout(page)  # measure the styled page, not the one before its stylesheet loaded
        top = first.bounding_box()["y"]
        assert top < 400, top   # in sight without scrolling (it started 709 px down)
        assert scroll_width(page) <= 390
        filters.locator("summary").click()
        expect(page.get_by_label("Radius (km)")).to_be_visible()
    finally:
        context.close()


def test_filters_are_open_on_a_wide_screen(site, page):
    browser_login(page, site)
    page.goto(f"{site}/borgere/{FATMA}/match")
    expect(page.get_by_label("Radius (km)")).to_be_visible()


def _pages(site: str, db) -> list[str]:
    placement = placements.placements_of_citizen(db, "cit-sofie")
    pages = ["/i-dag", "/borgere", "/borgere/ny", f"/borgere/{FATMA}", f"/borgere/{FATMA}/rediger",
             f"/borgere/{FATMA}/match", f"/borgere/{FATMA}/match/udskrift",
             "/borgere/cit-samir/match?filtre=1&shifts=day&show_unknown=1",
             f"/borgere/{FATMA}/forloeb/nyt?opening=opn-98191", f"/borgere/{FATMA}/moeder/nyt",
             f"/borgere/{FATMA}/alle-data", f"/borgere/{FATMA}/slet", "/virksomheder", "/virksomheder/emp-98191",
             "/nye-virksomheder/", "/forloeb", "/resultater", "/konto/"]
    pages += [f"/forloeb/{p['id']}" for p in placement[:1]]
    return pages


ADMIN_PAGES = ["/borgere", "/forloeb", "/admin/konsulenter/", "/admin/konsulenter/ny", "/admin/adgangslog/", "/admin/drift/",
               "/admin/e-mails/", "/admin/laerte-koblinger/"]
PUBLIC_PAGES = ["/login", "/virksomhed/tilmeld", "/virksomhed/data", "/virksomhed/nyt-link"]


def _axe_each(page, site: str, paths: list[str]) -> dict[str, str]:
    found = {}
    for path in paths:
        response = page.goto(f"{site}{path}")
        assert response.status in (200, 400), (path, response.status)
        violations = run_axe(page)
        if violations:
            found[path] = describe(violations)
    return found


def test_axe_finds_nothing_on_the_public_pages(site, page):
    found = _axe_each(page, site, PUBLIC_PAGES)
    page.goto(f"{site}/virksomhed/tilmeld")
    page.get_by_role("button", name=re.compile("Send|Tilmeld")).first.click()   # the form with its errors
    if run_axe(page):
        found["/virksomhed/tilmeld (errors)"] = describe(run_axe(page))
    assert not found, "\n\n".join(f"{p}:\n{v}" for p, v in found.items())


def test_axe_finds_nothing_on_the_consultants_pages(site, page, db, client):
    from data import signups
    from tests.signup_helpers import post_form
    assert post_form(client).status_code == 302   # a registration waiting for approval
    [registration] = signups.pending_registrations(db)
    browser_login(page, site)
    found = _axe_each(page, site, _pages(site, db) + [f"/nye-virksomheder/{registration['id']}"])
    assert not found, "\n\n".join(f"{p}:\n{v}" for p, v in found.items())


def test_axe_finds_nothing_on_the_admins_pages(site, page, db):
    from data import taught_links
    taught_links.add(db, "espresso", "servering", created_by=None)   # Lærte koblinger with a row
    browser_login(page, site, "admin@example.dk")
    found = _axe_each(page, site, ADMIN_PAGES)
    assert not found, "\n\n".join(f"{p}:\n{v}" for p, v in found.items())


def test_axe_sees_a_violation_when_there_is_one(site, page):
    """The helper really runs axe (a test that cannot fail is no test)."""
    page.goto(f"{site}/login")
    page.evaluate("() => { document.querySelector('input').removeAttribute('id');"
                  " document.querySelectorAll('label').forEach(l => l.remove()); }")
    assert any(v["id"] == "label" for v in run_axe(page))
