"""Schema migrations, oldest first. Never edit a released step: add a new one.

Each step receives a `sqlite_utils.Database` inside an open write transaction. A step that
changes an existing table uses sqlite-utils' `transform`, which rebuilds the table and copies
every row, so an existing database upgrades in place without losing a row.
"""
from __future__ import annotations

import sqlite3
from typing import Callable, Iterator

_STEPS: dict[int, Callable] = {}


def step(version: int):
    def register(fn: Callable) -> Callable:
        if version in _STEPS:
            raise RuntimeError(f"migration {version} defined twice")
        _STEPS[version] = fn
        return fn

    return register


def steps() -> Iterator[tuple[int, Callable]]:
    return iter(sorted(_STEPS.items()))


def latest_version() -> int:
    return max(_STEPS)


def _run_script(db, script: str) -> None:
    # Not executescript(): it commits the open transaction first, and a migration must be
    # all or nothing.
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement[:80]!r}")


@step(1)
def registry(db):
    _run_script(db, 
        """
        CREATE TABLE consultants (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL DEFAULT '',
            password_hash TEXT,
            role TEXT NOT NULL DEFAULT 'consultant' CHECK (role IN ('consultant', 'admin')),
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );
        CREATE TABLE citizens (
            id TEXT PRIMARY KEY,
            first_name TEXT NOT NULL,
            age INTEGER,
            target_group TEXT,
            postcode TEXT NOT NULL,
            lat REAL NOT NULL,
            lon REAL NOT NULL,
            coords_given INTEGER NOT NULL DEFAULT 0,
            interests TEXT NOT NULL DEFAULT '',
            experience TEXT NOT NULL DEFAULT '',
            goal TEXT NOT NULL DEFAULT '',
            languages TEXT NOT NULL DEFAULT '["da"]',
            hours_min INTEGER,
            hours_max INTEGER,
            shifts TEXT,
            max_travel_km REAL NOT NULL DEFAULT 10,
            needs TEXT NOT NULL DEFAULT '[]',
            consultant_email TEXT COLLATE NOCASE,
            extra TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX citizens_consultant ON citizens (consultant_email);
        CREATE TABLE employers (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            cvr TEXT,
            industry TEXT NOT NULL DEFAULT '',
            address TEXT NOT NULL DEFAULT '',
            postcode TEXT NOT NULL,
            lat REAL NOT NULL,
            lon REAL NOT NULL,
            coords_given INTEGER NOT NULL DEFAULT 0,
            contact_name TEXT NOT NULL DEFAULT '',
            contact_email TEXT NOT NULL DEFAULT '',
            contact_phone TEXT NOT NULL DEFAULT '',
            languages TEXT NOT NULL DEFAULT '["da"]',
            -- Self-registered employers wait for a consultant; only approved ones are matched.
            status TEXT NOT NULL DEFAULT 'approved' CHECK (status IN ('pending', 'approved', 'rejected')),
            extra TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX employers_cvr ON employers (cvr);
        CREATE TABLE openings (
            id TEXT PRIMARY KEY,
            employer_id TEXT NOT NULL REFERENCES employers (id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            title TEXT NOT NULL,
            tasks TEXT NOT NULL,
            hours_min INTEGER,
            hours_max INTEGER,
            shifts TEXT NOT NULL DEFAULT '["day"]',
            paid_hours TEXT NOT NULL DEFAULT 'possible',
            trial_weeks INTEGER NOT NULL DEFAULT 0,
            can_meet TEXT NOT NULL DEFAULT '[]',
            cannot_meet TEXT NOT NULL DEFAULT '[]',
            seats INTEGER NOT NULL DEFAULT 1,
            active INTEGER NOT NULL DEFAULT 1,
            extra TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX openings_employer ON openings (employer_id, position);
        -- Bumped by triggers on every change to what the matcher reads, so a process can keep
        -- its match index until another process changes the registry.
        CREATE TABLE registry_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
        INSERT INTO registry_version VALUES (1, 0);
        """
    )
    for table in ("employers", "openings"):
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER {table}_{event.lower()}_bumps_version AFTER {event} ON {table} "
                "BEGIN UPDATE registry_version SET version = version + 1 WHERE id = 1; END"
            )


