"""Admin page "Konsulenter" (`/admin/konsulenter`): the consultant accounts, made and managed by
an admin at the provider instead of on the command line.

- a list: role, active or since when deactivated, citizens, API tokens and their last use;
- a new consultant gets no password typed by the admin: the outbox e-mails them a link to choose
  one themselves (`/adgangskode/<token>`);
- deactivate, activate, revoke all API tokens, and send a link to choose a new password: each a
  POST (CSRF) after a confirmation page that works without JavaScript.

The rules (valid e-mail, the last active admin, password length) live in data.accounts, which
`smajobs create-consultant`, `deactivate-consultant` and friends use too.

The link is signed with its own salt (it signs nothing else), expires after LINK_MAX_AGE, and
names a keyed digest of the password hash it was made for: once a password is chosen, the hash
changes and every link made before it stops working. So it works once, and a consultant who
chose a password cannot be overridden by an older link lying in their inbox.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, SignatureExpired
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from core import clock
from core.errors import Invalid
from data import accounts
from data.db import write
from data.outbox import enqueue
from jobs.mail_templates import render
from web.auth import admin_required, hash_password
from web.db import get_db
from web.forms import choices, plain_text_field, show_problems
from web.links import timed_serializer
from web.signup import plain

bp = Blueprint("accounts_admin", __name__, url_prefix="/admin/konsulenter")
# Public: the consultant who got the e-mail is not logged in; the signed link is the key.
link_bp = Blueprint("password_link", __name__)

LINK_SALT = "smajobs.choose-password-link.v1"  # single purpose: this salt signs nothing else
LINK_MAX_AGE = timedelta(days=3)
ROLE_CHOICES = [("consultant", "Konsulent"), ("admin", "Administrator")]


# --- the link to choose a password ------------------------------------------------------------

def _serializer(secret: str, now: datetime | None):
    return timed_serializer(secret, LINK_SALT, now)


def password_fingerprint(secret: str, password_hash: str | None) -> str:
    """A keyed digest of the stored hash (empty when there is none yet): the link carries nothing
    of the hash itself."""
    message = b"choose-password\0" + (password_hash or "").encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:24]


def make_password_token(secret: str, consultant: dict, now: datetime | None = None) -> str:
    return _serializer(secret, now).dumps(
        {"k": consultant["id"], "p": password_fingerprint(secret, consultant["password_hash"])})


def consultant_for_password_token(db, secret: str, token: str, now: datetime | None = None) -> dict | None:
    """The active consultant a valid, unexpired, unused link is for; None otherwise."""
    try:
        data = _serializer(secret, now).loads(token, max_age=int(LINK_MAX_AGE.total_seconds()))
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("k"), int) or not isinstance(data.get("p"), str):
        return None
    row = accounts.consultant_by_id(db, data["k"])
    if row is None or not row["active"]:
        return None
    if not hmac.compare_digest(data["p"], password_fingerprint(secret, row["password_hash"])):
        return None  # a password was chosen since the link was made: it has been used
    return row


def queue_password_email(db, config, consultant: dict, *, new_account: bool, now: datetime) -> None:
    """Queue the e-mail with the link. Only a first name and the link: no e-mail address, role or
    anything about citizens, since e-mail may pass through systems we do not control."""
    link = f"{config.base_url.rstrip('/')}/adgangskode/{make_password_token(config.secret_key, consultant, now)}"
    mail = render("password_new_account" if new_account else "password_reset",
                  first_name=plain(consultant["name"]).split(" ")[0] or "der", link=link,
                  link_days=LINK_MAX_AGE.days)
    enqueue(db, to=consultant["email"], subject=mail.subject, body_text=mail.body_text)


def reset_second_factor(db, config, consultant: dict, *, by: str) -> bool:
    """Remove the consultant's authenticator app and recovery codes (data.accounts.reset_second_factor)
    and e-mail them about it, in one transaction; False when none was set up (nothing sent).
    Used by the admin page and `smajobs reset-2fa`."""
    with write(db):
        if not accounts.reset_second_factor(db, consultant["id"], by=by):
            return False
        mail = render("second_factor_reset", first_name=plain(consultant["name"]).split(" ")[0] or "der",
                      link=f"{config.base_url.rstrip('/')}/login")
        enqueue(db, to=consultant["email"], subject=mail.subject, body_text=mail.body_text)
    return True


# --- forms -------------------------------------------------------------------------------------

class NewConsultantForm(FlaskForm):
    name = StringField("Navn", validators=[DataRequired("Skriv konsulentens navn."),
                                           Length(max=200, message="Navnet må højst have 200 tegn."),
                                           plain_text_field])
    email = EmailField("E-mail", validators=[DataRequired("Skriv konsulentens e-mail."),
                                             Length(max=200, message="E-mailen må højst have 200 tegn.")])
    # The choice is checked by data.accounts.checked_new_consultant, in Danish.
    role = SelectField("Rolle", choices=choices(ROLE_CHOICES), default="consultant", validate_choice=False)


class ChoosePasswordForm(FlaskForm):
    password = PasswordField("Ny adgangskode", validators=[DataRequired("Skriv en adgangskode."),
                                                           Length(max=200, message="Højst 200 tegn.")])
    confirm = PasswordField("Gentag adgangskoden", validators=[DataRequired("Skriv adgangskoden en gang til.")])

    def validate_password(self, field) -> None:
        problem = accounts.password_problem(field.data or "")
        if problem:
            field.errors.append(problem)

    def validate_confirm(self, field) -> None:
        if self.password.data and field.data != self.password.data:
            field.errors.append("De to adgangskoder er ikke ens. Skriv den samme adgangskode to gange.")


# --- admin pages -------------------------------------------------------------------------------

@bp.get("/")
@admin_required
def index():
    rows = accounts.consultants_overview(get_db())
    waiting = sum(row["citizens"] for row in rows if not row["active"])
    return render_template("accounts_admin/index.html", consultants=rows, roles=accounts.ROLES,
                           waiting=waiting)


@bp.route("/ny", methods=["GET", "POST"])
@admin_required
def new():
    form = NewConsultantForm()
    if form.validate_on_submit():
        db = get_db()
        try:
            email, name = accounts.checked_new_consultant(db, email=form.email.data, name=form.name.data,
                                                          role=form.role.data)
        except Invalid as error:
            show_problems(form, error, "email")
        else:
            # The account and its e-mail are one transaction: no account without its link.
            with write(db):
                consultant_id = accounts.create_consultant(db, email=email, name=name, password_hash=None,
                                                           role=form.role.data)
                queue_password_email(db, current_app.config["SMAJOBS"], accounts.consultant_by_id(db, consultant_id),
                                     new_account=True, now=clock.now())
            flash(f"{name} er oprettet som {accounts.ROLES[form.role.data]}. Der er sendt en e-mail til {email} "
                  f"med et link til at vælge en adgangskode (virker i {LINK_MAX_AGE.days} døgn).")
            return redirect(url_for("accounts_admin.index"))
    return render_template("accounts_admin/new.html", form=form), 400 if form.errors else 200


@dataclass(frozen=True)
class Action:
    title: str  # "{name}" is the consultant's name
    explanation: str
    button: str
    run: Callable[[dict], tuple[str, str]]  # consultant -> (Danish message, flash category)


def _deactivate(row: dict) -> tuple[str, str]:
    db = get_db()
    if not accounts.deactivate_consultant(db, row["id"], acting_id=current_user.id):
        return f"{row['name']} var allerede deaktiveret.", "message"
    message = (f"{row['name']} er deaktiveret: kan ikke logge ind, og sessioner og API-nøgler virker ikke "
               "længere.")
    waiting = accounts.citizen_count(db, row["email"])
    if waiting:
        message += (f" {waiting} {'borger venter' if waiting == 1 else 'borgere venter'} på en ny konsulent "
                    "under Alle borgere.")
    return message, "message"


def _activate(row: dict) -> tuple[str, str]:
    if not accounts.set_active(get_db(), row["id"], True):
        return f"{row['name']} er allerede aktiv.", "message"
    extra = "" if row["password_hash"] else " Kontoen har ingen adgangskode endnu: send et link til at vælge en."
    return f"{row['name']} er aktiv igen og kan logge ind.{extra}", "message"


def _revoke_tokens(row: dict) -> tuple[str, str]:
    count = accounts.revoke_api_tokens(get_db(), row["id"])
    if count == 0:
        return f"{row['name']} havde ingen API-nøgler.", "message"
    return (f"{count} API-{'nøgle' if count == 1 else 'nøgler'} for {row['name']} er trukket tilbage og virker "
            "ikke længere.", "message")


def _send_link(row: dict) -> tuple[str, str]:
    if not row["active"]:
        return (f"{row['name']} er deaktiveret, så linket ville ikke virke. Aktivér kontoen først.", "error")
    queue_password_email(get_db(), current_app.config["SMAJOBS"], row, new_account=False, now=clock.now())
    return (f"Der er sendt en e-mail til {row['email']} med et link til at vælge en ny adgangskode "
            f"(virker i {LINK_MAX_AGE.days} døgn).", "message")


def _reset_second_factor(row: dict) -> tuple[str, str]:
    if not reset_second_factor(get_db(), current_app.config["SMAJOBS"], row, by=f"admin:{current_user.id}"):
        return f"{row['name']} har ingen to-faktor at nulstille.", "message"
    return (f"{row['name']}s to-faktor er nulstillet, og {row['name']} er logget ud alle steder. Der er sendt en "
            f"e-mail til {row['email']}; næste log-ind sætter en ny app op.", "message")


ACTIONS = {
    "deaktiver": Action("Deaktivér {name}",
                        "{name} kan ikke længere logge ind, og sessioner og API-nøgler holder op med at virke med "
                        "det samme. Borgerne bliver, til en administrator overdrager dem under Alle borgere.",
                        "Deaktivér", _deactivate),
    "aktiver": Action("Aktivér {name}",
                      "{name} kan logge ind igen med sin adgangskode, og de API-nøgler, der er tilbage, virker igen.",
                      "Aktivér", _activate),
    "traek-noegler-tilbage": Action("Træk API-nøgler tilbage fra {name}",
                                    "Alle {name}s API-nøgler holder op med at virke med det samme. Systemer, der "
                                    "bruger dem, skal have en ny nøgle (smajobs create-token).",
                                    "Træk alle nøgler tilbage", _revoke_tokens),
    "send-link": Action("Send link til ny adgangskode til {name}",
                        "{name} får en e-mail med et link til at vælge en ny adgangskode. Linket virker i "
                        f"{LINK_MAX_AGE.days} døgn og kun én gang; den nuværende adgangskode virker, indtil en ny "
                        "er valgt.",
                        "Send link", _send_link),
    "nulstil-to-faktor": Action("Nulstil to-faktor for {name}",
                                "{name}s godkendelsesapp og gendannelseskoder holder op med at virke, og {name} "
                                "logges ud alle steder. {name} får en e-mail om det og sætter en ny app op ved "
                                "næste log-ind. Gør det kun, når du ved, at det er {name}, der har bedt om det "
                                "(fx en mistet telefon).",
                                "Nulstil to-faktor", _reset_second_factor),
}


@bp.route("/handling", methods=["GET", "POST"])
@admin_required
def action():
    """GET: the confirmation page (?konsulent=ID&handling=...); POST from it: do it (CSRF is
    checked globally by web.auth.csrf before this runs)."""
    values = request.form if request.method == "POST" else request.args
    chosen = ACTIONS.get(values.get("handling", ""))
    consultant_id = values.get("konsulent", "")
    row = accounts.consultant_by_id(get_db(), int(consultant_id)) if consultant_id.isdigit() else None
    if chosen is None or row is None:
        abort(404)
    if request.method == "GET":
        return render_template("accounts_admin/confirm.html", action=chosen, action_key=values["handling"],
                               consultant=row, citizens=accounts.citizen_count(get_db(), row["email"]))
    try:
        message, category = chosen.run(row)
    except Invalid as error:
        message, category = error.problems[0].sentence, "error"
    flash(message, category)
    return redirect(url_for("accounts_admin.index"))


# --- the public page behind the link ------------------------------------------------------------

@link_bp.route("/adgangskode/<token>", methods=["GET", "POST"])
def choose_password(token: str):
    db, config = get_db(), current_app.config["SMAJOBS"]
    row = consultant_for_password_token(db, config.secret_key, token, clock.now())
    if row is None:
        return render_template("accounts_admin/link_invalid.html", days=LINK_MAX_AGE.days), 410
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        if accounts.replace_password_hash(db, row["id"], row["password_hash"], hash_password(form.password.data)):
            flash("Din adgangskode er gemt. Log ind med din e-mail og den nye adgangskode.")
            return redirect(url_for("auth.login"))
        # Someone used the link at the same moment: it has been used.
        return render_template("accounts_admin/link_invalid.html", days=LINK_MAX_AGE.days), 410
    return render_template("accounts_admin/choose_password.html", form=form, first_name=row["name"].split(" ")[0],
                           min_length=accounts.MIN_PASSWORD), 400 if form.errors else 200
