"""Shared fixtures: a fresh SQLite file per test, the Flask app on it, a live server, real
Chromium through Playwright, and a real SMTP server on loopback."""
from __future__ import annotations

import json
import socket
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from data.db import connect
from core import clock as the_clock
from core.config import Config

ROOT = Path(__file__).resolve().parent.parent
DEMO_FILE = ROOT / "data" / "demo" / "demo.json"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"]
PASSWORD = "korrekt-hest-batteri"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MovableClock:
    """The one clock (core.clock) as a test sets it: `clock.set(moment)`, a naive moment read as
    Copenhagen time; until a moment is set it gives the real time."""

    def __init__(self) -> None:
        self.moment: datetime | None = None

    def set(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment if self.moment is not None else datetime.now(timezone.utc)


@pytest.fixture
def clock():
    """Fix the time for everything in the process: the code under test, the Flask test client
    and live_server's thread, the scheduler's threads. Reset after the test."""
    movable = MovableClock()
    the_clock.set_source(movable)
    yield movable
    the_clock.set_source(None)


@pytest.fixture(autouse=True)
def real_clock_after_each_test():
    """No fixed time leaks into the next test, whatever a test did with core.clock."""
    yield
    the_clock.set_source(None)


@pytest.fixture
def config(tmp_path) -> Config:
    return Config.load(
        db=str(tmp_path / "smajobs.db"), secret_key="test-secret", mail_dir=str(tmp_path / "mail"),
        base_url="http://127.0.0.1:5000",
    )


@pytest.fixture
def db(config):
    database = connect(config.db)
    yield database
    database.close()


@pytest.fixture
def demo_document() -> dict:
    return json.loads(DEMO_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def demo_db(db, demo_document):
    from data.registry import import_document
    import_document(db, demo_document)
    return db


@pytest.fixture
def site(live_server, demo_db, make_consultant):
    """The demo registry served over HTTP, with the demo citizens' consultant to log in as."""
    make_consultant("konsulent@example.dk", "Karen Konsulent")
    return live_server


@pytest.fixture
def app(config):
    from web import create_app
    application = create_app(config)
    application.config.update(TESTING=True)
    return application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_consultant(db):
    """make_consultant(email, role="consultant") -> id, with password PASSWORD."""
    from data.accounts import create_consultant
    from web.auth import hash_password

    def make(email: str = "konsulent@example.dk", name: str = "Karen Konsulent", role: str = "consultant") -> int:
        return create_consultant(db, email=email, name=name, password_hash=hash_password(PASSWORD), role=role)
    return make


# The authenticator app of every account a test has set one up for (see next_totp_code): e-mail
# -> {"secret": base32, "last": the last time step used}. Each test has a fresh database, so a
# set-up in a new test replaces the entry.
AUTHENTICATOR_APPS: dict[str, dict] = {}


def next_totp_code(email: str) -> str:
    """The code the account's app shows for the first time step not used yet, as a person would
    type it: now's step, or the next one (the app accepts one either side) when now's was used.
    With a real clock it waits for a new step rather than reuse one."""
    import time
    import pyotp
    app = AUTHENTICATOR_APPS[email]
    totp = pyotp.TOTP(app["secret"])
    for _ in range(65):
        now_step = int(the_clock.now().timestamp()) // 30
        step = max(now_step - 1, app["last"] + 1)
        if step <= now_step + 1:
            break
        # Every step near now is used: a real clock moves on by itself, a fixed one never does.
        assert abs(the_clock.now().timestamp() - time.time()) < 5, "all codes near the fixed clock are used"
        time.sleep(1)
    app["last"] = step
    return totp.generate_otp(step)


def _remember_app(email: str, secret_text: str) -> None:
    AUTHENTICATOR_APPS[email.lower()] = {"secret": "".join(secret_text.split()), "last": -1}


def browser_login(page, base_url: str, email: str = "konsulent@example.dk", password: str = PASSWORD) -> None:
    """Log in through the real form in Chromium and wait for the first page after it (I dag). An
    account that must use two factors sets its app up on first log-in, or types its code."""
    from playwright.sync_api import expect
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log ind").click()
    browser_second_factor(page, email)
    expect(page.get_by_role("heading", name="I dag")).to_be_visible()


def browser_second_factor(page, email: str) -> None:
    """After the password: set up the app (its secret read from the page, as a person would type
    it) or type its code, whichever the page asks for."""
    if "/konto/to-faktor" in page.url:
        _remember_app(email, page.locator("#hemmelighed").inner_text())
        page.get_by_label("Kode").fill(next_totp_code(email.lower()))
        page.get_by_role("button", name="Bekræft").click()
        page.get_by_role("link", name="Jeg har gemt koderne").click()
    elif "/login/kode" in page.url:
        page.get_by_label("Kode").fill(next_totp_code(email.lower()))
        page.get_by_role("button", name="Fortsæt").click()


def login(client, email: str = "konsulent@example.dk", password: str = PASSWORD):
    """Log in through the real form, CSRF token included; an account that must use two factors
    then sets up its app or types its code (through the real pages too). Returns the answer to
    the password, so a test sees whether that was accepted."""
    import re
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "/konto/to-faktor" in location:
        setup = client.get("/konto/to-faktor").get_data(as_text=True)
        _remember_app(email, re.search(r'id="hemmelighed">([^<]+)<', setup).group(1))
        confirmed = client.post("/konto/to-faktor", data={"code": next_totp_code(email.lower()),
                                                          "csrf_token": _csrf(setup)})
        assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    elif response.status_code == 302 and "/login/kode" in location:
        form = client.get(location).get_data(as_text=True)
        entered = client.post(location, data={"code": next_totp_code(email.lower()), "csrf_token": _csrf(form)})
        assert entered.status_code == 302, entered.get_data(as_text=True)
    return response


def _csrf(page: str) -> str:
    import re
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on a free loopback port, in a thread."""
    from werkzeug.serving import make_server
    # Port 0: the kernel picks a free port while binding, so no other test can take it between.
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)


BROWSER_TIMEOUT_MS = 20_000


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: the test command installs Debian's chromium (make test)")
    from playwright.sync_api import expect, sync_playwright
    # Generous waits: they end as soon as the page is ready, and a CI machine under load (two
    # xdist workers, Chromium, a matcher index being built) can take seconds for one page.
    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def settled_layout(page) -> None:
    """Wait until the current document has loaded its stylesheets, images and fonts.

    An element can exist (and an `expect` pass) while the new page's stylesheet is still on its
    way; measured then, the unstyled page is wider than a phone. Call this before reading sizes."""
    page.wait_for_load_state("load")
    page.wait_for_function("document.readyState === 'complete'")
    page.evaluate("document.fonts.ready.then(() => true)")


def scroll_width(page) -> int:
    """The page's layout width once it has finished loading (see settled_layout)."""
    settled_layout(page)
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(BROWSER_TIMEOUT_MS)
    yield tab
    context.close()


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on loopback; `.messages` collects what it received."""
    from tests.smtp import RecordingSMTPServer
    server = RecordingSMTPServer(port=free_port())
    server.start()
    yield server
    server.stop()