@step(2)
def follow_up(db):
    _run_script(db, 
        """
        CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            consultant_id INTEGER NOT NULL REFERENCES consultants (id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL UNIQUE,
            label TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            last_used_at TEXT
        );
        CREATE TABLE placements (
            id INTEGER PRIMARY KEY,
            citizen_id TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
            opening_id TEXT NOT NULL REFERENCES openings (id),
            kind TEXT NOT NULL CHECK (kind IN ('virksomhedspraktik', 'hybridpraktik', 'smajob', 'fleksjob')),
            status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'active', 'ended')),
            start_date TEXT NOT NULL,
            planned_end_date TEXT,
            end_date TEXT,
            hours_per_week REAL NOT NULL DEFAULT 0,
            paid_hours_per_week REAL NOT NULL DEFAULT 0,
            hourly_wage REAL,
            trial_weeks INTEGER NOT NULL DEFAULT 0,
            outcome TEXT CHECK (outcome IS NULL OR outcome IN ('beskaeftigelse', 'uddannelse', 'fleksjob',
                'ledighed', 'sygedagpenge', 'anden_offentlig_forsoergelse', 'foertidspension', 'selvforsoerget')),
            created_by INTEGER REFERENCES consultants (id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX placements_citizen ON placements (citizen_id);
        CREATE INDEX placements_opening ON placements (opening_id);
        CREATE TABLE placement_reports (
            id INTEGER PRIMARY KEY,
            placement_id INTEGER NOT NULL REFERENCES placements (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('delrapport', 'slutrapport')),
            due_date TEXT NOT NULL,
            submitted_at TEXT
        );
        CREATE TABLE meetings (
            id INTEGER PRIMARY KEY,
            citizen_id TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
            placement_id INTEGER REFERENCES placements (id) ON DELETE SET NULL,
            kind TEXT NOT NULL CHECK (kind IN ('first_citizen', 'first_employer', 'follow_up', 'employer_checkin')),
            held_on TEXT NOT NULL,
            participants TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            paid_hours_proposed INTEGER,
            paid_hours_answer TEXT,
            created_by INTEGER REFERENCES consultants (id),
            created_at TEXT NOT NULL
        );
        CREATE INDEX meetings_citizen ON meetings (citizen_id, held_on);
        CREATE INDEX meetings_placement ON meetings (placement_id, held_on);
        CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            rule TEXT NOT NULL,
            dedupe_key TEXT NOT NULL UNIQUE,
            consultant_email TEXT COLLATE NOCASE,
            citizen_id TEXT REFERENCES citizens (id) ON DELETE CASCADE,
            placement_id INTEGER REFERENCES placements (id) ON DELETE CASCADE,
            due_on TEXT NOT NULL,
            title TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'closed')),
            snoozed_until TEXT,
            created_at TEXT NOT NULL,
            closed_at TEXT
        );
        CREATE INDEX reminders_due ON reminders (status, consultant_email, due_on);
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            message_id TEXT NOT NULL UNIQUE,
            dedupe_key TEXT UNIQUE,
            to_addr TEXT NOT NULL,
            subject TEXT NOT NULL,
            body_text TEXT NOT NULL,
            body_html TEXT,
            attachments TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            send_after TEXT NOT NULL,
            claimed_at TEXT,
            claimed_by TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            sent_at TEXT,
            failed_at TEXT
        );
        CREATE INDEX outbox_pending ON outbox (sent_at, failed_at, send_after);
        """
    )


@step(3)
def social_free_card(db):
    # Added after citizens existed: proves an in-place upgrade keeps every row.
    db["citizens"].add_column("social_free_card", int, not_null_default=0)


