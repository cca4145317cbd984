"""Consultant accounts and their API tokens. Hashing happens in web.auth; only hashes are stored."""
from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timedelta, timezone

import sqlite_utils

from core.clock import now_iso
from core.errors import Invalid
from data.db import write

# last_used_at is written at most this often per token: the web app and the scheduler share
# one SQLite file with one writer at a time, so every API call must not become a write.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)
MIN_PASSWORD = 8
ROLES = {"consultant": "konsulent", "admin": "administrator"}


def _refuse(field: str, message: str, account="") -> Invalid:
    """Refused account input for the person managing accounts (CLI or admin page): the field is
    "email", "name", "role", or "" for the account as a whole."""
    return Invalid.one(account, field, message, "konsulent")


# --- rules shared by `smajobs create-consultant` and the admin page ----------------------------

def valid_email(email: str) -> str:
    """The e-mail as stored (normalised, lower case); Invalid on "email" when it is not one."""
    from email_validator import EmailNotValidError, validate_email
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise _refuse("email", f"'{email.strip()}' er ikke en gyldig e-mailadresse.") from None


def checked_new_consultant(db: sqlite_utils.Database, *, email: str, name: str,
                           role: str = "consultant") -> tuple[str, str]:
    """(email, name) as they will be stored, or Invalid with the first problem: bad e-mail, empty
    name, unknown role, or an e-mail that already has an account."""
    email = valid_email(email)
    if not name.strip():
        raise _refuse("name", "Navnet må ikke være tomt.")
    if len(name.strip()) > 200:
        raise _refuse("name", "Navnet må højst have 200 tegn.")
    if role not in ROLES:
        raise _refuse("role", "Vælg konsulent eller administrator.")
    if consultant_by_email(db, email) is not None:
        raise _refuse("email", f"Der findes allerede en konsulent med e-mail {email}.")
    return email, name.strip()


def password_problem(password: str) -> str | None:
    """Why a new password is refused (in Danish), or None when it is long enough."""
    if len(password) < MIN_PASSWORD:
        return f"Adgangskoden skal have mindst {MIN_PASSWORD} tegn."
    return None


def create_consultant(db: sqlite_utils.Database, *, email: str, name: str, password_hash: str | None,
                      role: str = "consultant") -> int:
    with write(db):
        cursor = db.execute(
            "INSERT INTO consultants (email, name, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)",
            [email.strip().lower(), name.strip(), password_hash, role, now_iso()],
        )
        return cursor.lastrowid


def set_password_hash(db: sqlite_utils.Database, consultant_id: int, password_hash: str) -> None:
    """A new password; every session of the consultant ends with it."""
    with write(db):
        db.execute("UPDATE consultants SET password_hash = ? WHERE id = ?", [password_hash, consultant_id])
        end_sessions(db, consultant_id)


def consultant_by_email(db: sqlite_utils.Database, email: str) -> dict | None:
    rows = list(db.query("SELECT * FROM consultants WHERE email = ?", [email.strip().lower()]))
    return rows[0] if rows else None


