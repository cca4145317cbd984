"""Who is asking: consultant log-in (Flask-Login, argon2 hashes), API tokens and access checks.

Every view that shows citizen data goes through `citizen_or_404`: another consultant's
citizen answers 404, as if it did not exist, so ids cannot be probed.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from core import clock
from data import accounts, registry
from web import limits, twofactor
from web.db import get_db
from web.links import timed_serializer

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so a wrong e-mail costs as long as a wrong
    password. Made on first need: hashing takes a noticeable fraction of a second at start-up."""
    return _hasher.hash(secrets.token_hex(16))


class Consultant(UserMixin):
    def __init__(self, row: dict, *, second_factor: str | None = None, via_token: bool = False):
        self.id = row["id"]
        self.email = row["email"]
        self.name = row["name"] or row["email"]
        self.role = row["role"]
        self.active = bool(row["active"])
        self.password_hash = row["password_hash"]
        self.has_totp = bool(row["totp_secret"])
        # How this browser session passed the second factor ('totp', 'recovery', 'sso'); None
        # after the password alone. A request with an API token is no session (via_token).
        self.second_factor = second_factor
        self.via_token = via_token

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        # The session names the password it was opened with: a new password (smajobs
        # set-password) ends the consultant's other sessions at their next request.
        return f"{self.id}:{session_marker(self.password_hash)}"


