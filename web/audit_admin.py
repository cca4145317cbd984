"""Admin page "Adgangslog": who read or changed which citizen's data, when and through which
door (data/audit.py), filtered by citizen id, consultant and period, newest first in keyset
pages (data.paging), and the same rows as a CSV file.

Admins only (others get 403). The page only reads: no route here (or anywhere) changes or
deletes a row, and the table's triggers refuse it anyway. Looking at the log is not itself
logged: it shows ids, never citizen data.
"""
from __future__ import annotations

import csv
import io
from datetime import date

from flask import Blueprint, Response, current_app, render_template, request, url_for

from data import accounts, audit
from data.db import connect
from web.auth import admin_required
from web.db import get_db

bp = Blueprint("audit_admin", __name__, url_prefix="/admin/adgangslog")

PAGE_SIZE = 50
MAX_ID = 200
# A cell starting with one of these is a formula to a spreadsheet; ids come from outside systems.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _filters() -> tuple[audit.Filters, dict[str, str], dict[str, str]]:
    """The query string as filters, the values to show in the form, and Danish errors by field."""
    args, errors = request.args, {}
    shown = {name: (args.get(name) or "").strip()[:MAX_ID] for name in ("borger", "konsulent", "fra", "til")}
    days: dict[str, date | None] = {}
    for name in ("fra", "til"):
        days[name] = None
        if shown[name]:
            try:
                days[name] = audit.parse_day(shown[name])
            except ValueError as error:
                errors[name] = str(error)
    if days["fra"] and days["til"] and days["til"] < days["fra"]:
        errors["til"] = "Slutdatoen ligger før startdatoen."
    consultant_id = None
    if shown["konsulent"]:
        if shown["konsulent"].isdigit():
            consultant_id = int(shown["konsulent"])
        else:
            errors["konsulent"] = "Vælg en konsulent på listen."
    filters = audit.Filters(citizen_id=shown["borger"] or None, consultant_id=consultant_id,
                            since=days["fra"], until=days["til"])
    return filters, shown, errors


def _after() -> tuple[int] | None:
    # A mistyped or old page marker shows the first page, never an error.
    value = request.args.get("efter", "")
    return (int(value),) if value.isdigit() and len(value) < 19 else None


def _consultant_emails() -> dict[int, str]:
    return {row["id"]: row["email"] for row in accounts.list_consultants(get_db())}


@bp.get("/")
@admin_required
def index():
    filters, shown, errors = _filters()
    emails = _consultant_emails()
    rows, next_url = [], None
    if not errors:
        page = audit.entries(get_db(), filters, limit=PAGE_SIZE, after=_after())
        rows = [audit.display_row(row, emails) for row in page.items]
        if page.next_after is not None:
            next_url = url_for("audit_admin.index", **_query(shown), efter=page.next_after[0])
    return render_template(
        "audit_admin/index.html", rows=rows, columns=audit.COLUMNS, shown=shown, errors=errors,
        consultants=sorted(emails.items(), key=lambda item: item[1]), next_url=next_url,
        first_url=url_for("audit_admin.index", **_query(shown)) if _after() else None,
        csv_url=url_for("audit_admin.download", **_query(shown)),
    ), 400 if errors else 200


def _query(shown: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in shown.items() if value}


@bp.get("/adgangslog.csv")
@admin_required
def download():
    filters, _, errors = _filters()
    if errors:
        return Response("Filtrene er ugyldige: " + " ".join(errors.values()) + "\n", status=400,
                        mimetype="text/plain")
    # Streamed: the log can hold years of rows. The stream reads through its own connection,
    # since the request's is closed when the view returns.
    return Response(_csv_lines(current_app.config["SMAJOBS"].db, filters, _consultant_emails()),
                    mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=adgangslog.csv",
                             "Cache-Control": "no-store"})


def _csv_lines(db_path: str, filters: audit.Filters, emails: dict[int, str]):
    """Semicolons and a byte order mark, as Danish spreadsheets expect; streamed row by row."""
    yield "\ufeff"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(audit.COLUMNS)
    db = connect(db_path)
    try:
        for row in audit.all_entries(db, filters):
            writer.writerow([_cell(value) for value in audit.display_row(row, emails)])
            yield _drain(buffer)
    finally:
        db.close()
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value