@step(4)
def registrations(db):
    # Employers' own registrations through the public form, waiting for a consultant, and the
    # per-employer nonce that every private update link carries (rotating it revokes old links).
    _run_script(db,
        """
        CREATE TABLE registrations (
            id INTEGER PRIMARY KEY,
            employer_id TEXT NOT NULL REFERENCES employers (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('new', 'update')),
            source TEXT NOT NULL CHECK (source IN ('form', 'update_link')),
            payload TEXT NOT NULL,
            diff TEXT,
            submitted_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'rejected', 'superseded')),
            link_sent INTEGER NOT NULL DEFAULT 0,
            decided_by INTEGER REFERENCES consultants (id),
            decided_at TEXT
        );
        CREATE INDEX registrations_status ON registrations (status, submitted_at);
        CREATE INDEX registrations_employer ON registrations (employer_id, status);
        CREATE TABLE employer_links (
            employer_id TEXT PRIMARY KEY REFERENCES employers (id) ON DELETE CASCADE,
            nonce TEXT NOT NULL,
            rotated_at TEXT NOT NULL
        );
        """
    )


@step(5)
def reminder_extras(db):
    # Employer check-ins (rule 6): one row per placement and four-week period, written in the
    # same transaction as the e-mail asking for it; the answer fills it once (single use).
    # Calendar feeds: a consultant's secret .ics feed token, stored only as a hash.
    _run_script(db,
        """
        CREATE TABLE employer_checkins (
            id INTEGER PRIMARY KEY,
            placement_id INTEGER NOT NULL REFERENCES placements (id) ON DELETE CASCADE,
            period INTEGER NOT NULL,
            sent_on TEXT NOT NULL,
            expires_on TEXT NOT NULL,
            answered_at TEXT,
            attendance TEXT,
            tasks TEXT,
            act_on INTEGER,
            note TEXT,
            flagged INTEGER NOT NULL DEFAULT 0,
            meeting_id INTEGER REFERENCES meetings (id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            UNIQUE (placement_id, period)
        );
        CREATE TABLE calendar_feeds (
            consultant_id INTEGER PRIMARY KEY REFERENCES consultants (id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );
        """
    )


# Step 6 was reserved for a meetings change that turned out not to be needed; the number stays
# unused so that no database that has step 7 ever meets a different step 6.
@step(7)
def operations(db):
    # When an operator deactivated a consultant (NULL while active), shown by list-consultants.
    # job_runs: which once-a-day jobs have run for which local date, so a scheduler started
    # after the digest time still sends today's digest, and a restart does not send it again.
    db["consultants"].add_column("deactivated_at", str)
    _run_script(db,
        """
        CREATE TABLE job_runs (
            job TEXT NOT NULL,
            day TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            PRIMARY KEY (job, day)
        );
        """
    )


@step(8)
def audit_log(db):
    # Who read or changed which citizen's data: ids only, never names, needs or free text.
    # Append-only: the triggers refuse every UPDATE, and every DELETE except while
    # data.audit holds the one-row `audit_pruning` flag (retention and erasure, inside their
    # own transaction), so no page, API call or stray statement can rewrite history.
    _run_script(db,
        """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL CHECK (actor IN ('consultant', 'admin', 'cli', 'scheduler', 'system')),
            consultant_id INTEGER,
            action TEXT NOT NULL,
            citizen_id TEXT,
            placement_id INTEGER,
            meeting_id INTEGER,
            employer_id TEXT,
            channel TEXT NOT NULL CHECK (channel IN ('page', 'api', 'cli', 'scheduler', 'system')),
            client_address TEXT
        );
        CREATE INDEX audit_log_citizen ON audit_log (citizen_id, at);
        CREATE INDEX audit_log_consultant ON audit_log (consultant_id, at);
        CREATE INDEX audit_log_at ON audit_log (at);
        CREATE TABLE audit_pruning (
            id INTEGER PRIMARY KEY CHECK (id = 1)
        );
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN
            SELECT RAISE(ABORT, 'audit_log er kun til tilføjelse: rækker kan ikke ændres');
        END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        WHEN NOT EXISTS (SELECT 1 FROM audit_pruning)
        BEGIN
            SELECT RAISE(ABORT, 'audit_log er kun til tilføjelse: rækker kan ikke slettes');
        END;
        """
    )


