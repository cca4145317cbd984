"""`smajobs serve`, `create-consultant`, `create-token` and the demo accounts of `smajobs demo`."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from data import accounts
from data.db import connect
from smajobs.cli import main
from tests.conftest import free_port
from web.auth import hash_api_token, verify_password

SMAJOBS = Path(sys.executable).parent / "smajobs"


@pytest.fixture
def run(config):
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, ["--db", config.db, *args], input=input, catch_exceptions=False)
    return invoke


def test_create_consultant_from_stdin_and_prompt(run, config):
    result = run("create-consultant", "Karen@Example.dk", "--name", "Karen", "--password-stdin",
                 input="hemmeligt-ord\n")
    assert result.exit_code == 0 and "karen@example.dk er oprettet" in result.output
    db = connect(config.db)
    row = accounts.consultant_by_email(db, "karen@example.dk")
    assert row["role"] == "consultant" and verify_password(row["password_hash"], "hemmeligt-ord")
    result = run("create-consultant", "boss@example.dk", "--name", "Chef", "--admin",
                 input="langt-kodeord\nlangt-kodeord\n")
    assert result.exit_code == 0 and "som administrator" in result.output
    assert accounts.consultant_by_email(db, "boss@example.dk")["role"] == "admin"
    db.close()


@pytest.mark.parametrize("args, stdin, message", [
    (["karen@example.dk", "--name", "K", "--password-stdin"], "kort\n", "mindst 8 tegn"),
    (["ikke-en-mail", "--name", "K", "--password-stdin"], "hemmeligt-ord\n", "ikke en gyldig e-mailadresse"),
    (["karen@example.dk", "--name", " ", "--password-stdin"], "hemmeligt-ord\n", "Navnet må ikke være tomt"),
])
def test_create_consultant_rejects(run, config, args, stdin, message):
    result = CliRunner().invoke(main, ["--db", config.db, "create-consultant", *args], input=stdin)
    assert result.exit_code != 0 and message in result.output
    db = connect(config.db)
    assert accounts.list_consultants(db) == []
    db.close()


def test_create_consultant_twice(run, config):
    run("create-consultant", "karen@example.dk", "--name", "K", "--password-stdin", input="hemmeligt-ord\n")
    result = CliRunner().invoke(main, ["--db", config.db, "create-consultant", "KAREN@example.dk", "--name", "K",
                                       "--password-stdin"], input="andet-kodeord\n")
    assert result.exit_code != 0 and "findes allerede" in result.output
    db = connect(config.db)
    row = accounts.consultant_by_email(db, "karen@example.dk")
    assert verify_password(row["password_hash"], "hemmeligt-ord")
    db.close()


def test_create_token_prints_a_working_token(run, config):
    run("create-consultant", "karen@example.dk", "--name", "K", "--password-stdin", input="hemmeligt-ord\n")
    result = run("create-token", "karen@example.dk", "--label", "fagsystem")
    assert result.exit_code == 0 and "vises ikke igen" in result.output
    token = result.output.strip().splitlines()[-1]
    db = connect(config.db)
    assert accounts.consultant_by_token_hash(db, hash_api_token(token))["email"] == "karen@example.dk"
    db.close()
    missing = CliRunner().invoke(main, ["--db", config.db, "create-token", "ukendt@example.dk"])
    assert missing.exit_code != 0 and "Ingen aktiv konsulent" in missing.output


def test_demo_creates_the_documented_accounts(run, config):
    result = run("demo", "--top", "1")
    assert result.exit_code == 0
    assert "konsulent@example.dk / demo-konsulent" in result.output and "admin@example.dk / demo-admin" in result.output
    assert "http://127.0.0.1:5000/login" in result.output
    db = connect(config.db)
    assert verify_password(accounts.consultant_by_email(db, "konsulent@example.dk")["password_hash"], "demo-konsulent")
    assert accounts.consultant_by_email(db, "admin@example.dk")["role"] == "admin"
    db.close()
    again = run("demo", "--top", "1")  # a second run leaves the accounts alone
    assert again.exit_code == 0 and "Demokonti oprettet" not in again.output


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 90) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stdout.read())
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} answered not within {seconds} s")


@pytest.mark.parametrize("command", [["serve", "--scheduler"], ["demo", "--top", "1", "--serve"]])
def test_serve_answers_over_http(tmp_path, command):
    port = free_port()
    env = {**os.environ, "SMAJOBS_MAIL_DIR": str(tmp_path / "mail"), "SMAJOBS_SECRET_KEY": "x"}
    process = subprocess.Popen(
        [str(SMAJOBS), "--db", str(tmp_path / "serve.db"), *command, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path)
    try:
        page = _wait_for(f"http://127.0.0.1:{port}/login", process).decode()
        assert "Log ind" in page
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
    assert f"http://127.0.0.1:{port}/" in output
    if command[0] == "serve":
        # One scheduler process beside the workers, stopped with the server.
        assert output.count("Planlæggeren kører ved siden af i sin egen proces") == 1
        assert output.count("Planlæggeren er stoppet.") == 1
    else:
        assert "konsulent@example.dk / demo-konsulent" in output
