"""Schema migrations (data.migrations via data.db.migrate) on real SQLite files: an older
database upgrades in place without losing a row, migrating twice is a no-op, a failing step
changes nothing, and several processes opening a fresh database at once all succeed."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from data import migrations
from data.db import connect, migrate, open_database, schema_version

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-01-01T00:00:00+00:00"


def schema(db) -> list[tuple]:
    return db.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                      "ORDER BY type, name").fetchall()


def all_rows(db) -> dict[str, list[tuple]]:
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'")]
    return {t: db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}


def insert_version_2_rows(db) -> None:
    """Rows in every kind of table steps 1-2 create, with plain SQL as an old version would have."""
    sql = [
        ("INSERT INTO consultants (id, email, name, created_at) VALUES (1, 'karen@example.dk', 'Karen', ?)", [NOW]),
        ("INSERT INTO citizens (id, first_name, postcode, lat, lon, consultant_email, needs, created_at, updated_at) "
         "VALUES ('cit-1', 'Fatma', '2200', 55.69, 12.55, 'karen@example.dk', '[\"seated_work\"]', ?, ?)", [NOW, NOW]),
        ("INSERT INTO citizens (id, first_name, postcode, lat, lon, created_at, updated_at) "
         "VALUES ('cit-2', 'Ole', '8000', 56.15, 10.2, ?, ?)", [NOW, NOW]),
        ("INSERT INTO employers (id, name, postcode, lat, lon, created_at, updated_at) "
         "VALUES ('emp-1', 'Pizzeria', '2200', 55.69, 12.55, ?, ?)", [NOW, NOW]),
        ("INSERT INTO openings (id, employer_id, title, tasks, created_at, updated_at) "
         "VALUES ('opn-1', 'emp-1', 'Køkkenhjælp', 'Opvask', ?, ?)", [NOW, NOW]),
        ("INSERT INTO placements (id, citizen_id, opening_id, kind, start_date, created_at, updated_at) "
         "VALUES (1, 'cit-1', 'opn-1', 'smajob', '2026-01-05', ?, ?)", [NOW, NOW]),
        ("INSERT INTO meetings (citizen_id, placement_id, kind, held_on, created_at) "
         "VALUES ('cit-1', 1, 'follow_up', '2026-01-10', ?)", [NOW]),
        ("INSERT INTO reminders (rule, dedupe_key, citizen_id, due_on, title, created_at) "
         "VALUES ('r', 'k1', 'cit-1', '2026-02-01', 'Opfølgning', ?)", [NOW]),
        ("INSERT INTO outbox (message_id, to_addr, subject, body_text, created_at, send_after) "
         "VALUES ('<m1@x>', 'karen@example.dk', 'Hej', 'Tekst', ?, ?)", [NOW, NOW]),
        ("INSERT INTO api_tokens (consultant_id, token_hash, created_at) VALUES (1, 'hash', ?)", [NOW]),
    ]
    for statement, params in sql:
        db.execute(statement, params)
    db.conn.commit()


def test_fresh_database_gets_every_step_once(tmp_path):
    db = connect(tmp_path / "fresh.db")
    versions = [v for v, _ in migrations.steps()]
    assert versions == sorted(set(versions)) and versions[0] == 1
    assert schema_version(db) == migrations.latest_version()
    assert [r[0] for r in db.execute("SELECT version FROM schema_migrations ORDER BY version")] == versions
    db.close()


def test_migrating_twice_is_a_no_op(tmp_path):
    path = tmp_path / "twice.db"
    db = connect(path)
    before_schema, before_rows = schema(db), db.execute("SELECT * FROM schema_migrations").fetchall()
    assert migrate(db) == []
    db.close()
    again = connect(path)
    assert schema(again) == before_schema
    assert again.execute("SELECT * FROM schema_migrations").fetchall() == before_rows
    again.close()


def test_version_2_database_upgrades_in_place_without_losing_a_row(tmp_path):
    path = tmp_path / "old.db"
    old = open_database(path)
    assert migrate(old, target=2) == [1, 2]
    assert schema_version(old) == 2
    assert "social_free_card" not in old["citizens"].columns_dict
    insert_version_2_rows(old)
    rows_before = all_rows(old)
    old.close()

    db = connect(path)
    assert schema_version(db) == migrations.latest_version()
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for table, rows in rows_before.items():
        assert [row[:len(rows[0])] if rows else row for row in db.execute(
            f"SELECT * FROM {table} ORDER BY rowid").fetchall()] == rows, table
    # The column step 3 added is there, defaulted, on the rows that existed before it.
    assert [tuple(r) for r in db.execute("SELECT id, social_free_card FROM citizens ORDER BY id")] == [
        ("cit-1", 0), ("cit-2", 0)]
    # The upgraded database is fully usable through the library.
    from data import registry
    assert registry.get_citizen(db, "cit-1")["social_free_card"] is False
    assert registry.export_document(db)["citizens"][0]["needs"] == ["seated_work"]
    db.close()


@pytest.mark.parametrize("target", range(1, migrations.latest_version()))
def test_every_older_version_upgrades_to_the_latest(tmp_path, target):
    path = tmp_path / f"v{target}.db"
    old = open_database(path)
    migrate(old, target=target)
    old.execute("INSERT INTO citizens (id, first_name, postcode, lat, lon, created_at, updated_at) "
                "VALUES ('cit-1', 'Fatma', '2200', 55.69, 12.55, ?, ?)", [NOW, NOW])
    old.conn.commit()
    old.close()
    db = connect(path)
    assert schema_version(db) == migrations.latest_version()
    assert db.execute("SELECT id, first_name FROM citizens").fetchall() == [("cit-1", "Fatma")]
    db.close()


def test_failing_step_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "failing.db"
    db = connect(path)
    db.execute("INSERT INTO citizens (id, first_name, postcode, lat, lon, created_at, updated_at) "
                "VALUES ('cit-1', 'Fatma', '2200', 55.69, 12.55, ?, ?)", [NOW, NOW])
    db.conn.commit()
    before = schema(db)
    broken = migrations.latest_version() + 1

    def half_done(database):
        database.execute("CREATE TABLE half_done (id INTEGER)")
        database.execute("DELETE FROM citizens")
        raise RuntimeError("step failed")

    monkeypatch.setitem(migrations._STEPS, broken, half_done)
    with pytest.raises(RuntimeError, match="step failed"):
        migrate(db)
    assert schema(db) == before and schema_version(db) == broken - 1
    assert db.execute("SELECT COUNT(*) FROM citizens").fetchone()[0] == 1
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1  # switched back on after the step
    db.close()


def test_two_connections_migrating_a_fresh_database_at_once(tmp_path):
    path = tmp_path / "race.db"
    start, errors, done = threading.Barrier(4), [], []

    def open_it():
        try:
            start.wait()
            db = connect(path)
            done.append(schema_version(db))
            db.close()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and done == [migrations.latest_version()] * 4
    db = connect(path)
    versions = [r[0] for r in db.execute("SELECT version FROM schema_migrations")]
    assert sorted(versions) == [v for v, _ in migrations.steps()]
    db.close()


def test_processes_opening_a_fresh_database_at_once_all_succeed(tmp_path):
    script = ("import sys; from data.db import connect, schema_version; "
              "db = connect(sys.argv[1]); print(schema_version(db))")
    for round_ in range(2):
        path = tmp_path / f"race-{round_}.db"
        processes = [subprocess.Popen([sys.executable, "-c", script, str(path)], cwd=ROOT,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(4)]
        results = [p.communicate(timeout=120) + (p.returncode,) for p in processes]
        for out, err, code in results:
            assert code == 0, err
            assert out.strip() == str(migrations.latest_version())
        db = connect(path)
        assert sorted(r[0] for r in db.execute("SELECT version FROM schema_migrations")) == [
            v for v, _ in migrations.steps()]
        db.close()


def test_a_step_numbered_below_one_already_applied_still_runs(tmp_path, monkeypatch):
    # Step numbers are handed out ahead: a database may be migrated to step 7 before step 6 is
    # written. When step 6 arrives it must run there too, not be skipped for being lower.
    path = tmp_path / "gap.db"
    db = connect(path)
    latest = migrations.latest_version()
    late = latest - 1 if latest - 1 not in migrations._STEPS else latest + 1
    ran = []

    def late_step(database):
        ran.append(late)
        database.execute("CREATE TABLE late_step (id INTEGER)")

    monkeypatch.setitem(migrations._STEPS, late, late_step)
    assert migrate(db) == [late]
    assert ran == [late] and "late_step" in db.table_names()
    assert migrate(db) == [] and ran == [late]
    db.close()


def test_step_18_allows_cancelled_and_keeps_rows_links_and_checks(tmp_path):
    import sqlite3
    path = tmp_path / "before18.db"
    old = open_database(path)
    migrate(old, target=17)
    insert_version_2_rows(old)
    placements_before = old.execute("SELECT * FROM placements ORDER BY id").fetchall()
    meetings_before = old.execute("SELECT * FROM meetings ORDER BY id").fetchall()
    assert placements_before and meetings_before
    old.close()

    db = connect(path)
    assert [tuple(r[:-1]) for r in db.execute("SELECT * FROM placements ORDER BY id")] == \
        [tuple(r) for r in placements_before]  # every row, the new cancel_reason column last and empty
    assert db.execute("SELECT * FROM meetings ORDER BY id").fetchall() == meetings_before
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    placement_id = placements_before[0][0]
    db.execute("UPDATE placements SET status = 'cancelled', cancel_reason = 'fejl' WHERE id = ?", [placement_id])
    for bad in ("UPDATE placements SET status = 'done' WHERE id = ?", "UPDATE placements SET kind = 'x' WHERE id = ?"):
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(bad, [placement_id])
    # The other tables' foreign keys act on the rebuilt table: its meetings lose the link (SET NULL).
    linked = db.execute("SELECT COUNT(*) FROM meetings WHERE placement_id = ?", [placement_id]).fetchone()[0]
    assert linked
    db.execute("DELETE FROM placements WHERE id = ?", [placement_id])
    assert db.execute("SELECT COUNT(*) FROM meetings WHERE placement_id = ?", [placement_id]).fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM meetings").fetchone()[0] == len(meetings_before)
    db.close()