@step(10)
def erasure_and_retention(db):
    # Erasure and retention (issue 9).
    # - citizens: a consultant may keep a citizen one more retention period, with a reason; the
    #   reason is kept here, not in the audit trail (which holds ids only).
    # - placements.paid_hours_since: the day paid hours were first agreed, for the statistics.
    # - outbox_links: which citizen or employer an e-mail names, so erasure can find it (sent or
    #   not); outbox.mail_file: the .eml file the `files` transport wrote for the row.
    # - placement_statistics: one anonymous row per ended placement, kept when the citizen is
    #   erased. placement_id points back only while the placement exists (SET NULL on delete).
    db["citizens"].add_column("retention_kept_until", str)
    db["citizens"].add_column("retention_kept_reason", str)
    db["placements"].add_column("paid_hours_since", str)
    db["outbox"].add_column("mail_file", str)
    _run_script(db,
        """
        UPDATE placements SET paid_hours_since = start_date WHERE paid_hours_per_week > 0;
        CREATE TABLE outbox_links (
            outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
            citizen_id TEXT,
            employer_id TEXT,
            CHECK (citizen_id IS NOT NULL OR employer_id IS NOT NULL)
        );
        CREATE INDEX outbox_links_outbox ON outbox_links (outbox_id);
        CREATE INDEX outbox_links_citizen ON outbox_links (citizen_id);
        CREATE INDEX outbox_links_employer ON outbox_links (employer_id);
        INSERT INTO outbox_links (outbox_id, citizen_id, employer_id)
            SELECT x.id, p.citizen_id, o.employer_id FROM outbox x
            JOIN placements p ON x.dedupe_key = 'thanks:' || p.id OR x.dedupe_key LIKE 'checkin:' || p.id || ':%'
            JOIN openings o ON o.id = p.opening_id;
        CREATE TABLE placement_statistics (
            id INTEGER PRIMARY KEY,
            placement_id INTEGER UNIQUE REFERENCES placements (id) ON DELETE SET NULL,
            kind TEXT NOT NULL,
            target_group TEXT,
            age_band TEXT,
            start_month TEXT NOT NULL,
            end_month TEXT,
            paid_hours_reached INTEGER NOT NULL,
            days_to_paid_hours INTEGER,
            outcome TEXT
        );
        """
    )
    # Placements that ended before this step get their row too (the same columns as
    # data.statistics writes; copied here so this step never changes with later code).
    db.execute(
        """
        INSERT INTO placement_statistics (placement_id, kind, target_group, age_band, start_month,
            end_month, paid_hours_reached, days_to_paid_hours, outcome)
        SELECT p.id, p.kind, c.target_group,
               CASE WHEN c.age IS NULL THEN NULL WHEN c.age < 18 THEN 'under 18'
                    WHEN c.age < 25 THEN '18-24' WHEN c.age < 30 THEN '25-29' WHEN c.age < 40 THEN '30-39'
                    WHEN c.age < 50 THEN '40-49' WHEN c.age < 60 THEN '50-59' ELSE '60+' END,
               substr(p.start_date, 1, 7), substr(p.end_date, 1, 7),
               p.paid_hours_since IS NOT NULL,
               CASE WHEN p.paid_hours_since IS NULL THEN NULL
                    ELSE MAX(0, CAST(julianday(p.paid_hours_since) - julianday(p.start_date) AS INTEGER)) END,
               p.outcome
        FROM placements p JOIN citizens c ON c.id = p.citizen_id
        WHERE p.status = 'ended'
        """)
@step(17)
def case_reference(db):
    # citizens.case_reference: the provider's own reference ("Sagsreference"), so two citizens
    # with the same first name can be told apart. Never a CPR number (data.exchange refuses one).
    db["citizens"].add_column("case_reference", str)