def session_marker(password_hash: str | None) -> str:
    """A short keyed digest of the stored hash, so the cookie carries nothing of the hash itself."""
    key = str(current_app.secret_key).encode()
    return hmac.new(key, (password_hash or "").encode(), hashlib.sha256).hexdigest()[:20]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_api_token() -> tuple[str, str]:
    """A fresh token and the hash to store; the token itself is shown once and never stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_api_token(token)


def hash_api_token(token: str) -> str:
    # Tokens are long and random, so a fast hash is enough; passwords get argon2.
    return hashlib.sha256(token.encode()).hexdigest()


@login_manager.user_loader
def load_consultant(session_id: str):
    """The consultant of a session, read from the database on every request: a consultant
    deactivated (smajobs deactivate-consultant) or given a new password is logged out at the
    next request."""
    consultant_id, _, marker = session_id.partition(":")
    if not consultant_id.isdigit():
        return None
    row = accounts.consultant_by_id(get_db(), int(consultant_id))
    if row is None or not row["active"] or not hmac.compare_digest(marker, session_marker(row["password_hash"])):
        return None
    # Ended on the server ("Log ud", "Log ud på alle enheder", deactivation, a new password):
    # a copy of the cookie opens nothing any more.
    sid = session.get("sid")
    if not isinstance(sid, str):
        return None
    open_session = accounts.open_session_row(get_db(), row["id"], session_key(sid), hours=_session_hours())
    if open_session is None:
        return None
    return Consultant(row, second_factor=open_session["second_factor"])


def session_key(sid: str) -> str:
    # Long and random like an API token, so the same fast hash; the database never holds the id.
    return hash_api_token(sid)


def _session_hours() -> float:
    return current_app.config["SMAJOBS"].session_hours


def open_session(row: dict, second_factor: str | None = None) -> None:
    """A fresh session for this log-in, recorded on the server so it can be ended there;
    `second_factor` when the log-in already passed one (single sign-on)."""
    session.clear()
    session.permanent = True
    sid = secrets.token_urlsafe(32)
    accounts.open_session(get_db(), row["id"], session_key(sid), hours=_session_hours(),
                          second_factor=second_factor)
    session["sid"] = sid
    login_user(Consultant(row, second_factor=second_factor))


def current_session_key() -> str | None:
    sid = session.get("sid")
    return session_key(sid) if isinstance(sid, str) else None


@login_manager.request_loader
def load_consultant_from_token(req):
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return consultant_for_token(header[7:].strip())


def consultant_for_token(token: str) -> Consultant | None:
    """The active consultant an API token belongs to, noting when the token was used (at most
    once a minute per token, see data.accounts.record_token_use)."""
    row = accounts.consultant_by_token_hash(get_db(), hash_api_token(token))
    if row is None:
        return None
    accounts.record_token_use(get_db(), row["token_id"], clock.now(), row["token_last_used_at"])
    return Consultant(row, via_token=True)


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def may_see_citizen(citizen: dict) -> bool:
    return current_user.is_authenticated and (
        current_user.is_admin or (citizen.get("consultant") or "").lower() == current_user.email.lower()
    )


def citizen_or_404(citizen_id: str) -> dict:
    citizen = registry.get_citizen(get_db(), citizen_id)
    if citizen is None or not may_see_citizen(citizen):
        abort(404)
    return citizen


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired("Skriv din e-mail."), Email("Ugyldig e-mail."),
                                             Length(max=200)])
    password = PasswordField("Adgangskode", validators=[DataRequired("Skriv din adgangskode."),
                                                        Length(max=200)])


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        attempt = _login_attempt_keys(email, trusted_device(email))
        wait = take_attempt(attempt)
        if wait:
            # Refused before the password is checked: a guess made now tells nothing.
            return _login_refused(form, wait)
        row = accounts.consultant_by_email(get_db(), email)
        if not local_login_allowed(email):
            # Same cost as a real check, so the answer tells nothing about the account.
            verify_password(None, form.password.data)
            form.password.errors.append("Log ind med adgangskode er slået fra. Brug knappen "
                                        "\"Log ind med organisationens konto\".")
        elif row and row["active"] and verify_password(row["password_hash"], form.password.data):
            # This browser's own failures are forgiven. The address and the ceiling per e-mail
            # keep their counts, this attempt included: an own account, or the owner logging
            # in, must not reset a guessing spree.
            forgive_attempt(attempt)
            return _after_password(row, email)
        else:
            form.password.errors.append("Forkert e-mail eller adgangskode.")
    return login_page(form, 200 if request.method == "GET" or not form.errors else 400)


def login_page(form, status: int, **extra):
    config = current_app.config["SMAJOBS"]
    provider_logout = session.pop("provider_logout", None) if not current_user.is_authenticated else None
    return render_template("login.html", form=form, sso=config.oidc_enabled, local_login=config.local_login,
                           provider_logout=provider_logout, **extra), status


def local_login_allowed(email: str) -> bool:
    """Password log-in is on, or off for everyone but the named break-glass admin."""
    config = current_app.config["SMAJOBS"]
    return config.local_login or (bool(config.break_glass_admin)
                                  and email == config.break_glass_admin.strip().lower())


def _after_password(row: dict, email: str):
    """The password was right: open the session, then the second factor when one is needed. The
    device cookie comes only with the last factor: a password alone must not earn a fresh count
    for guessing codes."""
    open_session(row)
    target = safe_next(request.args.get("next"))
    step = twofactor.needed_after_password(row, current_app.config["SMAJOBS"])
    if step == "code":
        return redirect(url_for("second_factor.enter_code", next=target))
    if step == "setup":
        return redirect(url_for(twofactor.SETUP_ENDPOINT))
    response = redirect(target)
    set_device_cookie(response, email)
    return response


def forgive_attempt(attempt: list[tuple[str, ...]]) -> None:
    for setting, *identity in attempt:
        if setting in FORGIVEN_ON_SUCCESS:
            limits.forget(setting, *identity)


def login_page_after_expiry():
    """The log-in form again, for a log-in sent after its session (and CSRF token) expired, as
    when the page stood open overnight: the e-mail kept, never the password, a fresh token (made
    when the form is drawn) and a note why. Nothing was checked or counted."""
    form = LoginForm(formdata=None, email=request.form.get("email", "").strip()[:200])
    return login_page(form, 400, notice="Siden var udløbet. Log ind igen.")


def _login_refused(form: LoginForm, wait: int):
    form.password.errors.append(f"For mange forkerte forsøg på at logge ind. Vent {wait} "
                                f"{'minut' if wait == 1 else 'minutter'}, og prøv igen.")
    return login_page(form, 429)


# --- who is throttled: device cookies -------------------------------------------------------------
# OWASP's "device cookies": a browser that has logged in with an e-mail gets a signed cookie for
# that e-mail. Its attempts are counted only per device cookie, so nobody guessing elsewhere can
# lock the owner out. Every other attempt counts per e-mail and client address together (growing
# waits for one guesser), per client address (one place trying many accounts) and against a
# ceiling per e-mail from anywhere (many places guessing one account).

DEVICE_COOKIE_SALT = "smajobs.login-device.v1"  # single purpose: this salt signs nothing else
DEVICE_COOKIE_MAX_AGE = timedelta(days=180)
FORGIVEN_ON_SUCCESS = ("login_limit_per_email_and_address", "login_limit_per_device",
                       "second_factor_limit_per_account_and_address", "second_factor_limit_per_device")


def _device_cookie_name(email: str) -> str:
    # One cookie per e-mail, so people sharing a computer keep theirs; the name carries a keyed
    # digest, never the e-mail itself.
    key = str(current_app.secret_key).encode()
    return "enhed-" + hmac.new(key, email.encode(), hashlib.sha256).hexdigest()[:16]


def _device_serializer(email: str):
    # The e-mail is part of the salt: a cookie made for one e-mail is not valid for another.
    return timed_serializer(str(current_app.secret_key), f"{DEVICE_COOKIE_SALT}:{email}")


def trusted_device(email: str) -> str | None:
    """The nonce of this browser's valid device cookie for this e-mail; None without one."""
    cookie = request.cookies.get(_device_cookie_name(email))
    if not cookie:
        return None
    try:
        nonce = _device_serializer(email).loads(cookie, max_age=int(DEVICE_COOKIE_MAX_AGE.total_seconds()))
    except BadSignature:  # SignatureExpired included
        return None
    return nonce if isinstance(nonce, str) else None


