"""Employers with their openings, in the exchange format.

Any consultant may read and edit the registry (it holds no citizen data, and consultants are
the ones who talk to employers); `status` (pending / approved / rejected, set by the sign-up
queue) is shown but read-only here, so a GET body can be sent back unchanged with PUT.
"""
from __future__ import annotations

from flask import jsonify, request

from data import paging, registry
from data.db import write
from core.errors import Invalid
from data.exchange import employer_to_exchange, opening_to_exchange
from web.api import ApiError, bp, created, invalid, json_object, keep_path_id, new_record_id
from web.api.paging import page_request, paged_response
from web.db import get_db

READ_ONLY_FIELDS = ("status",)
EMPLOYER_STATUSES = ("pending", "approved", "rejected")


def employer_json(employer: dict, openings: list[dict]) -> dict:
    return {**employer_to_exchange(employer, openings), "status": employer["status"]}


def opening_json(opening: dict) -> dict:
    return {**opening_to_exchange(opening), "employer_id": opening["employer_id"]}


def _employer_or_404(employer_id: str) -> dict:
    employer = registry.get_employer(get_db(), employer_id)
    if employer is None:
        raise ApiError(404, f"Der er ingen virksomhed med id '{employer_id}'.")
    return employer


@bp.get("/employers")
def list_employers():
    query = request.args.get("q", "").strip()
    status = request.args.get("status", "")  # exactly as documented: no trimming, no case folding
    if status and status not in EMPLOYER_STATUSES:
        raise invalid(Invalid.one("", "status", f"ukendt status '{status}' (tilladt: {', '.join(EMPLOYER_STATUSES)})",
                                  "søgning"), "Ugyldige søgeparametre.")
    limit, after = page_request(len(paging.EMPLOYER_ORDER))
    page = paging.employers(get_db(), query, status or None, limit=limit, after=after)
    return paged_response("employers", page, lambda e: employer_json(e, e["openings"]), limit)


@bp.get("/employers/<employer_id>")
def get_employer(employer_id: str):
    employer = _employer_or_404(employer_id)
    return jsonify(employer_json(employer, registry.openings_of(get_db(), employer_id)))


@bp.post("/employers")
def create_employer():
    record = _employer_body("")
    employer_id = new_record_id(record, "virksomhed")
    db = get_db()
    with write(db):
        if registry.get_employer(db, employer_id) is not None:
            raise ApiError(409, f"Der findes allerede en virksomhed med id '{employer_id}'. "
                                "Brug PUT for at rette den.")
        _save(db, record)
    return created(employer_json(registry.get_employer(db, employer_id), registry.openings_of(db, employer_id)),
                   "api.get_employer", employer_id=employer_id)


@bp.put("/employers/<employer_id>")
def update_employer(employer_id: str):
    _employer_or_404(employer_id)
    record = _employer_body(employer_id)
    keep_path_id(record, employer_id, "virksomhed")
    db = get_db()
    with write(db):
        _save(db, record)
    return jsonify(employer_json(registry.get_employer(db, employer_id), registry.openings_of(db, employer_id)))


def _employer_body(employer_id: str) -> dict:
    record = json_object("virksomhed", employer_id)
    for name in READ_ONLY_FIELDS:
        record.pop(name, None)
    return record


def _save(db, record: dict) -> None:
    registry.save_employer(db, record)  # Invalid: 422 with every problem


# --- openings ----------------------------------------------------------------------------------

@bp.get("/openings")
def list_openings():
    employer_id = request.args.get("employer_id", "").strip() or None
    active = request.args.get("active", "")
    if active not in ("", "true", "false"):
        raise invalid(Invalid.one("", "active", "skal være true eller false", "søgning"), "Ugyldige søgeparametre.")
    if employer_id:
        _employer_or_404(employer_id)
    limit, after = page_request(len(paging.OPENING_ORDER))
    page = paging.openings(get_db(), employer_id, None if not active else active == "true",
                           limit=limit, after=after)
    return paged_response("openings", page, opening_json, limit)


@bp.get("/openings/<opening_id>")
def get_opening(opening_id: str):
    opening = registry.get_opening(get_db(), opening_id)
    if opening is None:
        raise ApiError(404, f"Der er intet småjob med id '{opening_id}'.")
    return jsonify(opening_json(opening))
