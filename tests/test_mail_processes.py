"""Senders as real processes and threads against a real SMTP server on loopback: killed between
two sends and restarted, or running two at once, every e-mail arrives exactly once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

from data.db import connect
from data.outbox import enqueue
from jobs.mail import deliver_outbox
from tests.conftest import ROOT

SMAJOBS = [sys.executable, "-c", "from smajobs.cli import main; main()"]


def queue(db, count: int) -> set[str]:
    for number in range(count):
        enqueue(db, to=f"konsulent{number}@example.dk", subject=f"Påmindelse {number}",
                body_text="Hej\nSe din oversigt: http://127.0.0.1:5000/i-dag\n")
    return {r["message_id"] for r in db.query("SELECT message_id FROM outbox")}


def sender(config, server, *args: str) -> subprocess.Popen:
    env = os.environ | {"SMAJOBS_MAIL_TRANSPORT": "smtp", "SMAJOBS_SMTP_HOST": server.host,
                        "SMAJOBS_SMTP_PORT": str(server.port), "SMAJOBS_SMTP_TIMEOUT": "5"}
    return subprocess.Popen([*SMAJOBS, "--db", config.db, "send-mail", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def sent_count(config) -> int:
    db = connect(config.db)
    try:
        return db.execute("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL").fetchone()[0]
    finally:
        db.close()


def wait_for(condition, timeout: float = 90.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_a_sender_killed_between_two_sends_and_restarted_sends_each_email_exactly_once(db, config, smtp_server):
    expected = queue(db, 6)
    # Killed twice, each time in the pause after its first e-mail: the 30 s pause makes the
    # moment of the kill certain (after "marked sent", before the next claim).
    for kill_after in (1, 2):
        process = sender(config, smtp_server, "--pause-between", "30")
        try:
            # Marked sent in the database and received: the sender is now in its pause.
            wait_for(lambda: sent_count(config) == kill_after and len(smtp_server.messages) == kill_after,
                     what=f"{kill_after} e-mails sent")
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        assert process.returncode == -signal.SIGKILL
        assert db.execute("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND claimed_at IS NOT NULL"
                          ).fetchone()[0] == 0, "no claim is left behind between two sends"

    process = sender(config, smtp_server)
    out, err = process.communicate(timeout=90)
    assert process.returncode == 0, err
    assert "Sendt: 4. Venter: 0" in out

    received = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert set(received) == expected, "none missing"
    assert max(received.values()) == 1, "none duplicated"


def test_two_sender_processes_at_once_send_each_email_exactly_once(db, config, smtp_server):
    expected = queue(db, 30)
    processes = [sender(config, smtp_server) for _ in range(2)]
    outputs = [process.communicate(timeout=60) for process in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    received = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert set(received) == expected and max(received.values()) == 1


def test_two_sender_threads_with_their_own_connections_send_each_email_exactly_once(db, config, smtp_server):
    expected = queue(db, 60)
    smtp = config.with_(mail_transport="smtp", smtp_host=smtp_server.host, smtp_port=smtp_server.port,
                        smtp_timeout=5.0)
    start = threading.Barrier(2)
    results, errors = [], []

    def run(worker: str) -> None:
        connection = connect(config.db)
        try:
            start.wait()
            results.append(deliver_outbox(connection, smtp, worker_id=worker))
        except Exception as error:  # surfaced below; a thread cannot fail the test itself
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f"sender-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sum(results) == 60
    received = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert set(received) == expected and max(received.values()) == 1
    senders = Counter(r["claimed_by"] for r in db.query("SELECT claimed_by FROM outbox"))
    assert set(senders) <= {"sender-0", "sender-1"} and sum(senders.values()) == 60
