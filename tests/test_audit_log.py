"""The audit trail's storage: ids only, append-only, pruned only through data.audit."""
from __future__ import annotations

import sqlite3

import pytest

from data import audit
from data.db import write


def test_a_row_names_the_actor_the_door_and_ids_only(db):
    with audit.acting_as(audit.Actor("consultant", "page", consultant_id=7, client_address="127.0.0.1")):
        audit.log(db, "viewed_profile", "cit-1")
    [row] = db.execute_returning_dicts("SELECT * FROM audit_log")
    assert row["actor"] == "consultant" and row["consultant_id"] == 7 and row["channel"] == "page"
    assert row["action"] == "viewed_profile" and row["citizen_id"] == "cit-1"
    assert row["client_address"] == "127.0.0.1" and row["at"]


def test_without_an_actor_the_row_says_system(db):
    audit.log(db, "changed", "cit-1")
    assert db.execute("SELECT actor, channel FROM audit_log").fetchone() == ("system", "system")


def test_rows_cannot_be_changed_or_deleted_by_sql(db):
    audit.log(db, "viewed_profile", "cit-1")
    for statement in ("UPDATE audit_log SET citizen_id = 'cit-2'", "DELETE FROM audit_log"):
        with pytest.raises(sqlite3.IntegrityError, match="kun til tilføjelse"):
            with write(db):
                db.execute(statement)
    assert db.execute("SELECT citizen_id FROM audit_log").fetchall() == [("cit-1",)]


def test_prune_removes_only_old_rows_and_leaves_the_table_locked(db):
    audit.log(db, "viewed_profile", "cit-1")
    db.execute("SELECT 1")
    assert audit.prune(db, before="2000-01-01T00:00:00+00:00") == 0
    assert audit.prune(db, before="9999-01-01T00:00:00+00:00") == 1
    audit.log(db, "viewed_profile", "cit-1")
    with pytest.raises(sqlite3.IntegrityError):
        with write(db):
            db.execute("DELETE FROM audit_log")


def test_an_unknown_action_is_refused(db):
    with pytest.raises(ValueError):
        audit.log(db, "peeked", "cit-1")
