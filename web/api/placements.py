"""Placements (forløb) and meetings. Each one belongs to a citizen, and whoever may not see
that citizen gets 404 for the placement or meeting too."""
from __future__ import annotations

from flask import jsonify, request

from data import paging, placements
from core.errors import Invalid, Problem
from web.api import ApiError, bp, consultant, created, json_object
from web.api.paging import page_request, paged_response
from web.audit_trail import seen_many
from web.auth import citizen_or_404
from web.db import get_db
from web.reminders_now import remind_now
from web.openapi import wrong_json_types

PLACEMENT_OUTPUT = ("id", "citizen_id", "opening_id", "employer_id", "opening_title", "employer_name", "kind",
                    "status", "start_date", "planned_end_date", "end_date", "hours_per_week",
                    "paid_hours_per_week", "hourly_wage", "trial_weeks", "outcome", "cancel_reason",
                    "created_at", "updated_at")
PLACEMENT_FIELDS = ("opening_id", "kind", "status", "start_date", "planned_end_date", "end_date",
                    "hours_per_week", "paid_hours_per_week", "hourly_wage", "trial_weeks", "outcome")
# `confirm_full`: create it even though open forløb take every seat of the opening (else 409).
PLACEMENT_INPUT = (*PLACEMENT_FIELDS, "confirm_full")
PLACEMENT_CHANGES = (*PLACEMENT_FIELDS, "cancel_reason")
# GET /placements: its query parameters, named as data.placements.overview_filters names them.
OVERVIEW_PARAMS = ("status", "kind", "employer_id", "period_from", "period_to", "sort")
# `from_checkin_form` is read-only: true for the employer's own check-in answer, which PATCH refuses.
MEETING_OUTPUT = ("id", "citizen_id", "placement_id", "kind", "held_on", "participants", "note",
                  "paid_hours_proposed", "paid_hours_answer", "created_by", "created_at", "from_checkin_form")
MEETING_INPUT = ("placement_id", "kind", "held_on", "participants", "note", "paid_hours_proposed",
                 "paid_hours_answer")


def placement_json(placement: dict, reports: list[dict]) -> dict:
    """A placement with its report due dates, from what the caller read (a list reads the
    reports of the whole page at once: `placements_page`)."""
    result = {name: placement[name] for name in PLACEMENT_OUTPUT}
    result["reports"] = [{"id": r["id"], "kind": r["kind"], "due_date": r["due_date"],
                          "submitted_at": r["submitted_at"]} for r in reports]
    return result


def one_placement_json(placement: dict) -> dict:
    return placement_json(placement, placements.reports_of(get_db(), placement["id"]))


def placements_page(page, limit: int):
    """A page of placements with the reports of all of them read in one query."""
    reports = placements.reports_by_placement(get_db(), [p["id"] for p in page.items])
    return paged_response("placements", page, lambda p: placement_json(p, reports[p["id"]]), limit)


def meeting_json(meeting: dict) -> dict:
    return {name: meeting[name] for name in MEETING_OUTPUT}


def placement_or_404(placement_id: int) -> dict:
    placement = placements.get_placement(get_db(), placement_id)
    if placement is None:
        raise ApiError(404)
    citizen_or_404(placement["citizen_id"])  # the same 404 when it is someone else's
    return placement


def body_with_fields(kind: str, record_id, allowed: tuple[str, ...], required: tuple[str, ...] = (),
                     at_least_one: bool = False, schema: str | None = None) -> dict:
    """The JSON object, refusing fields the resource does not have (a typo must not be ignored),
    values of another JSON type than the API document's `schema` gives the field (the data layer
    also takes the text a web form sends, "8" for 8; the API takes what it documents), missing
    `required` ones, and (`at_least_one`, for PATCH) an empty object."""
    record_id = str(record_id or "")
    body = json_object(kind, record_id)
    problems = [Problem(record_id, name, f"ukendt felt (tilladt: {', '.join(allowed)})", kind)
                for name in body if name not in allowed]
    if schema:
        problems += [Problem(record_id, name, reason, kind) for name, reason in wrong_json_types(body, schema).items()]
    refused = {p.field for p in problems}
    problems += [Problem(record_id, name, "mangler", kind) for name in required
                 if body.get(name) in (None, "") and name not in refused]
    if at_least_one and not body:
        problems.append(Problem(record_id, "(post)",
                                f"angiv mindst ét felt, der skal ændres ({', '.join(allowed)})", kind))
    if problems:
        raise Invalid(problems)
    return body


def seen_placements(action: str, rows: list[dict]) -> None:
    """One audit row per placement (or report) row of the answer."""
    seen_many(action, [{"citizen_id": p["citizen_id"], "placement_id": p["id"],
                        "employer_id": p.get("employer_id")} for p in rows])


def seen_meetings(rows: list[dict]) -> None:
    seen_many("viewed_meetings", [{"citizen_id": m["citizen_id"], "placement_id": m["placement_id"],
                                   "meeting_id": m["id"]} for m in rows])


# --- placements --------------------------------------------------------------------------------

@bp.get("/citizens/<citizen_id>/placements")
def citizen_placements(citizen_id: str):
    citizen_or_404(citizen_id)
    limit, after = page_request(len(paging.PLACEMENT_ORDER))
    page = paging.placements_of_citizen(get_db(), citizen_id, limit=limit, after=after)
    seen_placements("viewed_placement", page.items)
    return placements_page(page, limit)


