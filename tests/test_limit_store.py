"""The SQLite rate-limit store (data.limit_store): the moving window as `limits` drives it, the
default beside the database, and one count shared by real processes."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from data import limit_store
from web.limits import limiter_for, storage_uri

ROOT = Path(__file__).resolve().parent.parent


def _limiter(path: Path) -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(storage_from_string(f"sqlite://{path}"))


def test_the_moving_window_lets_the_limit_through_and_no_more(tmp_path):
    limiter, limit = _limiter(tmp_path / "x.limits"), parse("3 per minute")
    assert [limiter.hit(limit, "login", "a@example.dk") for _ in range(4)] == [True, True, True, False]
    assert not limiter.test(limit, "login", "a@example.dk")
    assert limiter.hit(limit, "login", "b@example.dk")          # another identity counts on its own
    reset_at, remaining = limiter.get_window_stats(limit, "login", "a@example.dk")
    assert remaining == 0 and time.time() + 55 < reset_at <= time.time() + 60
    limiter.clear(limit, "login", "a@example.dk")
    assert limiter.test(limit, "login", "a@example.dk") and limiter.get_window_stats(limit, "login", "a@example.dk")[1] == 3


def test_an_attempt_counts_no_longer_than_its_window(tmp_path):
    limiter, limit = _limiter(tmp_path / "x.limits"), parse("1 per second")
    assert limiter.hit(limit, "k") and not limiter.hit(limit, "k")
    time.sleep(1.05)
    assert limiter.hit(limit, "k")
    # Rows whose window has passed leave the file at the next count, whatever their key.
    time.sleep(1.05)
    limiter.hit(parse("5 per hour"), "other")
    import sqlite3
    with sqlite3.connect(tmp_path / "x.limits") as conn:
        assert conn.execute("SELECT COUNT(*) FROM hits").fetchone()[0] == 1


def test_the_fixed_window_counts_too(tmp_path):
    store = storage_from_string(f"sqlite://{tmp_path / 'x.limits'}")
    assert [store.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert store.get("k") == 3 and time.time() < store.get_expiry("k") <= time.time() + 60
    assert store.reset() == 1 and store.get("k") == 0 and store.check()


def test_the_default_store_is_a_private_file_beside_the_database(app, config):
    assert storage_uri(config) == f"sqlite://{Path(config.db).resolve()}.limits"
    assert isinstance(limiter_for(app).limiter.storage, limit_store.SQLiteStorage)
    mode = os.stat(f"{config.db}.limits").st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert storage_uri(config.with_(rate_limit_storage="memory://")) == "memory://"


HITTER = """
import sys
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
import data.limit_store
limiter = MovingWindowRateLimiter(storage_from_string("sqlite://" + sys.argv[1]))
sys.stdin.readline()                 # both processes start counting together
print(sum(limiter.hit(parse("25 per hour"), "login", "shared") for _ in range(40)))
"""


def test_two_processes_share_one_limit(tmp_path):
    path = str(tmp_path / "shared.limits")
    processes = [subprocess.Popen([sys.executable, "-c", HITTER, path], cwd=ROOT, text=True,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)}) for _ in range(2)]
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    counts = [int(process.communicate(timeout=60)[0]) for process in processes]
    # 80 attempts against one limit of 25: 25 let through between the two (counted per process,
    # it would be 25 each).
    assert sum(counts) == 25


def test_workers_starting_together_on_a_fresh_file_all_open_it(tmp_path):
    # gunicorn starts every worker at once; each opens the store, and switching a fresh file to
    # WAL needs an exclusive lock that SQLite refuses at once (no busy wait) to all but one.
    code = ("import sys, time\n"
            "from data.limit_store import SQLiteStorage\n"
            "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))\n"
            "SQLiteStorage('sqlite://' + sys.argv[1]).incr('k', 60)\n")
    for attempt in range(5):
        path, start = tmp_path / f"fresh-{attempt}.limits", time.time() + 1.0
        workers = [subprocess.Popen([sys.executable, "-c", code, str(path), str(start)], cwd=ROOT,
                                    env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE, text=True)
                   for _ in range(6)]
        for worker in workers:
            assert worker.wait(timeout=60) == 0, worker.stderr.read()
        assert limit_store.SQLiteStorage(f"sqlite://{path}").get("k") == 6
