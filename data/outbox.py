"""The e-mail outbox. Whatever causes an e-mail writes it here in the same transaction, so an
e-mail exists exactly when its cause was committed; `jobs/` sends from it."""
from __future__ import annotations

import json
import uuid
from email.utils import make_msgid

import sqlite_utils

from data.db import now_iso, write


def enqueue(db: sqlite_utils.Database, *, to: str, subject: str, body_text: str,
            body_html: str | None = None, attachments: list[dict] | None = None,
            dedupe_key: str | None = None, send_after: str | None = None) -> int | None:
    """Queue one e-mail. With a `dedupe_key` already queued, nothing is added and None returned.

    `attachments` are dicts {"filename", "content_type", "content"} with text content.
    The Message-ID is fixed here, so every retry of this e-mail carries the same one.
    """
    now = now_iso()
    domain = to.rsplit("@", 1)[-1] if "@" in to else "smajobs.local"
    with write(db):
        cursor = db.execute(
            "INSERT INTO outbox (message_id, dedupe_key, to_addr, subject, body_text, body_html, "
            "attachments, created_at, send_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (dedupe_key) DO NOTHING",
            [make_msgid(idstring=uuid.uuid4().hex, domain="smajobs." + domain.split(".")[-1]),
             dedupe_key, to, subject, body_text, body_html, json.dumps(attachments or []),
             now, send_after or now],
        )
        return cursor.lastrowid if cursor.rowcount == 1 else None
