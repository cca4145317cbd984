"""Files with citizen data are owner-only whatever the umask: the database with its -wal and
-shm, backups, access exports, the mail folder and its .eml files (core.private)."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from core.private import write_private
from data.backup import backup, backup_to_folder
from data.db import connect
from data.outbox import enqueue
from jobs.mail import deliver_outbox
from tests.conftest import DEMO_FILE, ROOT


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_private(path: Path) -> None:
    expected = 0o700 if path.is_dir() else 0o600
    assert mode(path) == expected, f"{path.name}: {oct(mode(path))}"


@pytest.fixture
def open_umask():
    """The usual umask 022, which would make new files readable for everyone."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_library_code_creates_private_files_under_umask_022(open_umask, config, tmp_path):
    db_path = tmp_path / "instans" / "smajobs.db"
    db = connect(db_path)
    enqueue(db, to="a@example.dk", subject="Hej", body_text="Hej")
    for path in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm"), db_path.parent):
        assert_private(path)

    assert deliver_outbox(db, config.with_(mail_dir=str(tmp_path / "post" / "ud"))) == 1
    mail_dir = tmp_path / "post" / "ud"
    [eml] = mail_dir.glob("*.eml")
    assert_private(mail_dir)
    assert_private(eml)

    copy = backup(db_path, tmp_path / "kopier" / "b.db")
    assert_private(copy.path)
    assert_private(copy.path.parent)
    nightly, _ = backup_to_folder(db_path, tmp_path / "natlige", keep=3)
    assert_private(nightly.path)

    export = write_private(tmp_path / "alle-data.json", b"{}")
    assert_private(export)
    db.close()


def test_every_command_runs_with_an_owner_only_umask(tmp_path):
    # A real process started with umask 022: main() tightens it before anything is created.
    db_path = tmp_path / "cli" / "smajobs.db"
    command = [sys.executable, "-m", "smajobs.cli", "--db", str(db_path)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SMAJOBS_MAIL_DIR": str(tmp_path / "mail")}

    def run(*args: str) -> None:
        subprocess.run([*command, *args], check=True, env=env, cwd=tmp_path, capture_output=True,
                       preexec_fn=lambda: os.umask(0o022), timeout=120)

    run("import", str(DEMO_FILE))
    run("export-citizen", "cit-fatma", str(tmp_path / "fatma.json"))
    run("backup", str(tmp_path / "kopi.db"))
    for path in (db_path, db_path.parent, tmp_path / "fatma.json", tmp_path / "kopi.db",
                 db_path.parent / "secret_key"):
        assert_private(path)
