"""The one config object. Values come from keyword overrides, then SMAJOBS_* environment
variables, then defaults that suit a demo on one machine."""
from __future__ import annotations

import os
import secrets
import time
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path

DEFAULT_DB = "instance/smajobs.db"


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the variable and says why, in Danish."""


_TRUE = ("1", "true", "yes", "on", "ja")
_FALSE = ("0", "false", "no", "off", "nej", "")


def _env(name: str, default):
    variable = f"SMAJOBS_{name.upper()}"
    raw = os.environ.get(variable)
    if raw is None:
        return default
    if isinstance(default, bool):
        # A typo such as "treu" must not quietly mean False for a security setting.
        value = raw.strip().lower()
        if value not in _TRUE + _FALSE:
            raise ConfigError(f"{variable} skal være 1/0, true/false eller ja/nej, ikke '{raw}'.")
        return value in _TRUE
    try:
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw.replace(",", "."))
    except ValueError:
        kind = "et heltal" if isinstance(default, int) else "et tal"
        raise ConfigError(f"{variable} skal være {kind}, ikke '{raw}'.") from None
    return raw


SECRET_KEY_FILE = "secret_key"


def stored_secret_key(db_path: Path) -> str:
    """The key kept beside the database, made on first use. O_EXCL makes two processes that start
    together agree: one writes it, the other reads what was written."""
    path = db_path.parent / SECRET_KEY_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return _read_key(path)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32) + "\n")
        return _read_key(path)
    except OSError as error:
        raise ConfigError(f"Kan ikke gemme den hemmelige nøgle i {path}: {error.strerror or error}. "
                          "Sæt SMAJOBS_SECRET_KEY i stedet.") from None


def _read_key(path: Path) -> str:
    for _ in range(50):  # the other process may be between creating the file and writing it
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
        time.sleep(0.01)
    raise ConfigError(f"Den hemmelige nøgle i {path} er tom. Slet filen, eller sæt SMAJOBS_SECRET_KEY.")


_NOT_NEGATIVE = ("proxy_hops", "session_hours", "smtp_port", "smtp_timeout", "outbox_max_attempts",
                 "retention_notice_days", "registration_retention_days", "web_workers")


def parse_followup_months(text: str) -> tuple[int, ...]:
    parts = [part.strip() for part in str(text).split(",") if part.strip()]
    if not parts or not all(part.isdigit() and 1 <= int(part) <= 60 for part in parts):
        raise ConfigError("SMAJOBS_OUTCOME_FOLLOWUP_MONTHS skal være hele måneder fra 1 til 60, adskilt af komma "
                          f"(fx 2,6,12), ikke '{text}'.")
    return tuple(sorted({int(part) for part in parts}))


@dataclass(frozen=True)
class Config:
    db: str = DEFAULT_DB
    # Signs sessions and the links in e-mails (employer update, check-in). Every process must
    # use the same key, or a link queued by the scheduler is refused by the web app: without
    # SMAJOBS_SECRET_KEY, load() keeps a generated key in a file beside the database.
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    base_url: str = "http://127.0.0.1:5000"
    session_hours: int = 8
    # Cookies only over https. Unset, load() turns it on when base_url starts with https://;
    # SMAJOBS_SECURE_COOKIES=0/1 decides either way. On, pages also send Strict-Transport-Security.
    secure_cookies: bool = False
    # How many reverse proxies sit in front of the web app. Behind one (nginx, a load balancer),
    # set 1 so the client address (rate limit) and https scheme come from X-Forwarded-*; with 0
    # those headers are ignored, because anyone can send them.
    proxy_hops: int = 0
    # E-mail: "smtp" sends over SMTP; "files" writes .eml files to mail_dir (the demo default).
    mail_transport: str = "files"
    mail_dir: str = "instance/mail"
    mail_from: str = "smajobs@localhost"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    # Implicit TLS from the first byte (SMTPS, usually port 465); the alternative to STARTTLS.
    smtp_ssl: bool = False
    # PEM file of the CA certificate(s) that may sign the SMTP server's certificate, for a relay
    # with an internal CA. It replaces the system trust store; empty uses the system store.
    # Verification itself cannot be turned off.
    smtp_ca_file: str = ""
    smtp_timeout: float = 30.0
    outbox_max_attempts: int = 6
    # When the scheduler queues the daily digest, Danish wall-clock time (core.clock.COPENHAGEN:
    # the product is Danish, so there is no time zone setting).
    digest_time: str = "07:30"
    # Rate limit for the public employer form, per client address: real submissions only (not
    # "Tilføj endnu et småjob" or a round trip with errors).
    signup_rate_limit: str = "10 per hour"
    # The employer form's limit on every POST (adding an opening, errors...), against floods.
    signup_flood_limit: str = "200 per hour"
    # Requests for a new private link on the public "Få et nyt link" form, per client address.
    signup_link_rate_limit: str = "10 per hour"
    # The employer form's instant postcode look-ups, per client address.
    signup_postcode_rate_limit: str = "60 per minute"
    # Log-in throttle (web/auth.py), each a limit string; several joined by ";" are all applied,
    # which makes the wait grow with the count. More attempts answer 429 with a Danish message on
    # the form until the window has passed. A browser that has logged in with an e-mail before
    # holds a signed device cookie for it and is counted only per device, so guessing elsewhere
    # never locks the owner out; every other attempt counts per e-mail and client address
    # together (cleared by a success from there), per client address (any e-mail) and against
    # the ceiling per e-mail (from anywhere, successes included, never cleared by one).
    login_limit_per_email_and_address: str = "5 per minute; 10 per hour; 20 per day"
    login_limit_per_email: str = "50 per hour"
    login_limit_per_address: str = "100 per hour"
    login_limit_per_device: str = "10 per 15 minutes"
    # Where the limits above count (Flask-Limiter storage URI). Empty: a small SQLite file beside
    # the database, `<database>.limits` (data.limit_store), which every web worker process of
    # `smajobs serve` on this machine shares. memory:// counts per process (each worker would let
    # the whole limit through); redis://host:6379 shares them between machines.
    rate_limit_storage: str = ""
    # Reminder rules (jobs/rules_config.py): JSON overriding the defaults, per target group and
    # the socialt frikort ceiling for years our reference file has no figure for, e.g.
    # {"default": {"follow_up_every_days": 14}, "target_groups": {"Unge under 30 år":
    # {"follow_up_every_days": 7}}, "frikort_ceiling_fallback": {"2026": 42766}}. Empty: defaults.
    rules: str = ""
    # --- Erasure and retention (issue 9) ---
    # A citizen is erased automatically this many months after their last placement (forløb)
    # ended, or after their last activity if they never had one. At least 1.
    retention_months: int = 12
    # How many days before that erasure the consultant gets the reminder "Borger … slettes om
    # N dage", with the choice to keep the citizen one more period.
    retention_notice_days: int = 30
    # Rejected and superseded employer registrations are removed after this many days.
    registration_retention_days: int = 30
    # When the scheduler's daily retention job runs, Danish wall-clock time (it also runs once
    # when the scheduler starts).
    retention_time: str = "03:15"
    # --- audit trail (data/audit.py) ---
    # How long the Adgangslog keeps its rows, in months; the scheduler's daily job removes older
    # ones (at least 1).
    audit_retention_months: int = 24
    # --- Backups (data/backup.py; the scheduler's nightly job, the Drift admin page) ---
    # Folder for the scheduler's nightly backups (created mode 700). Empty: the scheduler makes
    # none, and the Drift page does not warn about missing backups.
    backup_dir: str = ""
    # How many nightly backups to keep in backup_dir; older ones are deleted after a new one
    # succeeded. At least 1.
    backup_keep: int = 14
    # When the nightly backup runs, Danish wall-clock time (like digest_time).
    backup_time: str = "02:30"
    # --- the match index (issue 11) ---
    # Danish time (HH:MM) of the scheduler's nightly refresh of the match index: a full build
    # that fits the text model on every opening again, persisted beside the database.
    match_index_refresh_time: str = "02:30"
    # --- Outcomes (issue 12: data/outcomes.py, the Resultater page, the yearly report) ---
    # The fixed points after a forløb ended, in months, at which the consultant records where the
    # citizen stands ("afgangsstatus"), comma-separated, e.g. "2,6,12". 2 is the providers' own
    # measure; 6 and 12 are Jobindsats' points. Each is a whole number from 1 to 60.
    outcome_followup_months: str = "2"
    # --- Log-in: two-factor codes and single sign-on (issue 14; web/twofactor.py, web/sso.py) ---
    # Who must use a second factor (an authenticator app's code) after the password: "admins"
    # (the default) or "all". Anyone who has set one up is asked for it either way. Someone who
    # must but has not set one up sees only the set-up page after the password.
    require_2fa: str = "admins"
    # Code guessing after a correct password, throttled like the password (limit strings, see
    # login_limit_*): a browser holding a device cookie for the e-mail counts only per device,
    # so guessing elsewhere never locks the owner out; every other attempt counts per account
    # and client address together and against a ceiling per account.
    second_factor_limit_per_device: str = "10 per 15 minutes"
    second_factor_limit_per_account_and_address: str = "5 per minute; 10 per hour; 20 per day"
    second_factor_limit_per_account: str = "30 per hour; 60 per day"
    # OpenID Connect single sign-on: the issuer URL (its /.well-known/openid-configuration is
    # read), and the client id and secret of småjobs' app registration. All three set: the
    # log-in page offers "Log ind med organisationens konto".
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    # A value of the ID token's "groups" claim (in Entra ID the group's object id) whose members
    # are administrators in småjobs; the others are consultants. Empty: roles are set in småjobs.
    oidc_admin_group: str = ""
    # Password log-in. Off (only with SSO configured) refuses it for everyone but
    # break_glass_admin, an admin's e-mail kept for when the identity provider is down.
    local_login: bool = True
    break_glass_admin: str = ""
    # --- Several web processes (speed) ---
    # How many worker processes `smajobs serve` starts (each with 8 threads); 0: one per CPU core.
    # Python runs one thread at a time per process, so one process uses one core at most.
    web_workers: int = 0

    @classmethod
    def load(cls, **overrides) -> "Config":
        values = {}
        for f in fields(cls):
            if f.name in overrides and overrides[f.name] is not None:
                values[f.name] = overrides[f.name]
                continue
            # Fields without a factory have default_factory MISSING (not None); only factory
            # fields (secret_key) take the raw string, the rest are typed by their default.
            default = f.default
            if f.default_factory is not MISSING:  # type: ignore[misc]
                raw = os.environ.get(f"SMAJOBS_{f.name.upper()}")
                if raw is not None:
                    values[f.name] = raw
                continue
            values[f.name] = _env(f.name, default)
        if overrides.get("secure_cookies") is None and "SMAJOBS_SECURE_COOKIES" not in os.environ:
            # A site served over https must not send its session cookie over plain http.
            values["secure_cookies"] = str(values["base_url"]).lower().startswith("https://")
        if "secret_key" not in values:
            values["secret_key"] = stored_secret_key(Path(values["db"]))
        return cls(**values)

    def __post_init__(self) -> None:
        # Counts, ports and durations below zero would fail far from here (a negative proxy
        # count breaks every request inside ProxyFix); refuse them where they are set.
        for name in _NOT_NEGATIVE:
            if getattr(self, name) < 0:
                raise ConfigError(f"SMAJOBS_{name.upper()} skal være 0 eller mere, ikke {getattr(self, name)}.")
        if self.retention_months < 1:
            # 0 would erase every citizen without a running placement at the next daily pass.
            raise ConfigError(f"SMAJOBS_RETENTION_MONTHS skal være 1 eller mere, ikke {self.retention_months}.")
        if self.audit_retention_months < 1:
            raise ConfigError("SMAJOBS_AUDIT_RETENTION_MONTHS skal være mindst 1 (måneder), "
                              f"ikke {self.audit_retention_months}.")
        parse_followup_months(self.outcome_followup_months)  # refuses a bad list where it is set
        self._check_login_settings()

    @property
    def followup_months(self) -> tuple[int, ...]:
        """The follow-up points of `outcome_followup_months`, sorted, without repeats."""
        return parse_followup_months(self.outcome_followup_months)

    def _check_login_settings(self) -> None:
        if self.require_2fa not in ("admins", "all"):
            raise ConfigError(f"SMAJOBS_REQUIRE_2FA skal være 'admins' eller 'all', ikke '{self.require_2fa}'.")
        oidc = (self.oidc_issuer, self.oidc_client_id, self.oidc_client_secret)
        if any(oidc) and not all(oidc):
            raise ConfigError("Single sign-on kræver både SMAJOBS_OIDC_ISSUER, SMAJOBS_OIDC_CLIENT_ID og "
                              "SMAJOBS_OIDC_CLIENT_SECRET.")
        if not self.local_login and not self.oidc_enabled:
            raise ConfigError("SMAJOBS_LOCAL_LOGIN=off kræver single sign-on (SMAJOBS_OIDC_ISSUER m.fl.), "
                              "ellers kan ingen logge ind.")

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    def with_(self, **changes) -> "Config":
        return replace(self, **changes)

    @property
    def db_path(self) -> Path:
        return Path(self.db)