def set_device_cookie(response, email: str) -> None:
    """A fresh device cookie after each successful log-in (a new nonce: a fresh count)."""
    response.set_cookie(_device_cookie_name(email), _device_serializer(email).dumps(secrets.token_urlsafe(16)),
                        max_age=int(DEVICE_COOKIE_MAX_AGE.total_seconds()), path=url_for("auth.login"),
                        secure=current_app.config["SMAJOBS"].secure_cookies, httponly=True, samesite="Lax")


def _login_attempt_keys(email: str, device: str | None) -> list[tuple[str, ...]]:
    """What an attempt counts against, as (setting, identity...). A browser with a valid device
    cookie for the e-mail: only that cookie. Any other: the client address first, so an attempt
    it refuses is not counted against the e-mail's owner; then the e-mail and address together;
    the ceiling per e-mail last."""
    if device is not None:
        return [("login_limit_per_device", device)]
    address = limits.client_address()
    return [("login_limit_per_address", address), ("login_limit_per_email_and_address", email, address),
            ("login_limit_per_email", email)]


def take_attempt(attempt: list[tuple[str, ...]]) -> int:
    """Count this attempt before its password is checked; 0 when it fits within every limit, else
    the whole minutes until the oldest counted attempt leaves the window of a used-up limit.

    Counting first closes a race: if the view checked the limit, then the password, then counted
    a failure, many guesses sent at once would all pass the check before any was counted. A
    limit that is already used up is looked at first, so a refused attempt is counted nowhere;
    only two requests racing for the last place can leave one count on the address alone."""
    wait = _login_wait_minutes(attempt)
    if wait:
        return wait
    for setting, *identity in attempt:
        if not limits.take(setting, *identity):
            return max(1, limits.minutes_until_allowed(setting, *identity))
    return 0


def _login_wait_minutes(attempt: list[tuple[str, ...]]) -> int:
    """0 when one more attempt is allowed; else the whole minutes until the oldest counted
    attempt leaves the window of a limit that is used up."""
    return max((limits.minutes_until_allowed(setting, *identity) for setting, *identity in attempt), default=0)


@bp.route("/logout", methods=["POST"])
def logout():
    """End this browser's session, on the server too; after a log-in with the organisation's
    account, the log-in page then offers to log out there too."""
    key = current_session_key()
    provider_logout = None
    if key is not None:
        if accounts.session_second_factor(get_db(), key) == "sso":
            from web import sso
            provider_logout = sso.provider_logout_url()
        accounts.end_session(get_db(), key)
    return _logged_out("Du er logget ud.", provider_logout)


@bp.route("/logout/alle", methods=["POST"])
@login_required
def logout_everywhere():
    """End every session of this account, on every device (e.g. after forgetting to log out on
    a shared computer, or losing a phone)."""
    accounts.end_sessions(get_db(), current_user.id)
    return _logged_out("Du er logget ud på alle enheder.")


def _logged_out(message: str, provider_logout: str | None = None):
    logout_user()
    session.clear()
    if provider_logout:
        session["provider_logout"] = provider_logout
    flash(message)
    return redirect(url_for("auth.login"))


def is_local_path(target: str | None) -> bool:
    """A path on this site and nothing else. Browsers read "//host" and "/\\host" as another
    site, so both are refused, as are control characters that some browsers strip."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ord(character) < 32 for character in target):
        return False
    return not urlsplit(target).netloc


def safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after log-in is a phishing tool.
    return target if is_local_path(target) else url_for("home")


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log ind for at se siden."
    login_manager.session_protection = "strong"
    csrf.init_app(app)