@step(9)
def security_fixes(db):
    # consultant_sessions: every browser log-in, so "Log ud" ends it on the server (a copied
    # cookie opens nothing afterwards) and "Log ud på alle enheder", deactivation and a new
    # password end all of an account's sessions. Only a hash of the session's id is stored.
    # registrations.sender_email: who sent a submission (the typed contact e-mail on the public
    # form, the contact on record for the private link); other_sender marks a submission from
    # an address other than the one on record, which never replaces what the first contact
    # wrote and never gets a link before a consultant approves it.
    db["registrations"].add_column("sender_email", str)
    db["registrations"].add_column("other_sender", int, not_null_default=0)
    _run_script(db,
        """
        CREATE TABLE consultant_sessions (
            id_hash TEXT PRIMARY KEY,
            consultant_id INTEGER NOT NULL REFERENCES consultants (id) ON DELETE CASCADE,
            created_at TEXT NOT NULL
        );
        CREATE INDEX consultant_sessions_consultant ON consultant_sessions (consultant_id, created_at);
        """
    )
# What the matcher reads, per table: a change to any other column (updated_at, a link nonce,
# an opening's position) leaves the match index alone.
MATCHED_EMPLOYER_COLUMNS = ("id", "status", "name", "industry", "lat", "lon", "languages")
MATCHED_OPENING_COLUMNS = ("id", "employer_id", "title", "tasks", "hours_min", "hours_max", "shifts",
                           "paid_hours", "trial_weeks", "can_meet", "cannot_meet", "seats", "active")


@step(13)
def match_changes(db):
    # Issue 11: only changes to what is matched (approved employers and their openings) move the
    # registry version, and each such change is logged with its employer, so a process holding
    # a match index (in memory or persisted beside the database) can update just the employers
    # changed since its version instead of rebuilding. A pending or rejected sign-up never
    # appears here. `pruned_through`: log rows up to that version have been deleted (the
    # nightly refresh), so an index older than it must be rebuilt.
    _run_script(db,
        """
        CREATE TABLE match_changes (
            version INTEGER PRIMARY KEY,
            employer_id TEXT NOT NULL
        );
        """
    )
    db.execute("ALTER TABLE registry_version ADD COLUMN pruned_through INTEGER NOT NULL DEFAULT 0")
    # Which database this is: an index persisted for another file that now lies at the same
    # path (a copy, a fresh database) is never taken for this one's.
    db.execute("ALTER TABLE registry_version ADD COLUMN registry_id TEXT NOT NULL DEFAULT ''")
    db.execute("UPDATE registry_version SET pruned_through = version, registry_id = lower(hex(randomblob(16))) "
               "WHERE id = 1")
    for table in ("employers", "openings"):
        for event in ("insert", "update", "delete"):
            db.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_bumps_version")
    approved = "(SELECT status FROM employers WHERE id = {}) = 'approved'"
    triggers = {
        "employers_insert": ("INSERT", "NEW.status = 'approved'", "NEW.id"),
        "employers_update": (f"UPDATE OF {', '.join(MATCHED_EMPLOYER_COLUMNS)}",
                             "OLD.status = 'approved' OR NEW.status = 'approved'", "NEW.id"),
        "employers_delete": ("DELETE", "OLD.status = 'approved'", "OLD.id"),
        "openings_insert": ("INSERT", approved.format("NEW.employer_id"), "NEW.employer_id"),
        "openings_update": (f"UPDATE OF {', '.join(MATCHED_OPENING_COLUMNS)}",
                            f"{approved.format('OLD.employer_id')} OR {approved.format('NEW.employer_id')}",
                            "NEW.employer_id"),
        # An employer's own deletion is logged above; its openings then go by cascade unlogged.
        "openings_delete": ("DELETE", approved.format("OLD.employer_id"), "OLD.employer_id"),
    }
    for name, (event, condition, employer) in triggers.items():
        table = name.split("_")[0]
        db.execute(
            f"CREATE TRIGGER {name}_changes_matching AFTER {event} ON {table} WHEN {condition} BEGIN "
            "UPDATE registry_version SET version = version + 1 WHERE id = 1; "
            f"INSERT INTO match_changes (version, employer_id) "
            f"VALUES ((SELECT version FROM registry_version WHERE id = 1), {employer}); END"
        )


