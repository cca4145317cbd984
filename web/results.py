"""Resultater (issue 12): the organisation's figures every day, with filters, charts, tables and
downloads (CSV, XLSX, the yearly report as HTML and PDF).

Every consultant sees the whole organisation's figures and may narrow them to their own; admins
may pick any consultant. The figures hold no citizen data (data.results), so this page logs no
reads in the audit trail.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import current_user, login_required

from core.clock import today
from data import accounts, results
from data.results import Filter
from web.db import get_db
from web.results_report import DEFINITIONS, SMALL_NUMBERS_RULE, chart_for, period_text, report_html, report_pdf, to_csv, to_xlsx

bp = Blueprint("results", __name__)


def _month(text: str | None) -> str | None:
    text = (text or "").strip()
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() and 1 <= int(text[5:]) <= 12:
        return text
    return None


def selection_from(args, is_admin: bool, own_id: int) -> tuple[Filter, list[str]]:
    """The filter the query string asks for, and Danish messages for what could not be used
    (then the current year is shown instead, so a typo never breaks the page)."""
    problems: list[str] = []
    year = args.get("aar", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else today().year
    narrowing = {"target_group": args.get("maalgruppe") or None, "kind": args.get("type") or None}
    if narrowing["kind"] is not None and narrowing["kind"] not in results.KIND_LABELS:
        problems.append("Ukendt forløbstype: alle typer vises.")
        narrowing["kind"] = None
    consultant = args.get("konsulent", "")
    if args.get("mine") == "1":
        narrowing["consultant_id"] = own_id
    elif is_admin and consultant.isdigit():
        narrowing["consultant_id"] = int(consultant)
    period = args.get("periode", "aar")
    if period == "kvartal":
        quarter = args.get("kvartal", "")
        if quarter in ("1", "2", "3", "4"):
            return results.quarter_filter(year, int(quarter), **narrowing), problems
        problems.append("Vælg et kvartal fra 1 til 4: hele året vises.")
    elif period == "interval":
        first, last = _month(args.get("fra")), _month(args.get("til"))
        if first and last and first <= last:
            return Filter(first, last, **narrowing), problems
        problems.append("Angiv fra og til som måneder (ÅÅÅÅ-MM), hvor fra ligger før til: hele året vises.")
    return results.year_filter(year, **narrowing), problems


def _compute():
    db = get_db()
    selection, problems = selection_from(request.args, current_user.is_admin, current_user.id)
    figures = results.compute(db, selection, current_app.config["SMAJOBS"].followup_months, today())
    return figures, problems


@bp.route("/resultater")
@login_required
def index():
    figures, problems = _compute()
    db = get_db()
    return render_template(
        "results/index.html", results=figures, problems=problems, ended=figures.ended_shown, period=period_text(figures),
        sections=[(table, chart_for(table)) for table in figures.tables], choices=results.choices(db),
        consultants=accounts.list_consultants(db) if current_user.is_admin else [], args=request.args,
        query=request.query_string.decode("ascii", "replace"), current_year=today().year,
        small_numbers=SMALL_NUMBERS_RULE)


def _download(body, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/resultater.csv")
@login_required
def as_csv():
    figures, _ = _compute()
    return _download("\ufeff" + to_csv(figures), "text/csv; charset=utf-8", f"resultater-{period_text(figures)}.csv")


@bp.route("/resultater.xlsx")
@login_required
def as_xlsx():
    figures, _ = _compute()
    return _download(to_xlsx(figures), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"resultater-{period_text(figures)}.xlsx")


@bp.route("/resultater/erfaringsopsamling.html")
@login_required
def report_as_html():
    figures, _ = _compute()
    # A download: opened from disk it prints with its own styles, outside this site's CSP.
    return _download(report_html(figures, DEFINITIONS, today()), "text/html; charset=utf-8",
                     f"erfaringsopsamling-{period_text(figures)}.html")


@bp.route("/resultater/erfaringsopsamling.pdf")
@login_required
def report_as_pdf():
    figures, _ = _compute()
    return _download(report_pdf(report_html(figures, DEFINITIONS, today())), "application/pdf",
                     f"erfaringsopsamling-{period_text(figures)}.pdf")
