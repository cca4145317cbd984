"""Consultant accounts and their API tokens. Hashing happens in web.auth; only hashes are stored."""
from __future__ import annotations

import sqlite_utils

from data.db import now_iso, write


def create_consultant(db: sqlite_utils.Database, *, email: str, name: str, password_hash: str | None,
                      role: str = "consultant") -> int:
    with write(db):
        cursor = db.execute(
            "INSERT INTO consultants (email, name, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)",
            [email.strip().lower(), name.strip(), password_hash, role, now_iso()],
        )
        return cursor.lastrowid


def set_password_hash(db: sqlite_utils.Database, consultant_id: int, password_hash: str) -> None:
    with write(db):
        db.execute("UPDATE consultants SET password_hash = ? WHERE id = ?", [password_hash, consultant_id])


def consultant_by_email(db: sqlite_utils.Database, email: str) -> dict | None:
    rows = list(db.query("SELECT * FROM consultants WHERE email = ?", [email.strip().lower()]))
    return rows[0] if rows else None


def consultant_by_id(db: sqlite_utils.Database, consultant_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM consultants WHERE id = ?", [consultant_id]))
    return rows[0] if rows else None


def list_consultants(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query("SELECT * FROM consultants ORDER BY name, email"))


def add_api_token(db: sqlite_utils.Database, consultant_id: int, token_hash: str, label: str = "") -> int:
    with write(db):
        return db.execute(
            "INSERT INTO api_tokens (consultant_id, token_hash, label, created_at) VALUES (?, ?, ?, ?)",
            [consultant_id, token_hash, label, now_iso()],
        ).lastrowid


def consultant_by_token_hash(db: sqlite_utils.Database, token_hash: str) -> dict | None:
    rows = list(db.query(
        "SELECT c.* FROM api_tokens t JOIN consultants c ON c.id = t.consultant_id "
        "WHERE t.token_hash = ? AND c.active = 1", [token_hash]))
    return rows[0] if rows else None