@bp.post("/citizens/<citizen_id>/placements")
def create_placement(citizen_id: str):
    citizen_or_404(citizen_id)
    body = body_with_fields("forløb", "", PLACEMENT_INPUT, required=("opening_id",), schema="PlacementInput")
    body.setdefault("kind", None)
    body.setdefault("start_date", None)
    body.setdefault("hours_per_week", None)
    body["confirm_full"] = body.get("confirm_full") is True
    placement = placements.create_placement(get_db(), citizen_id=citizen_id, created_by=consultant().id, **body)
    remind_now(citizen_id)
    return created(one_placement_json(placement), "api.get_placement", placement_id=placement["id"])


@bp.get("/placements/<int:placement_id>")
def get_placement(placement_id: int):
    placement = placement_or_404(placement_id)
    seen_placements("viewed_placement", [placement])
    return jsonify(one_placement_json(placement))


@bp.patch("/placements/<int:placement_id>")
def update_placement(placement_id: int):
    placement_or_404(placement_id)
    changes = body_with_fields("forløb", placement_id, PLACEMENT_CHANGES, at_least_one=True, schema="PlacementChanges")
    placement = placements.update_placement(get_db(), placement_id, **changes)
    remind_now(placement["citizen_id"])
    return jsonify(one_placement_json(placement))


@bp.post("/placements/<int:placement_id>/end")
def end_placement(placement_id: int):
    placement_or_404(placement_id)
    body = body_with_fields("forløb", placement_id, ("end_date", "outcome"), required=("end_date", "outcome"),
                            schema="PlacementEnd")
    placement = placements.end_placement(get_db(), placement_id, body["end_date"], body["outcome"])
    remind_now(placement["citizen_id"])
    return jsonify(one_placement_json(placement))


@bp.get("/employers/<employer_id>/placements")
def employer_placements(employer_id: str):
    """The employer's placement history, limited to citizens the caller may see."""
    from data import registry
    if registry.get_employer(get_db(), employer_id) is None:
        raise ApiError(404, f"Der er ingen virksomhed med id '{employer_id}'.")
    user = consultant()
    limit, after = page_request(len(paging.PLACEMENT_ORDER))
    page = paging.placements_of_employer(get_db(), employer_id, None if user.is_admin else user.email,
                                         limit=limit, after=after)
    seen_placements("viewed_employer_placements", page.items)
    return placements_page(page, limit)


# --- meetings ----------------------------------------------------------------------------------

@bp.get("/citizens/<citizen_id>/meetings")
def citizen_meetings(citizen_id: str):
    citizen_or_404(citizen_id)
    limit, after = page_request(len(paging.MEETING_ORDER))
    page = paging.meetings(get_db(), citizen_id=citizen_id, limit=limit, after=after)
    seen_meetings(page.items)
    return paged_response("meetings", page, meeting_json, limit)


@bp.post("/citizens/<citizen_id>/meetings")
def create_meeting(citizen_id: str):
    citizen_or_404(citizen_id)
    body = body_with_fields("møde", "", MEETING_INPUT, required=("kind", "held_on"), schema="MeetingInput")
    meeting = placements.log_meeting(get_db(), citizen_id=citizen_id, created_by=consultant().id, **body)
    remind_now(citizen_id)
    return created(meeting_json(meeting), "api.get_meeting", meeting_id=meeting["id"])


@bp.get("/placements/<int:placement_id>/meetings")
def placement_meetings(placement_id: int):
    placement_or_404(placement_id)
    limit, after = page_request(len(paging.MEETING_ORDER))
    page = paging.meetings(get_db(), placement_id=placement_id, limit=limit, after=after)
    seen_meetings(page.items)
    return paged_response("meetings", page, meeting_json, limit)


def _meeting_or_404(meeting_id: int) -> dict:
    meeting = placements.get_meeting(get_db(), meeting_id)
    if meeting is None:
        raise ApiError(404)
    citizen_or_404(meeting["citizen_id"])  # the same 404 when it is someone else's
    return meeting


@bp.get("/meetings/<int:meeting_id>")
def get_meeting(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    seen_meetings([meeting])
    return jsonify(meeting_json(meeting))


@bp.patch("/meetings/<int:meeting_id>")
def update_meeting(meeting_id: int):
    """Correct a meeting; checked as a whole like a new one. The employer's own check-in answer
    cannot be edited (422 on `id`), only deleted."""
    _meeting_or_404(meeting_id)
    changes = body_with_fields("møde", meeting_id, MEETING_INPUT, at_least_one=True, schema="MeetingChanges")
    meeting = placements.update_meeting(get_db(), meeting_id, **changes)
    remind_now(meeting["citizen_id"])
    return jsonify(meeting_json(meeting))


@bp.delete("/meetings/<int:meeting_id>")
def delete_meeting(meeting_id: int):
    _meeting_or_404(meeting_id)
    meeting = placements.delete_meeting(get_db(), meeting_id)
    if meeting:
        remind_now(meeting["citizen_id"])
    return "", 204


@bp.get("/placements")
def list_placements():
    """The overview of every forløb (as /forloeb): the caller's citizens' (an admin: everyone's,
    or one consultant's), filtered and sorted; 422 for a bad filter."""
    user = consultant()
    wanted = (request.args.get("consultant") or "").strip().lower()
    if wanted and not user.is_admin and wanted != user.email.lower():
        raise ApiError(403, "Kun en administrator kan se andre konsulenters forløb.")
    filters, sort = placements.overview_filters(
        {name: request.args.get(name) for name in OVERVIEW_PARAMS})
    filters["consultant_email"] = wanted or (None if user.is_admin else user.email)
    limit, after = page_request(2)
    page = paging.placement_overview(get_db(), filters, sort=sort, limit=limit, after=after)
    seen_placements("viewed_placement_overview", page.items)
    return placements_page(page, limit)