@step(15)
def outcomes(db):
    # Outcomes (issue 12).
    # - placement_followups: where the citizen stood N months after the placement ended (the
    #   "afgangsstatus" at each of config.followup_months), recorded by the consultant; goes with
    #   the placement when the citizen is erased.
    # - placement_statistics.consultant_id: whose caseload the placement was in when it ended, so
    #   the Resultater page can narrow to one consultant's figures after the citizen is gone.
    # - placement_statistics_statuses: the anonymous copy of the follow-up statuses, one row per
    #   statistics row and point; it stays with its statistics row (which outlives the person).
    # - placement_statistics.demo: rows made up by `smajobs demo` (a seeded history), so the
    #   Resultater page can say that its figures include demo data.
    db["placement_statistics"].add_column("consultant_id", int)
    db["placement_statistics"].add_column("demo", int, not_null_default=0)
    _run_script(db,
        """
        CREATE TABLE placement_followups (
            placement_id INTEGER NOT NULL REFERENCES placements (id) ON DELETE CASCADE,
            months INTEGER NOT NULL CHECK (months BETWEEN 1 AND 60),
            status TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            recorded_by INTEGER REFERENCES consultants (id) ON DELETE SET NULL,
            PRIMARY KEY (placement_id, months)
        );
        CREATE TABLE placement_statistics_statuses (
            statistics_id INTEGER NOT NULL REFERENCES placement_statistics (id) ON DELETE CASCADE,
            months INTEGER NOT NULL,
            status TEXT NOT NULL,
            PRIMARY KEY (statistics_id, months)
        );
        CREATE INDEX placement_statistics_end ON placement_statistics (end_month);
        UPDATE placement_statistics SET consultant_id = (
            SELECT k.id FROM placements p JOIN citizens c ON c.id = p.citizen_id
            JOIN consultants k ON k.email = c.consultant_email
            WHERE p.id = placement_statistics.placement_id);
        """
    )


@step(16)
def second_factor(db):
    # Two-factor codes and single sign-on (issue 14).
    # - consultants.totp_secret: the authenticator app's shared secret, encrypted with a key made
    #   from the app's secret key (web.twofactor), so a copy of the database or a backup alone
    #   cannot make codes; NULL while none is set up. totp_last_step: the 30-second time step of
    #   the last code accepted, so each code works once. second_factor_reset_at/_by: the last
    #   reset by an admin ("admin:<id>") or the command line ("cli"), a plain record of who did it.
    # - recovery_codes: ten single-use codes per set-up, stored as argon2 hashes like passwords.
    # - consultant_sessions.second_factor: how this log-in passed the second factor ('totp',
    #   'recovery', or 'sso' for the organisation's log-in); NULL after the password alone.
    db["consultants"].add_column("totp_secret", str)
    db["consultants"].add_column("totp_last_step", int)
    db["consultants"].add_column("totp_enabled_at", str)
    db["consultants"].add_column("second_factor_reset_at", str)
    db["consultants"].add_column("second_factor_reset_by", str)
    db["consultant_sessions"].add_column("second_factor", str)
    _run_script(db,
        """
        CREATE TABLE recovery_codes (
            id INTEGER PRIMARY KEY,
            consultant_id INTEGER NOT NULL REFERENCES consultants (id) ON DELETE CASCADE,
            code_hash TEXT NOT NULL,
            used_at TEXT
        );
        CREATE INDEX recovery_codes_consultant ON recovery_codes (consultant_id);
        """
    )


