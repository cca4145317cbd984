"""Load on the web match page (issue 11): starts `smajobs serve` on loopback over a database,
logs in like a browser (the log-in page's CSRF token, the session cookie) and drives
/borgere/<id>/match with concurrent sessions, each phase bounded in time.

    python -m bench.web_load --db bench/out/index.db [--seconds 20] [--sessions 8] [--workers N]

Phases: the first request after a start (the index is loaded from its persisted copy), warm
sequential requests, N concurrent logged-in sessions, and the same page while the public
employer form is posted twice a second (pending sign-ups, which must not touch the index).
Returns/prints the p95 of each in ms, and the server's CPU time per request (all its processes,
steadier than the latency on a shared machine); bench.index_bench checks them against the targets.
`--workers` is passed to `smajobs serve` (its default: SMAJOBS_WEB_WORKERS, else one per core)."""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-1"
TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_env(**settings: str) -> dict:
    """The environment of a process started by the benchmark. A deployed service keeps its
    compiled bytecode (pip compiles the packages, Python caches our modules), so a shell's
    PYTHONDONTWRITEBYTECODE must not make every fresh process compile its sources again."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(ROOT), **settings}


def smajobs(db: str, *args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smajobs.cli", "--db", db, *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, env=process_env(**(env or {})))


class Session:
    """One browser: its own cookie jar."""

    def __init__(self, base: str, email: str = ""):
        self.base, self.email = base, email
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=60) as answer:
            return answer.status, answer.read().decode()

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as answer:
                answer.read()
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code

    def login(self) -> None:
        _, page = self.get("/login")
        status = self.post("/login", {"csrf_token": TOKEN_RE.search(page).group(1), "email": self.email,
                                      "password": PASSWORD})
        assert status == 200, f"log-in answered {status}"
        with self.opener.open(self.base + "/borgere", timeout=60) as answer:
            assert answer.geturl().endswith("/borgere"), "log-in refused"

    def timed_get(self, path: str) -> float:
        start = time.perf_counter()
        status, _ = self.get(path)
        assert status == 200, f"{path} answered {status}"
        return (time.perf_counter() - start) * 1000


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else (values[0] if values else float("nan"))


def drive(sessions: list[Session], citizen_ids: list[str], seconds: float) -> list[float]:
    """Each session clicks match pages one after another until the time is up."""
    times: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run(session: Session, seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            took = session.timed_get(f"/borgere/{rng.choice(citizen_ids)}/match")
            with lock:
                times.append(took)

    threads = [threading.Thread(target=run, args=(s, i)) for i, s in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def post_sign_ups(base: str, stop: threading.Event, per_second: float = 2.0) -> list[int]:
    """The public form, posted `per_second` times a second by an anonymous visitor."""
    from tests.signup_helpers import form_data
    statuses = []
    visitor = Session(base)
    while not stop.is_set():
        started = time.monotonic()
        _, page = visitor.get("/virksomhed/tilmeld")
        token = TOKEN_RE.search(page).group(1)
        statuses.append(visitor.post("/virksomhed/tilmeld", form_data(token)))
        stop.wait(max(0.0, 1 / per_second - (time.monotonic() - started)))
    return statuses


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server process and its worker processes so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def run(db: str, citizen_ids: list[str], seconds: float = 20.0, sessions: int = 8,
        workers: int | None = None) -> dict:
    # A consultant, not an admin: admins must pass a second factor. The pages are those of the
    # citizens this consultant follows.
    owner, citizen_ids = _one_consultants_citizens(db, citizen_ids)
    made = smajobs(db, "create-consultant", owner, "--name", "Bench Konsulent", "--password-stdin",
                   stdin=PASSWORD + "\n")
    if made.returncode not in (0, 1):
        raise RuntimeError(made.stderr)
    port = free_port()
    env = {**process_env(), "SMAJOBS_DB": db, "SMAJOBS_SECRET_KEY": "bench",
           "SMAJOBS_SIGNUP_RATE_LIMIT": "100000 per hour", "SMAJOBS_SIGNUP_FLOOD_LIMIT": "100000 per hour",
           "SMAJOBS_LOGIN_LIMIT_PER_ADDRESS": "10000 per hour"}
    command = [sys.executable, "-m", "smajobs.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command + (["--workers", str(workers)] if workers else []),
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, server)
        first = Session(base, owner)
        first.login()
        results = {"first_request_ms": first.timed_get(f"/borgere/{citizen_ids[0]}/match")}
        results["sequential_p95_ms"] = p95(drive([first], citizen_ids, seconds))
        logged_in = [Session(base, owner) for _ in range(sessions)]
        for session in logged_in:
            session.login()
        cpu_before = server_cpu_seconds(server.pid)
        concurrent = drive(logged_in, citizen_ids, seconds)
        results["server_cpu_ms_per_request"] = (server_cpu_seconds(server.pid) - cpu_before) * 1000 / len(concurrent)
        results["concurrent_p95_ms"] = p95(concurrent)
        results["concurrent_requests_per_s"] = len(concurrent) / seconds
        stop = threading.Event()
        statuses: list[int] = []
        poster = threading.Thread(target=lambda: statuses.extend(post_sign_ups(base, stop)))
        poster.start()
        try:
            results["with_sign_ups_p95_ms"] = p95(drive(logged_in, citizen_ids, seconds))
        finally:
            stop.set()
            poster.join()
        results["sign_ups_posted"] = len(statuses)
        results["sign_ups_status"] = sorted(set(statuses))
        # A consultant clicks every 10 s: the sessions one machine serves at the measured rate.
        results["consultants_at_one_click_per_10s"] = int(results["concurrent_requests_per_s"] * 10)
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


def _one_consultants_citizens(db: str, citizen_ids: list[str]) -> tuple[str, list[str]]:
    """The consultant of the first citizen, and those of `citizen_ids` that are theirs."""
    import sqlite3
    with sqlite3.connect(db) as conn:
        owner = conn.execute("SELECT consultant_email FROM citizens WHERE id = ?", [citizen_ids[0]]).fetchone()[0]
        theirs = {row[0] for row in conn.execute("SELECT id FROM citizens WHERE consultant_email = ?", [owner])}
    return owner, [cid for cid in citizen_ids if cid in theirs]


def _wait_for(base: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"smajobs serve stopped: {server.stderr.read().decode()[-2000:]}")
        try:
            urllib.request.urlopen(base + "/login", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("smajobs serve did not answer")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.web_load", description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--seconds", type=float, default=20.0, help="sekunder pr. fase (20)")
    parser.add_argument("--sessions", type=int, default=8, help="samtidige sessioner (8)")
    parser.add_argument("--workers", type=int, default=None, help="webprocesser til smajobs serve (dens standard)")
    options = parser.parse_args(argv)
    from data.db import connect
    citizens = [row[0] for row in connect(options.db).execute("SELECT id FROM citizens ORDER BY id LIMIT 500")]
    results = {"load_average_start": os.getloadavg()}
    results.update(run(options.db, citizens, options.seconds, options.sessions, options.workers))
    results["load_average_end"] = os.getloadavg()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
