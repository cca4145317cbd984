"""The consultant's own page "Min konto" (`/konto`): setting up the authenticator app, and API
keys; and the code step of the log-in (`/login/kode`).

The set-up's new secret waits, encrypted, in this browser's session until the first code from
the app confirms it; only then is it stored, with ten recovery codes that are shown once.
Creating an API key needs a session that passed two factors (a key is as good as a log-in).
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from core import clock
from data import accounts
from web import auth, limits, twofactor
from web.db import get_db
from web.forms import plain_text_field

bp = Blueprint("account", __name__, url_prefix="/konto")
# Part of the log-in (like web.auth): reached after the password, before the session is whole.
code_bp = Blueprint("second_factor", __name__)

PENDING_KEY = "totp_pending"  # the session key of a set-up's secret, encrypted, until confirmed


class CodeForm(FlaskForm):
    code = StringField("Kode", validators=[DataRequired("Skriv koden fra din app."),
                                           Length(max=40, message="Koden er for lang.")])


class TokenForm(FlaskForm):
    label = StringField("Hvad skal nøglen bruges til?", validators=[
        Length(max=200, message="Højst 200 tegn."), plain_text_field])


def _row() -> dict:
    return accounts.consultant_by_id(get_db(), current_user.id)


# --- Min konto ----------------------------------------------------------------------------------

@bp.get("/")
@login_required
def index():
    row = _row()
    config = current_app.config["SMAJOBS"]
    return render_template("account/index.html", row=row, must=twofactor.must_use(row["role"], config),
                           recovery_left=len(accounts.unused_recovery_codes(get_db(), row["id"])),
                           tokens=accounts.api_tokens_of(get_db(), row["id"]), form=TokenForm(),
                           two_factor_session=bool(current_user.second_factor))


@bp.post("/api-noegle")
@login_required
def new_token():
    if not current_user.second_factor:
        flash("En API-nøgle kan kun laves, når du er logget ind med to faktorer: sæt en kode-app op, "
              "og log ind igen med kode.", "error")
        return redirect(url_for("account.index"))
    form = TokenForm()
    if not form.validate_on_submit():
        return redirect(url_for("account.index"))
    token, token_hash = auth.new_api_token()
    accounts.add_api_token(get_db(), current_user.id, token_hash, (form.label.data or "").strip())
    return render_template("account/token.html", token=token)


# --- setting up the app -------------------------------------------------------------------------

@bp.route("/to-faktor", methods=["GET", "POST"])
@login_required
def setup():
    row = _row()
    if row["totp_secret"]:
        return render_template("account/setup_done.html"), 200
    secret = _pending_secret()
    form = CodeForm()
    if form.validate_on_submit():
        step = twofactor.matching_step(secret, form.code.data, clock.now())
        if step is not None:
            return _confirm_setup(row, secret, step)
        form.code.errors.append("Koden passer ikke. Tjek, at appen viser koden for småjobs, og skriv den "
                                "nyeste kode (6 cifre).")
    uri = twofactor.setup_uri(secret, row["email"])
    return render_template("account/setup.html", form=form, qr=twofactor.qr_data_uri(uri),
                           secret=twofactor.grouped(secret),
                           must=twofactor.must_use(row["role"], current_app.config["SMAJOBS"])), \
        400 if form.errors else 200


def _pending_secret() -> str:
    """This browser's set-up secret: the same on every reload until confirmed, so a QR code
    scanned a moment ago still matches."""
    stored = session.get(PENDING_KEY)
    secret = twofactor.decrypt_secret(stored) if isinstance(stored, str) else None
    if secret is None:
        secret = twofactor.new_secret()
        session[PENDING_KEY] = twofactor.encrypt_secret(secret)
    return secret


def _confirm_setup(row: dict, secret: str, step: int):
    codes = twofactor.new_recovery_codes(accounts.RECOVERY_CODE_COUNT)
    hashes = [auth.hash_password(twofactor.normal_recovery_code(code)) for code in codes]
    if not accounts.enable_totp(get_db(), row["id"], twofactor.encrypt_secret(secret), step, hashes):
        return render_template("account/setup_done.html"), 409
    session.pop(PENDING_KEY, None)
    # This session has just shown the app's code: it has passed both factors.
    accounts.pass_second_factor(get_db(), auth.current_session_key(), "totp")
    response = current_app.make_response(render_template("account/recovery_codes.html", codes=codes))
    auth.set_device_cookie(response, row["email"])
    return response


# --- the code step of the log-in ----------------------------------------------------------------

@code_bp.route("/login/kode", methods=["GET", "POST"])
def enter_code():
    if not current_user.is_authenticated or current_user.via_token:
        return redirect(url_for("auth.login"))
    target = auth.safe_next(request.args.get("next"))
    if current_user.second_factor:
        return redirect(target)
    row = _row()
    if not row["totp_secret"]:
        return redirect(url_for(twofactor.SETUP_ENDPOINT) if twofactor.needed_after_password(
            row, current_app.config["SMAJOBS"]) else target)
    form = CodeForm()
    if form.validate_on_submit():
        attempt = _code_attempt_keys(row)
        wait = auth.take_attempt(attempt)
        if wait:
            form.code.errors.append(f"For mange forkerte koder. Vent {wait} {'minut' if wait == 1 else 'minutter'}, "
                                    "og prøv igen.")
            return render_template("second_factor/code.html", form=form), 429
        how = _check_code(row, form.code.data)
        if how:
            auth.forgive_attempt(attempt)
            accounts.pass_second_factor(get_db(), auth.current_session_key(), how)
            if how == "recovery":
                left = len(accounts.unused_recovery_codes(get_db(), row["id"]))
                flash(f"Du loggede ind med en gendannelseskode. Du har {left} tilbage.")
            response = redirect(target)
            auth.set_device_cookie(response, row["email"])
            return response
        form.code.errors.append("Koden passer ikke, eller den er brugt før. Skriv den nyeste kode fra din app, "
                                "eller en af dine gendannelseskoder.")
    return render_template("second_factor/code.html", form=form), 400 if form.errors else 200


def _code_attempt_keys(row: dict) -> list[tuple[str, ...]]:
    """Like the password's (web.auth): a browser with a device cookie for the e-mail counts only
    per device, so guessing elsewhere never locks the owner out; any other per account and
    address, then against the ceiling per account."""
    device = auth.trusted_device(row["email"])
    if device is not None:
        return [("second_factor_limit_per_device", device)]
    account = str(row["id"])
    return [("second_factor_limit_per_account_and_address", account, limits.client_address()),
            ("second_factor_limit_per_account", account)]


def _check_code(row: dict, code: str) -> str | None:
    """'totp' or 'recovery' when the code is good (and now used); None otherwise."""
    secret = twofactor.decrypt_secret(row["totp_secret"])
    if secret is not None:
        step = twofactor.matching_step(secret, code, clock.now())
        if step is not None:
            return "totp" if accounts.use_totp_step(get_db(), row["id"], step) else None
    wanted = twofactor.normal_recovery_code(code)
    if len(wanted) != 10:
        return None
    for stored in accounts.unused_recovery_codes(get_db(), row["id"]):
        if auth.verify_password(stored["code_hash"], wanted):
            return "recovery" if accounts.use_recovery_code(get_db(), stored["id"]) else None
    return None


def blueprints() -> list[Blueprint]:
    return [bp, code_bp]
