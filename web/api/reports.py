"""Report due dates of a placement (delrapport, slutrapport) and marking them handed in.

A report belongs to its placement, and the placement to a citizen: whoever may not see the
citizen gets 404 for the placement's reports too, exactly as for the placement itself.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from flask import jsonify, request

from core import clock
from data import paging, placements
from core.errors import Invalid
from web.api import ApiError, bp, created
from web.api.paging import page_request, paged_response
from web.api.placements import body_with_fields, placement_or_404
from web.audit_trail import seen
from web.db import get_db

REPORT_INPUT = ("kind", "due_date")
SUBMISSION_INPUT = ("submitted_at",)
# A client's clock may run a little ahead of ours; a hand-in further ahead is a mistake.
CLOCK_SKEW = timedelta(minutes=5)


def report_json(report: dict) -> dict:
    return {"id": report["id"], "kind": report["kind"], "due_date": report["due_date"],
            "submitted_at": report["submitted_at"]}


def _seen_reports(placement_id: int) -> None:
    seen("viewed_reports", placement_or_404(placement_id)["citizen_id"], placement_id=placement_id)


def _report_or_404(placement_id: int, report_id: int) -> dict:
    placement_or_404(placement_id)
    report = placements.get_report(get_db(), report_id)
    if report is None or report["placement_id"] != placement_id:
        raise ApiError(404)
    return report


@bp.get("/placements/<int:placement_id>/reports")
def placement_reports(placement_id: int):
    placement_or_404(placement_id)
    limit, after = page_request(len(paging.REPORT_ORDER))
    page = paging.reports(get_db(), placement_id, limit=limit, after=after)
    _seen_reports(placement_id)
    return paged_response("reports", page, report_json, limit)


@bp.post("/placements/<int:placement_id>/reports")
def create_report(placement_id: int):
    placement_or_404(placement_id)
    body = body_with_fields("rapport", "", REPORT_INPUT, required=REPORT_INPUT, schema="ReportInput")
    report = placements.add_report_due(get_db(), placement_id, body["kind"], body["due_date"])
    return created(report_json(report), "api.get_report", placement_id=placement_id, report_id=report["id"])


@bp.get("/placements/<int:placement_id>/reports/<int:report_id>")
def get_report(placement_id: int, report_id: int):
    report = _report_or_404(placement_id, report_id)
    _seen_reports(placement_id)
    return jsonify(report_json(report))


@bp.post("/placements/<int:placement_id>/reports/<int:report_id>/submitted")
def submit_report(placement_id: int, report_id: int):
    """Mark the report handed in: now, or at `submitted_at` (a date, or a time with its zone).
    Sent again without `submitted_at` it stays as it is, so a retried call changes nothing."""
    report = _report_or_404(placement_id, report_id)
    body = body_with_fields("rapport", report_id, SUBMISSION_INPUT, schema="ReportSubmission") \
        if request.get_data(cache=True) else {}
    given = body.get("submitted_at")
    if given is None and report["submitted_at"]:
        return jsonify(report_json(report))
    now = clock.now()
    submitted_at = now.astimezone(timezone.utc).isoformat(timespec="seconds") if given is None \
        else _submitted_at(given, now, report_id)
    return jsonify(report_json(placements.submit_report(get_db(), report_id, submitted_at)))


def _submitted_at(value, now: datetime, report_id: int) -> str:
    """A given hand-in time as stored: a date as YYYY-MM-DD, a time as UTC ISO (as now_iso)."""
    def refuse(reason: str) -> Invalid:
        return Invalid.one(report_id, "submitted_at", reason, "rapport")

    if not isinstance(value, str) or not value.strip():
        raise refuse("skal være en dato (ÅÅÅÅ-MM-DD) eller et tidspunkt med tidszone "
                     "(fx 2026-11-23T10:15:00+01:00)")
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = None
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            day = moment.date()
    except ValueError:
        raise refuse(f"'{text[:40]}' er hverken en dato (ÅÅÅÅ-MM-DD) eller et tidspunkt med tidszone")
    if moment is not None and moment.tzinfo is None:
        raise refuse("tidspunktet mangler tidszone (fx +01:00 eller Z)")
    if day.year < 2000:
        raise refuse("skal ligge efter år 2000")
    if (moment is None and day > now.date()) or (moment is not None and moment > now + CLOCK_SKEW):
        raise refuse("kan ikke ligge i fremtiden")
    return day.isoformat() if moment is None else \
        moment.astimezone(timezone.utc).isoformat(timespec="seconds")
