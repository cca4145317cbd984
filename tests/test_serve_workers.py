"""`smajobs serve --workers 2` as a real process on loopback: both workers answer, a log-in works
on either, a change made through one is seen by the other (the match index catches up in each),
and the log-in throttle counts across both (the shared limit store)."""
from __future__ import annotations

import http.client
import http.cookies
import os
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from data.registry import import_document
from tests.conftest import PASSWORD, free_port
from tests.signup_helpers import form_data

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
FATMA = {"citizens": [
    {"id": "cit-fits", "first_name": "Fatma", "postcode": "2200", "interests": "madlavning, køkken",
     "hours_per_week": {"min": 3, "max": 10}, "shifts": ["day"], "max_travel_km": 5,
     "needs": ["flexible_breaks", "limited_danish"], "consultant": "konsulent@example.dk"},
]}


@pytest.fixture
def server(config, db, make_consultant):
    import_document(db, FATMA)
    make_consultant()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SMAJOBS_DB": config.db, "SMAJOBS_SECRET_KEY": "test-secret",
           "SMAJOBS_MAIL_DIR": config.mail_dir, "SMAJOBS_LOGIN_LIMIT_PER_ADDRESS": "3 per hour"}
    process = subprocess.Popen([sys.executable, "-m", "smajobs.cli", "serve", "--workers", "2", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for_workers(process, port)
        yield process, port
    finally:
        process.terminate()
        output = process.communicate(timeout=60)[0]
    assert process.returncode == 0, output
    assert "med 2 processer" in output


def _wait_for_workers(process, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        if len(_children(process.pid)) == 2:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=5).request("GET", "/login")
                return
            except OSError:
                pass
        time.sleep(0.2)
    raise AssertionError("smajobs serve --workers 2 did not start")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _worker_of(connection: http.client.HTTPConnection, port: int, workers: list[int]) -> int:
    """The worker process holding the server end of this keep-alive connection (from the
    kernel's socket table: the inode of the socket from our port to the server's)."""
    client_port = connection.sock.getsockname()[1]
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == port and int(remote.split(":")[1], 16) == client_port:
            inode = fields[9]
    assert inode is not None
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    raise AssertionError("no worker holds the connection")


class Browser:
    """One cookie jar over keep-alive connections pinned to known workers."""

    def __init__(self, port: int, workers: list[int]):
        self.port, self.workers, self.cookies = port, workers, http.cookies.SimpleCookie()

    def connection_to_each_worker(self) -> dict[int, http.client.HTTPConnection]:
        pinned: dict[int, http.client.HTTPConnection] = {}
        for _ in range(50):
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.send(connection, "GET", "/login")
            pid = _worker_of(connection, self.port, self.workers)
            if pid in pinned:
                connection.close()
            else:
                pinned[pid] = connection
            if len(pinned) == len(self.workers):
                return pinned
        raise AssertionError("the connections all went to one worker")

    def send(self, connection, method: str, path: str, form: dict | None = None, expect_worker: int | None = None):
        headers = {"Cookie": "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        for value in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(value)
        if expect_worker is not None:  # the connection was kept, so this worker answered
            assert _worker_of(connection, self.port, self.workers) == expect_worker
        return response.status, text


def test_two_workers_share_log_ins_changes_and_the_log_in_throttle(server):
    process, port = server
    workers = _children(process.pid)
    browser = Browser(port, workers)
    (one, first), (two, second) = browser.connection_to_each_worker().items()

    status, page = browser.send(first, "GET", "/login", expect_worker=one)
    status, _ = browser.send(first, "POST", "/login", {"csrf_token": TOKEN.search(page).group(1),
                                                       "email": "konsulent@example.dk", "password": PASSWORD},
                             expect_worker=one)
    assert status == 302
    # Logged in through one worker, known by the other; its match index is loaded there now.
    status, page = browser.send(second, "GET", "/borgere/cit-fits/match", expect_worker=two)
    assert status == 200 and "Fatma" in page and "Pizzeria Napoli" not in page

    # An employer signs up and is approved, all through the first worker ...
    status, page = browser.send(first, "GET", "/virksomhed/tilmeld", expect_worker=one)
    status, _ = browser.send(first, "POST", "/virksomhed/tilmeld", form_data(TOKEN.search(page).group(1)),
                             expect_worker=one)
    assert status == 302
    status, page = browser.send(first, "GET", "/nye-virksomheder/", expect_worker=one)
    registration = re.search(r'href="/nye-virksomheder/(\d+)"', page).group(1)
    status, page = browser.send(first, "GET", f"/nye-virksomheder/{registration}", expect_worker=one)
    status, _ = browser.send(first, "POST", f"/nye-virksomheder/{registration}/godkend",
                             {"csrf_token": TOKEN.search(page).group(1)}, expect_worker=one)
    assert status == 302
    # ... and the second worker's match list has the new opening at once.
    status, page = browser.send(second, "GET", "/borgere/cit-fits/match", expect_worker=two)
    assert status == 200 and "Pizzeria Napoli" in page

    # Wrong log-ins from this address, spread over both workers: the third is the last let through.
    guesser = Browser(port, workers)
    for connection, worker in ((first, one), (second, two), (first, one), (second, two)):
        status, page = guesser.send(connection, "GET", "/login", expect_worker=worker)
        status, page = guesser.send(connection, "POST", "/login",
                                    {"csrf_token": TOKEN.search(page).group(1), "email": "gæt@example.dk",
                                     "password": "forkert-forkert"}, expect_worker=worker)
    assert status == 429 and "For mange forkerte forsøg" in page
