"""Issue 12: the Resultater page in Chromium: its charts are drawn (inline SVG within the CSP),
the filters work, and axe-core (tests/axe.py) finds no violations."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.axe import describe, run_axe
from tests.conftest import browser_login, settled_layout
from tests.test_results import hand_data


def test_results_page_draws_its_charts_and_passes_axe(db, make_consultant, live_server, page):
    hand_data(db)
    make_consultant()
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None)
    browser_login(page, live_server)
    page.get_by_role("link", name="Resultater").click()
    expect(page.get_by_role("heading", name="Resultater", level=1)).to_be_visible()
    page.get_by_label("År").select_option("2025")
    page.get_by_role("button", name="Vis").click()
    expect(page.get_by_role("img", name="Lønnede timer", exact=True)).to_be_visible()
    for name in ("Afgangsstatus pr. målgruppe", "Status efter forløbet, med og uden lønnede timer",
                 "Praksisindikatorer", "Aktive borgere pr. konsulent"):
        expect(page.get_by_role("img", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="2025-K1")).to_be_visible()
    violations = run_axe(page)
    assert violations == [], describe(violations)
    # The whole year hides Q1's share (its 6 forløb would give away Q2's 3), so draw Q1 alone.
    page.get_by_label("Vis", exact=True).select_option("kvartal")
    page.get_by_label("Kvartal").select_option("1")
    page.get_by_role("button", name="Vis").click()
    expect(page.get_by_role("cell", name="2025-K2")).to_have_count(0)
    settled_layout(page)  # colours and sizes only once the stylesheet has loaded
    # The bars are drawn with their classes' colours (style.css), not left black by a blocked style.
    fill = page.locator("#chart-loennede-timer rect.seg-0").first.evaluate("e => getComputedStyle(e).fill")
    assert fill == "rgb(11, 92, 173)"
    assert page.locator("#chart-loennede-timer rect.seg-0").first.bounding_box()["width"] > 50
    assert blocked == []
    # Narrowing to a quarter without paid hours still draws and still passes.
    page.get_by_label("Kvartal").select_option("2")
    page.get_by_role("button", name="Vis").click()
    expect(page.get_by_role("cell", name="2025-K2")).to_be_visible()
    expect(page.get_by_role("cell", name="2025-K1")).to_have_count(0)
    violations = run_axe(page)
    assert violations == [], describe(violations)
