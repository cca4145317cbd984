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


def browser_login(page, base_url: str, email: str = "konsulent@example.dk", password: str = PASSWORD) -> None:
    """Log in through the real form in Chromium and wait for the first page after it (I dag)."""
    from playwright.sync_api import expect
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="I dag")).to_be_visible()


def login(client, email: str = "konsulent@example.dk", password: str = PASSWORD):
    """Log in through the real form, CSRF token included."""
    import re
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


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
