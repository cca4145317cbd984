"""Backups (data.backup): taken while another thread writes, restored and compared; restore's
refusals (a database with data, a newer schema, a broken file) and the upgrade of an older one;
the CLI commands; the scheduler's nightly job with its retention; the Drift page."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from click.testing import CliRunner

from core import clock
from data import backup as backups, migrations
from data.backup import BackupError, backup, inspect, restore
from data.db import connect, migrate, open_database, write
from jobs.scheduler import build_scheduler, check_settings, nightly_backup
from smajobs.cli import main
from tests.conftest import ROOT, login
from tests.rules_helpers import at

WRITER_ROWS = 2  # rows per writer transaction: a consistent copy never holds half of one


def table_rows(path: Path, table: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    finally:
        connection.close()


def keep_writing(db_path: str, stop: threading.Event, written: list[int]) -> None:
    """Another connection writing job_runs-like rows in pairs until told to stop."""
    db = connect(db_path)
    try:
        batch = 0
        while not stop.is_set():
            with write(db):
                for part in range(WRITER_ROWS):
                    db.execute("INSERT INTO job_runs (job, day, finished_at) VALUES (?, ?, ?)",
                               [f"writer-{batch}", f"part-{part}", "2026-01-01T00:00:00+00:00"])
            batch += 1
            written.append(batch)
    finally:
        db.close()


def test_a_backup_taken_while_another_thread_writes_restores_to_a_consistent_copy(demo_db, config, tmp_path):
    stop, written = threading.Event(), []
    writer = threading.Thread(target=keep_writing, args=(config.db, stop, written))
    writer.start()
    try:
        while len(written) < 20:  # the writer is well under way
            threading.Event().wait(0.01)
        report = backup(config.db, tmp_path / "kopier" / "nu.db")
        during = len(written)
        while len(written) < during + 20:  # and goes on after the backup, never blocked by it
            threading.Event().wait(0.01)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert report.ok and report.counts["citizens"] == 3 and report.counts["openings"] == 103
    copied = table_rows(report.path, "job_runs")
    assert copied and len(copied) % WRITER_ROWS == 0  # whole transactions only
    live = table_rows(Path(config.db), "job_runs")
    assert len(live) > len(copied) and set(copied) <= set(live)

    restored = restore(report.path, tmp_path / "gendannet.db")
    assert restored.migrated == [] and restored.result.counts == report.counts
    for table in ("citizens", "employers", "openings", "job_runs", "schema_migrations"):
        assert table_rows(tmp_path / "gendannet.db", table) == table_rows(report.path, table), table
    assert table_rows(tmp_path / "gendannet.db", "citizens") == table_rows(Path(config.db), "citizens")


def test_a_backup_is_one_self_contained_checked_file(demo_db, config, tmp_path):
    target = tmp_path / "b.db"
    target.write_text("an old backup to replace")
    report = backup(config.db, target)
    assert report.ok and report.schema_version == migrations.latest_version()
    connection = sqlite3.connect(target)
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    connection.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("b.db")) == ["b.db"]
    with pytest.raises(BackupError, match="findes ikke"):
        backup(tmp_path / "ingen.db", tmp_path / "c.db")
    with pytest.raises(BackupError, match="oven i selve databasen"):
        backup(config.db, config.db)


def test_restore_refuses_a_database_with_data_unless_forced(demo_db, config, tmp_path):
    report = backup(config.db, tmp_path / "b.db")
    demo_db.execute("DELETE FROM citizens WHERE id = 'cit-fatma'")
    with pytest.raises(BackupError, match="ikke tom .*--force"):
        restore(report.path, config.db)
    assert demo_db.execute("SELECT COUNT(*) FROM citizens").fetchone()[0] == 2  # unchanged
    restore(report.path, config.db, force=True)
    assert demo_db.execute("SELECT COUNT(*) FROM citizens").fetchone()[0] == 3


def test_restore_refuses_a_backup_from_a_newer_schema(demo_db, config, tmp_path):
    report = backup(config.db, tmp_path / "b.db")
    newer = migrations.latest_version() + 50
    connection = sqlite3.connect(report.path)
    connection.execute("INSERT INTO schema_migrations VALUES (?, 'future', '2030-01-01')", [newer])
    connection.commit()
    connection.close()
    assert not inspect(report.path).ok
    with pytest.raises(BackupError, match=f"nyere udgave af småjobs \\(skemaændring {newer} kendes ikke"):
        restore(report.path, tmp_path / "ny.db")
    assert not (tmp_path / "ny.db").exists()


def test_an_older_backup_is_upgraded_after_restore(tmp_path):
    old = open_database(tmp_path / "gammel.db")
    migrate(old, target=5)
    with write(old):
        old.execute("INSERT INTO consultants (email, name, created_at) VALUES ('k@example.dk', 'K', '2026-01-01')")
    old.close()
    report = backup(tmp_path / "gammel.db", tmp_path / "b.db")
    assert report.ok and report.schema_version == 5 and report.older_schema
    restored = restore(report.path, tmp_path / "ny.db")
    assert restored.migrated == [v for v, _ in migrations.steps() if v > 5]
    assert restored.result.schema_version == migrations.latest_version()
    assert restored.result.counts["consultants"] == 1 and "audit_log" in restored.result.counts


def test_a_broken_file_is_refused(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x13" * 5000)
    with pytest.raises(BackupError, match="kan ikke gendannes"):
        restore(junk, tmp_path / "ny.db")
    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.close()
    assert "ikke en småjobs-database" in inspect(plain).problems[0]


# --- the command line ----------------------------------------------------------------------------

def run(*args):
    return CliRunner().invoke(main, list(args))


def test_backup_verify_and_restore_from_the_command_line(demo_db, config, tmp_path):
    copy = tmp_path / "kopi.db"
    result = run("--db", config.db, "backup", str(copy))
    assert result.exit_code == 0 and f"Sikkerhedskopi gemt i {copy}" in result.stdout
    assert backups.status(demo_db, "", 14, "02:30").last_success  # noted in the live database

    result = run("verify-backup", str(copy))
    assert result.exit_code == 0, result.output
    for line in ("Integritet: i orden", f"Skemaversion: {migrations.latest_version()}", "Borgere: 3",
                 "Virksomheder: 90", "Småjobs: 103", "Sikkerhedskopien kan gendannes."):
        assert line in result.stdout, line

    result = run("--db", config.db, "restore", str(copy))
    assert result.exit_code == 1 and "Fejl: Databasen" in result.stderr and "--force" in result.stderr
    result = run("--db", str(tmp_path / "ny.db"), "restore", str(copy))
    assert result.exit_code == 0 and "er gendannet fra" in result.stdout and "Borgere: 3" in result.stdout

    (tmp_path / "skrald.db").write_text("ikke en database")
    result = run("verify-backup", str(tmp_path / "skrald.db"))
    assert result.exit_code == 1 and "Fejl:" in result.stderr and "ikke en brugbar SQLite-database" in result.stderr


# --- the nightly job and the Drift page ------------------------------------------------------------

def test_the_scheduler_backs_up_nightly_only_when_a_folder_is_set(config, tmp_path):
    assert "nightly_backup" not in {job.id for job in build_scheduler(config).get_jobs()}
    scheduler = build_scheduler(config.with_(backup_dir=str(tmp_path / "b"), backup_time="03:15"))
    job = scheduler.get_job("nightly_backup")
    assert isinstance(job.trigger, CronTrigger) and str(job.trigger.timezone) == "Europe/Copenhagen"
    assert job.trigger.get_next_fire_time(None, at("2026-03-28 12:00")) == at("2026-03-29 03:15")
    for bad, message in ((dict(backup_time="25:00"), "backup_time skal være et klokkeslæt"),
                         (dict(backup_keep=0), "SMAJOBS_BACKUP_KEEP skal være mindst 1")):
        with pytest.raises(ValueError, match=message):
            check_settings(config.with_(backup_dir=str(tmp_path / "b"), **bad))


def test_the_nightly_backup_keeps_the_newest_and_notes_its_success(demo_db, config, tmp_path):
    folder = tmp_path / "natlige"
    nightly = config.with_(backup_dir=str(folder), backup_keep=2)
    for night in ("2026-03-01", "2026-03-02", "2026-03-03"):
        moment = at(f"{night} 02:30")
        with clock.use(moment):
            assert nightly_backup(nightly, now=moment)
    assert [f.path.name for f in backups.backup_files(folder)] == [
        "smajobs-2026-03-03-023000.db", "smajobs-2026-03-02-023000.db"]
    with clock.use(at("2026-03-03 12:00")):
        status = backups.status(demo_db, str(folder), 2, "02:30")
    assert status.last_success == "2026-03-03T01:30:00+00:00" and not status.stale
    with clock.use(at("2026-03-04 16:00")):
        assert backups.status(demo_db, str(folder), 2, "02:30").stale


def test_a_failed_nightly_backup_is_logged_and_noted_nowhere(config, tmp_path, caplog):
    blocked = tmp_path / "fil"
    blocked.write_text("a file where the folder should be")
    assert nightly_backup(config.with_(backup_dir=str(blocked / "b"))) is False
    assert "nightly backup failed" in caplog.text
    db = connect(config.db)
    assert backups.status(db, str(blocked), 14, "02:30").last_success is None
    db.close()


@pytest.fixture
def admin_client(app, client, db, make_consultant):
    make_consultant("admin@example.dk", name="Ada Admin", role="admin")
    make_consultant("konsulent@example.dk")
    return client


def test_the_drift_page_warns_while_backups_are_configured_and_late(app, admin_client, db, tmp_path):
    app.config["SMAJOBS"] = app.config["SMAJOBS"].with_(backup_dir=str(tmp_path / "b"))
    login(admin_client, "admin@example.dk")
    page = admin_client.get("/admin/drift/").get_data(as_text=True)
    assert "Advarsel: Der er endnu ikke taget nogen sikkerhedskopi." in page
    assert "Drift (!)" in page
    with clock.use(datetime.now() - timedelta(hours=40)):
        backups.record_success(db)
    page = admin_client.get("/admin/drift/").get_data(as_text=True)
    assert "Advarsel: Den seneste sikkerhedskopi er fra" in page and "mere end\n    36 timer siden" in page
    assert nightly_backup(app.config["SMAJOBS"])
    page = admin_client.get("/admin/drift/").get_data(as_text=True)
    assert "Advarsel" not in page and "Drift (!)" not in page and "smajobs-" in page


def test_without_a_backup_folder_the_page_explains_and_does_not_warn(admin_client):
    login(admin_client, "admin@example.dk")
    page = admin_client.get("/admin/drift/").get_data(as_text=True)
    assert "Ikke sat op (SMAJOBS_BACKUP_DIR er tom)." in page and "Advarsel" not in page


def test_the_drift_page_is_for_admins_only(admin_client):
    login(admin_client, "konsulent@example.dk")
    assert admin_client.get("/admin/drift/").status_code == 403
    assert "/admin/drift/" not in admin_client.get("/borgere").get_data(as_text=True)