def consultant_by_id(db: sqlite_utils.Database, consultant_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM consultants WHERE id = ?", [consultant_id]))
    return rows[0] if rows else None


def list_consultants(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query("SELECT * FROM consultants ORDER BY name, email"))


def consultants_overview(db: sqlite_utils.Database) -> list[dict]:
    """Every consultant for the operator's list (CLI and admin page), with the number of citizens
    they follow, their API tokens and when one was last used; never the password hash."""
    return list(db.query(
        "SELECT k.id, k.email, k.name, k.role, k.active, k.deactivated_at, "
        "k.totp_secret IS NOT NULL AS has_second_factor, "
        "(SELECT COUNT(*) FROM citizens c WHERE c.consultant_email = k.email) AS citizens, "
        "(SELECT COUNT(*) FROM api_tokens t WHERE t.consultant_id = k.id) AS tokens, "
        "(SELECT MAX(t.last_used_at) FROM api_tokens t WHERE t.consultant_id = k.id) AS tokens_last_used_at "
        "FROM consultants k ORDER BY k.name COLLATE NOCASE, k.email"))


def citizen_count(db: sqlite_utils.Database, email: str) -> int:
    """How many citizens name the consultant with this e-mail as theirs."""
    return db.execute("SELECT COUNT(*) FROM citizens WHERE consultant_email = ? COLLATE NOCASE",
                      [email.strip()]).fetchone()[0]


def set_active(db: sqlite_utils.Database, consultant_id: int, active: bool) -> bool:
    """Activate or deactivate; False when it already was so (nothing written). A deactivated
    consultant cannot log in, and their sessions and API tokens stop working (web.auth reads
    `active` on every request); their citizens stay theirs until an admin hands them over."""
    with write(db):
        cursor = db.execute(
            "UPDATE consultants SET active = ?, deactivated_at = ? WHERE id = ? AND active != ?",
            [int(active), None if active else now_iso(), consultant_id, int(active)])
        if not active:
            # Ended for good: activating the account again does not bring old sessions back.
            end_sessions(db, consultant_id)
    return cursor.rowcount > 0


def deactivate_consultant(db: sqlite_utils.Database, consultant_id: int, *,
                          acting_id: int | None = None) -> bool:
    """Deactivate (see set_active); False when already deactivated. Refused with an
    Invalid for the one asking (`acting_id`, the admin on the page) and for the last
    active admin: without one, nobody can hand the citizens over. Checked under the write lock,
    so two admins deactivating each other at once cannot leave none."""
    with write(db):
        row = consultant_by_id(db, consultant_id)
        if row is None:
            raise _refuse("", "Konsulenten findes ikke.", consultant_id)
        if not row["active"]:
            return False
        if acting_id is not None and consultant_id == acting_id:
            raise _refuse("", "Du kan ikke deaktivere dig selv. Bed en anden administrator om det.",
                          consultant_id)
        if row["role"] == "admin" and active_admin_count(db) <= 1:
            raise _refuse("", f"{row['email']} er den eneste aktive administrator. Opret eller aktivér "
                              "en anden administrator først, ellers kan ingen overdrage borgerne.", consultant_id)
        return set_active(db, consultant_id, False)


def active_admin_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COUNT(*) FROM consultants WHERE role = 'admin' AND active = 1").fetchone()[0]


def replace_password_hash(db: sqlite_utils.Database, consultant_id: int, expected_hash: str | None,
                          password_hash: str) -> bool:
    """Set a new hash only if the stored one is still `expected_hash` (None: no password yet).
    A link to choose a password names the hash it was made for, so this makes it work once,
    even when it is submitted twice at the same moment. True if written."""
    with write(db):
        written = db.execute("UPDATE consultants SET password_hash = ? WHERE id = ? AND password_hash IS ?",
                             [password_hash, consultant_id, expected_hash]).rowcount == 1
        if written:
            end_sessions(db, consultant_id)
        return written


# --- browser sessions ----------------------------------------------------------------------------
# A session lives in the signed cookie and, by a hash of its random id, here: ending it on the
# server is what makes "Log ud" final for a copy of the cookie too.

def open_session(db: sqlite_utils.Database, consultant_id: int, id_hash: str, *, hours: float,
                 second_factor: str | None = None) -> None:
    """Record a new log-in; the consultant's sessions older than `hours` (expired anyway) go.
    `second_factor`: how the log-in already passed a second factor ('sso'), None after a password."""
    now = datetime.now(timezone.utc)
    with write(db):
        db.execute("DELETE FROM consultant_sessions WHERE consultant_id = ? AND created_at < ?",
                   [consultant_id, _utc_iso(now - timedelta(hours=hours))])
        db.execute("INSERT INTO consultant_sessions (id_hash, consultant_id, created_at, second_factor) "
                   "VALUES (?, ?, ?, ?)", [id_hash, consultant_id, _utc_iso(now), second_factor])


def open_session_row(db: sqlite_utils.Database, consultant_id: int, id_hash: str, *, hours: float) -> dict | None:
    """The session while it was opened by this consultant, has not been ended, and is younger
    than `hours` (the cookie's own age limit, checked here too); None otherwise."""
    since = _utc_iso(datetime.now(timezone.utc) - timedelta(hours=hours))
    rows = list(db.query("SELECT * FROM consultant_sessions WHERE id_hash = ? AND consultant_id = ? "
                         "AND created_at >= ?", [id_hash, consultant_id, since]))
    return rows[0] if rows else None


def session_is_open(db: sqlite_utils.Database, consultant_id: int, id_hash: str, *, hours: float) -> bool:
    return open_session_row(db, consultant_id, id_hash, hours=hours) is not None


def pass_second_factor(db: sqlite_utils.Database, id_hash: str, how: str) -> None:
    """Note on the server that this session passed the second factor ('totp', 'recovery')."""
    with write(db):
        db.execute("UPDATE consultant_sessions SET second_factor = ? WHERE id_hash = ?", [how, id_hash])


def session_second_factor(db: sqlite_utils.Database, id_hash: str) -> str | None:
    row = db.execute("SELECT second_factor FROM consultant_sessions WHERE id_hash = ?", [id_hash]).fetchone()
    return row[0] if row else None


# --- the second factor (TOTP) -------------------------------------------------------------------
# The secret arrives encrypted and the recovery codes hashed (web.twofactor does both).

RECOVERY_CODE_COUNT = 10


def enable_totp(db: sqlite_utils.Database, consultant_id: int, encrypted_secret: str, first_step: int,
                recovery_code_hashes: list[str]) -> bool:
    """Store a confirmed set-up (the step of the first code counts as used) and its recovery
    codes, replacing any earlier ones. False (nothing written) when the account has one already:
    a second browser finishing a set-up at the same time must not replace the first."""
    with write(db):
        written = db.execute(
            "UPDATE consultants SET totp_secret = ?, totp_last_step = ?, totp_enabled_at = ? "
            "WHERE id = ? AND totp_secret IS NULL",
            [encrypted_secret, first_step, now_iso(), consultant_id]).rowcount == 1
        if written:
            db.execute("DELETE FROM recovery_codes WHERE consultant_id = ?", [consultant_id])
            db.conn.executemany("INSERT INTO recovery_codes (consultant_id, code_hash) VALUES (?, ?)",
                           [(consultant_id, code_hash) for code_hash in recovery_code_hashes])
        return written


def use_totp_step(db: sqlite_utils.Database, consultant_id: int, step: int) -> bool:
    """Take the time step of an accepted code, once: False when it, or a later one, was used."""
    with write(db):
        return db.execute("UPDATE consultants SET totp_last_step = ? WHERE id = ? AND totp_secret IS NOT NULL "
                          "AND (totp_last_step IS NULL OR totp_last_step < ?)",
                          [step, consultant_id, step]).rowcount == 1


def unused_recovery_codes(db: sqlite_utils.Database, consultant_id: int) -> list[dict]:
    return list(db.query("SELECT id, code_hash FROM recovery_codes WHERE consultant_id = ? AND used_at IS NULL "
                         "ORDER BY id", [consultant_id]))


def use_recovery_code(db: sqlite_utils.Database, code_id: int) -> bool:
    """Mark a recovery code used, once: False when it already was (two requests at once)."""
    with write(db):
        return db.execute("UPDATE recovery_codes SET used_at = ? WHERE id = ? AND used_at IS NULL",
                          [now_iso(), code_id]).rowcount == 1


def reset_second_factor(db: sqlite_utils.Database, consultant_id: int, *, by: str) -> bool:
    """Remove the consultant's authenticator set-up and recovery codes and end their sessions,
    noting when and by whom ("admin:<id>", "cli"); they set up a new one at their next log-in.
    False (nothing written) when there was none to reset."""
    with write(db):
        reset = db.execute("UPDATE consultants SET totp_secret = NULL, totp_last_step = NULL, "
                           "totp_enabled_at = NULL, second_factor_reset_at = ?, second_factor_reset_by = ? "
                           "WHERE id = ? AND totp_secret IS NOT NULL",
                           [now_iso(), by, consultant_id]).rowcount == 1
        if reset:
            db.execute("DELETE FROM recovery_codes WHERE consultant_id = ?", [consultant_id])
            end_sessions(db, consultant_id)
        return reset


def set_role(db: sqlite_utils.Database, consultant_id: int, role: str) -> bool:
    """Give the account this role (single sign-on's admin group); False when it already had it, or
    when it would take the admin role from the last active admin."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    with write(db):
        row = consultant_by_id(db, consultant_id)
        if row is None or row["role"] == role:
            return False
        if row["role"] == "admin" and row["active"] and active_admin_count(db) <= 1:
            return False
        db.execute("UPDATE consultants SET role = ? WHERE id = ?", [role, consultant_id])
        return True


def end_session(db: sqlite_utils.Database, id_hash: str) -> None:
    with write(db):
        db.execute("DELETE FROM consultant_sessions WHERE id_hash = ?", [id_hash])


def end_sessions(db: sqlite_utils.Database, consultant_id: int) -> int:
    """End every browser session of the consultant (on every device); returns how many were open.
    Joins the caller's transaction when there is one (a new password, a deactivation)."""
    with write(db):
        return db.execute("DELETE FROM consultant_sessions WHERE consultant_id = ?", [consultant_id]).rowcount


def revoke_api_tokens(db: sqlite_utils.Database, consultant_id: int) -> int:
    """Delete every API token of the consultant; returns how many there were."""
    with write(db):
        return db.execute("DELETE FROM api_tokens WHERE consultant_id = ?", [consultant_id]).rowcount


def add_api_token(db: sqlite_utils.Database, consultant_id: int, token_hash: str, label: str = "") -> int:
    with write(db):
        return db.execute(
            "INSERT INTO api_tokens (consultant_id, token_hash, label, created_at) VALUES (?, ?, ?, ?)",
            [consultant_id, token_hash, label, now_iso()],
        ).lastrowid


def consultant_by_token_hash(db: sqlite_utils.Database, token_hash: str) -> dict | None:
    """The active consultant owning the token, plus the token's `token_id` and `token_last_used_at`."""
    rows = list(db.query(
        "SELECT c.*, t.id AS token_id, t.last_used_at AS token_last_used_at "
        "FROM api_tokens t JOIN consultants c ON c.id = t.consultant_id "
        "WHERE t.token_hash = ? AND c.active = 1", [token_hash]))
    return rows[0] if rows else None


def _utc_iso(moment: datetime) -> str:
    """As data.db.now_iso writes it, so stored stamps compare as text."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def record_token_use(db: sqlite_utils.Database, token_id: int, now: datetime,
                     last_used_at: str | None = None) -> bool:
    """Set the token's last_used_at to `now` unless it was set less than a minute before.

    `last_used_at` is the value the caller just read: when it is recent nothing is written, not
    even a transaction begun. The UPDATE repeats the check under the write lock, so two
    processes authenticating at once write once. True if written."""
    stamp, threshold = _utc_iso(now), _utc_iso(now - TOKEN_USE_RESOLUTION)
    if last_used_at is not None and last_used_at > threshold:
        return False
    try:
        with write(db):
            cursor = db.execute(
                "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)",
                [stamp, token_id, threshold])
    except sqlite3.OperationalError as error:
        # A busy database must not turn a valid token away; the stamp is only bookkeeping.
        logging.getLogger(__name__).warning("last_used_at of API token %s not written: %s", token_id, error)
        return False
    return cursor.rowcount > 0


def api_tokens_of(db: sqlite_utils.Database, consultant_id: int) -> list[dict]:
    """The consultant's tokens (never the hash), oldest first."""
    return list(db.query("SELECT id, label, created_at, last_used_at FROM api_tokens WHERE consultant_id = ? "
                         "ORDER BY created_at, id", [consultant_id]))
