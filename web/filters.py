"""Jinja filters for Danish display (core.formats): numbers with a decimal comma, dates."""
from __future__ import annotations

from flask import Flask

from core.formats import danish_date, danish_number


def init_app(app: Flask) -> None:
    app.jinja_env.filters["tal"] = danish_number
    app.jinja_env.filters["dato"] = danish_date
    from web.results_report import shown
    app.jinja_env.filters["vis"] = shown
