"""The menu, the list of feature blueprints and the home page."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

# (endpoint, Danish label) in menu order; an endpoint not registered is left out.
NAV_ITEMS = [
    ("today.index", "I dag"),
    ("citizens.index", "Mine borgere"),
    ("placements.overview", "Forløb"),
    ("employers.index", "Virksomheder"),
    ("signup_queue.index", "Nye virksomheder"),
    ("results.index", "Resultater"),
    ("outbox_admin.index", "Fejlede e-mails"),
    ("accounts_admin.index", "Konsulenter"),
    ("audit_admin.index", "Adgangslog"),
    ("taught_links_admin.index", "Lærte koblinger"),
    ("operations_admin.index", "Drift"),
]
# Menu entries only admins see (their pages answer 403 to everyone else).
ADMIN_ONLY = {"outbox_admin.index", "accounts_admin.index", "audit_admin.index", "operations_admin.index",
              "taught_links_admin.index"}


def _visible(endpoint: str) -> bool:
    return endpoint in current_app.view_functions and (
        endpoint not in ADMIN_ONLY or current_user.is_admin)


@login_required
def home():
    """Where a consultant lands after log-in: the first page of the menu."""
    for endpoint, _ in NAV_ITEMS:
        if _visible(endpoint):
            return redirect(url_for(endpoint))
    return render_template("home.html")


def nav_items() -> dict:
    from web.twofactor import owed_step
    if not current_user.is_authenticated:
        return {"nav_items": []}
    if owed_step():
        # Only the set-up (or code) page until the second factor is passed: no menu to elsewhere.
        return {"nav_items": [], "second_factor_owed": True}
    return {"nav_items": [(e, _with_count(e, label)) for e, label in NAV_ITEMS if _visible(e)]}


def _with_count(endpoint: str, label: str) -> str:
    # An admin's citizen list holds everyone's citizens, and its heading says so.
    if endpoint == "citizens.index" and current_user.is_admin:
        return "Alle borgere"
    # Registrations wait for a consultant; a count in the menu keeps the queue from being forgotten.
    if endpoint == "signup_queue.index":
        from data.signups import pending_count
        from web.db import get_db
        waiting = pending_count(get_db())
        if waiting:
            return f"{label} ({waiting})"
    if endpoint == "operations_admin.index":
        from web.operations_admin import menu_label
        return menu_label(label)
    return label


def blueprints() -> list[Blueprint]:
    from web.outbox_admin import bp as outbox_admin_bp
    from web.accounts_admin import bp as accounts_admin_bp, link_bp as password_link_bp
    from web.audit_admin import bp as audit_admin_bp
    from web.api import bp as api_bp
    from web.citizens import bp as citizens_bp
    from web.placements import bp as placements_bp
    from web.employers import bp as employers_bp
    from web.signup import bp as signup_bp
    from web.signup_queue import bp as signup_queue_bp
    from web.today import bp as today_bp
    from web.checkin import bp as checkin_bp
    from web.erasure import bp as erasure_bp
    from web.citizen_export import bp as citizen_export_bp
    from web.operations_admin import bp as operations_admin_bp
    from web.taught_links_admin import bp as taught_links_admin_bp
    from web.results import bp as results_bp
    from web.account import bp as account_bp, code_bp as second_factor_bp
    from web.sso import bp as sso_bp
    return [
        today_bp,
        checkin_bp,
        citizens_bp,
        citizen_export_bp,
        placements_bp,
        employers_bp,
        signup_bp,
        signup_queue_bp,
        outbox_admin_bp,
        accounts_admin_bp,
        audit_admin_bp,
        password_link_bp,
        operations_admin_bp,
        taught_links_admin_bp,
        api_bp,
        erasure_bp,
        results_bp,
        account_bp,
        second_factor_bp,
        sso_bp,
    ]


def init_app(app: Flask) -> None:
    app.add_url_rule("/", endpoint="home", view_func=home)
    app.context_processor(nav_items)
