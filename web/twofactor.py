"""The second factor: codes from an authenticator app (TOTP, RFC 6238) and recovery codes.

- Codes are 6 digits for 30-second time steps (what Microsoft/Google Authenticator and 1Password
  make from an otpauth:// QR code). One step either side is accepted for clocks that drift, and
  each step works once: the account stores the last step used.
- The shared secret is stored encrypted with a key made from the app's secret key, so a copy of
  the database (a backup) alone cannot make codes. Rotating SMAJOBS_SECRET_KEY therefore means
  every consultant sets up their app again (an admin resets them).
- Recovery codes are random, shown once, and stored as argon2 hashes like passwords.

Who must use it: admins, or everyone with SMAJOBS_REQUIRE_2FA=all; anyone who has set it up is
asked for it either way. `guard` (a before_request hook) keeps a session that has not passed the
second factor on the code page, or on the set-up page when one must be set up.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, redirect, request, url_for
from flask_login import current_user

INTERVAL_SECONDS = 30
DIGITS = 6
# One time step either side of now: a phone's clock may be a little off.
VALID_WINDOW = 1
ISSUER = "småjobs"
# Blueprints a session may use before it has passed the second factor: log-in and log-out, the
# code page, single sign-on and the public pages (employer form, check-in, password link).
OPEN_BLUEPRINTS = {"auth", "second_factor", "sso", "signup", "checkin", "password_link", "api"}
SETUP_ENDPOINT = "account.setup"


# --- codes --------------------------------------------------------------------------------------

def new_secret() -> str:
    """A fresh base32 secret of 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def _totp(secret: str, digits: int = DIGITS) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=digits, interval=INTERVAL_SECONDS)


def time_step(moment: datetime) -> int:
    return int(moment.timestamp()) // INTERVAL_SECONDS


def matching_step(secret: str, code: str, moment: datetime, digits: int = DIGITS) -> int | None:
    """The time step (within one of `moment`'s) whose code is `code`; None when none is."""
    code = "".join(code.split())
    if len(code) != digits or not code.isdigit():
        return None
    totp = _totp(secret, digits)
    now_step = totp.timecode(moment)
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def setup_uri(secret: str, email: str) -> str:
    """The otpauth:// link an authenticator app reads from the QR code."""
    return _totp(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code as an SVG data: URI, drawn here (no outside service); the CSP allows data: images."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff")


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


# --- the secret at rest -------------------------------------------------------------------------

def _fernet() -> Fernet:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    # Its own key: nothing else the app encrypts or signs can be read as a TOTP secret.
    key = hmac.new(secret, b"smajobs totp secret v1", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(stored: str) -> str | None:
    """The secret, or None when it cannot be read (the app's secret key has changed)."""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        return None


# --- recovery codes -----------------------------------------------------------------------------

def new_recovery_codes(count: int) -> list[str]:
    """`count` codes of 50 random bits each, written as two groups of five (abcde-fghij)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to mistake
    codes = []
    for _ in range(count):
        letters = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{letters[:5]}-{letters[5:]}")
    return codes


def normal_recovery_code(code: str) -> str:
    """As hashed: lower case, without the dash and spaces people type or copy."""
    return "".join(character for character in code.lower() if character.isalnum())


# --- who must -----------------------------------------------------------------------------------

def must_use(role: str, config) -> bool:
    return config.require_2fa == "all" or role == "admin"


def needed_after_password(row: dict, config) -> str | None:
    """Where a password log-in goes next: "code" when the account has an app set up, "setup" when
    it must have one but has not, None when the password is enough."""
    if row["totp_secret"]:
        return "code"
    if must_use(row["role"], config):
        return "setup"
    return None


def owed_step() -> str | None:
    """"code" or "setup" while this browser's session still owes its second factor; None when
    it has passed it, needs none, or is no session (anonymous, or an API token)."""
    if not current_user.is_authenticated or current_user.via_token or current_user.second_factor:
        return None
    return needed_after_password({"totp_secret": current_user.has_totp, "role": current_user.role},
                                 current_app.config["SMAJOBS"])


def guard():
    """A session that has not passed the second factor gets the code page (or the set-up page
    when it must set one up) instead of any other page. API tokens are not sessions."""
    if request.endpoint in (None, "static", SETUP_ENDPOINT) or request.blueprint in OPEN_BLUEPRINTS:
        return None
    step = owed_step()
    if step == "code":
        # Back to the page asked for afterwards; a form sent (POST) is not sent again.
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("second_factor.enter_code", next=target))
    if step == "setup":
        return redirect(url_for(SETUP_ENDPOINT))
    return None


def init_app(app) -> None:
    app.before_request(guard)