@step(18)
def cancelled_placements(db):
    # Issue 10: a forløb made by mistake is cancelled ('cancelled', with an optional
    # cancel_reason) instead of "ended" with a made-up outcome. SQLite cannot change a CHECK in
    # place, and sqlite-utils' transform would drop the table's other CHECKs, so the table is
    # rebuilt by SQLite's own procedure (foreign keys are off during a step, see data.db._apply).
    _run_script(db,
        """
        CREATE TABLE placements_new (
            id INTEGER PRIMARY KEY,
            citizen_id TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
            opening_id TEXT NOT NULL REFERENCES openings (id),
            kind TEXT NOT NULL CHECK (kind IN ('virksomhedspraktik', 'hybridpraktik', 'smajob', 'fleksjob')),
            status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'active', 'ended', 'cancelled')),
            start_date TEXT NOT NULL,
            planned_end_date TEXT,
            end_date TEXT,
            hours_per_week REAL NOT NULL DEFAULT 0,
            paid_hours_per_week REAL NOT NULL DEFAULT 0,
            hourly_wage REAL,
            trial_weeks INTEGER NOT NULL DEFAULT 0,
            outcome TEXT CHECK (outcome IS NULL OR outcome IN ('beskaeftigelse', 'uddannelse', 'fleksjob',
                'ledighed', 'sygedagpenge', 'anden_offentlig_forsoergelse', 'foertidspension', 'selvforsoerget')),
            created_by INTEGER REFERENCES consultants (id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            paid_hours_since TEXT,
            cancel_reason TEXT
        );
        INSERT INTO placements_new (id, citizen_id, opening_id, kind, status, start_date, planned_end_date,
            end_date, hours_per_week, paid_hours_per_week, hourly_wage, trial_weeks, outcome, created_by,
            created_at, updated_at, paid_hours_since)
        SELECT id, citizen_id, opening_id, kind, status, start_date, planned_end_date, end_date, hours_per_week,
            paid_hours_per_week, hourly_wage, trial_weeks, outcome, created_by, created_at, updated_at,
            paid_hours_since
        FROM placements;
        DROP TABLE placements;
        ALTER TABLE placements_new RENAME TO placements;
        CREATE INDEX placements_citizen ON placements (citizen_id);
        CREATE INDEX placements_opening ON placements (opening_id, status);
        """
    )


@step(19)
def taught_links(db):
    # Issue 13: links a consultant teaches between a word and a field of work, for the whole
    # organisation (data.taught_links). AUTOINCREMENT: a removed link's id is never given again.
    # `taught_version` is what a process holding the links in memory reads on every match:
    # `links` moves with the links, `learning` with what the pairings learnt from started forløb
    # are computed from (forløb started or changed, a citizen's interests changed or erased).
    _run_script(db,
        """
        CREATE TABLE taught_links (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            term TEXT NOT NULL,
            field TEXT NOT NULL,
            created_by INTEGER REFERENCES consultants (id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            UNIQUE (term, field)
        );
        CREATE TABLE taught_version (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            links INTEGER NOT NULL,
            learning INTEGER NOT NULL
        );
        INSERT INTO taught_version VALUES (1, 0, 0);
        """
    )
    # A registry upsert writes every column of a changed citizen: only a real change of the
    # interests (or of a forløb's status) moves the learning version.
    bumps = {
        "taught_links_insert": ("INSERT ON taught_links", "", "links"),
        "taught_links_delete": ("DELETE ON taught_links", "", "links"),
        "placements_insert": ("INSERT ON placements", "", "learning"),
        "placements_status": ("UPDATE OF status, opening_id, citizen_id ON placements",
                              "WHEN OLD.status IS NOT NEW.status OR OLD.opening_id IS NOT NEW.opening_id "
                              "OR OLD.citizen_id IS NOT NEW.citizen_id", "learning"),
        "placements_delete": ("DELETE ON placements", "", "learning"),
        "citizens_interests": ("UPDATE OF interests ON citizens", "WHEN OLD.interests IS NOT NEW.interests",
                               "learning"),
        "citizens_delete": ("DELETE ON citizens", "", "learning"),
    }
    for name, (event, condition, column) in bumps.items():
        db.execute(f"CREATE TRIGGER {name}_bumps_taught AFTER {event} {condition} "
                   f"BEGIN UPDATE taught_version SET {column} = {column} + 1 WHERE id = 1; END")


@step(21)
def results_figures_index(db):
    # Resultater (issue 12) counts a period's anonymous rows by target group, outcome, month and
    # paid hours. With an index on end_month alone, a year of 100,000 forløb is a third of the
    # table read row by row through the index; this one holds every column those counts and the
    # filters read (and the rowid for the statuses), so they read the index only. It starts with
    # end_month, so it does all the old index did.
    _run_script(db,
        """
        CREATE INDEX placement_statistics_figures ON placement_statistics (end_month, target_group, outcome,
            paid_hours_reached, demo, days_to_paid_hours, kind, consultant_id);
        DROP INDEX placement_statistics_end;
        """
    )
