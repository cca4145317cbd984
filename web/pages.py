"""The menu, the list of feature blueprints and the home page."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

# (endpoint, Danish label) in menu order; an endpoint not registered is left out.
NAV_ITEMS = [
    ("today.index", "I dag"),
    ("citizens.index", "Mine borgere"),
    ("employers.index", "Virksomheder"),
    ("signup_queue.index", "Nye virksomheder"),
]


@login_required
def home():
    """Where a consultant lands after log-in: the first page of the menu."""
    for endpoint, _ in NAV_ITEMS:
        if endpoint in current_app.view_functions:
            return redirect(url_for(endpoint))
    return render_template("home.html")


def nav_items() -> dict:
    if not current_user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": [(e, label) for e, label in NAV_ITEMS if e in current_app.view_functions]}


def blueprints() -> list[Blueprint]:
    return []


def init_app(app: Flask) -> None:
    app.add_url_rule("/", endpoint="home", view_func=home)
    app.context_processor(nav_items)
