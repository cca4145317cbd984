"""Citizens in the exchange format, and their matches.

A consultant sees and edits only the citizens they follow; an admin sees everyone and is the
only one who may hand a citizen to another consultant. Another consultant's citizen answers
404 on every route, exactly like an id that does not exist.
"""
from __future__ import annotations

from flask import current_app, jsonify, request

from data import accounts, paging, registry
from data.db import write
from core.errors import Invalid
from data.exchange import citizen_to_exchange
from data.match_filters import parse_match_filters
from jobs import erasure
from web.api import ApiError, bp, consultant, created, invalid, json_object, keep_path_id, new_record_id
from web.api.paging import page_request, paged_response
from web.audit_trail import seen, seen_many
from web.auth import citizen_or_404
from web.db import get_db


def citizen_json(citizen: dict) -> dict:
    return citizen_to_exchange(citizen)


@bp.get("/citizens")
def list_citizens():
    user = consultant()
    wanted = request.args.get("consultant")
    if wanted and not user.is_admin and wanted.strip().lower() != user.email.lower():
        raise ApiError(403, "Kun en administrator kan se andre konsulenters borgere.")
    email = wanted.strip().lower() if wanted else (None if user.is_admin else user.email)
    limit, after = page_request(len(paging.CITIZEN_ORDER))
    page = paging.citizens(get_db(), email, limit=limit, after=after)
    seen_many("viewed_list", [c["id"] for c in page.items])
    return paged_response("citizens", page, citizen_json, limit)


@bp.get("/citizens/<citizen_id>")
def get_citizen(citizen_id: str):
    citizen = citizen_or_404(citizen_id)
    seen("viewed_profile", citizen_id)
    return jsonify(citizen_json(citizen))


@bp.post("/citizens")
def create_citizen():
    record = json_object("borger")
    citizen_id = new_record_id(record, "borger")
    db = get_db()
    with write(db):
        _assign_consultant(record, current=None)
        if registry.get_citizen(db, citizen_id) is not None:
            # Ids are the provider's own keys, not citizen data: saying it is taken is safe.
            raise ApiError(409, f"Der findes allerede en borger med id '{citizen_id}'. "
                                "Brug PUT for at rette den.")
        _save(db, record)
    return created(citizen_json(registry.get_citizen(db, citizen_id)), "api.get_citizen", citizen_id=citizen_id)


@bp.put("/citizens/<citizen_id>")
def update_citizen(citizen_id: str):
    current = citizen_or_404(citizen_id)
    record = json_object("borger", citizen_id)
    keep_path_id(record, citizen_id, "borger")
    db = get_db()
    with write(db):
        _assign_consultant(record, current=current)
        _save(db, record)
    return jsonify(citizen_json(registry.get_citizen(db, citizen_id)))


@bp.delete("/citizens/<citizen_id>")
def delete_citizen(citizen_id: str):
    """The full erasure (jobs.erasure): every row, e-mail and e-mail file about the citizen."""
    citizen_or_404(citizen_id)
    erasure.erase_citizen(get_db(), current_app.config["SMAJOBS"], citizen_id)
    return "", 204


def _assign_consultant(record: dict, current: dict | None) -> None:
    """Who follows the citizen after this write. Absent keeps the current consultant (or, on
    create, the caller); only an admin may name someone else, and it must be a real account."""
    user = consultant()
    given = record.get("consultant")
    if given is None:
        record["consultant"] = current["consultant"] if current else user.email
        return
    if not isinstance(given, str):
        return  # parse_citizen reports the type
    email = given.strip().lower()
    keeps_own = email == ((current or {}).get("consultant") or user.email).lower()
    if not user.is_admin and not keeps_own:
        raise Invalid.one(record["id"], "consultant", "kun en administrator kan give borgeren til en anden konsulent",
                          "borger")
    if email and not keeps_own:
        account = accounts.consultant_by_email(get_db(), email)
        if account is None or not account["active"]:
            raise Invalid.one(record["id"], "consultant", f"der er ingen aktiv konsulent med e-mail '{email}'",
                              "borger")


def _save(db, record: dict) -> None:
    registry.save_citizen(db, record)  # Invalid: 422 with every problem


# --- matches -----------------------------------------------------------------------------------

@bp.get("/citizens/<citizen_id>/matches")
def citizen_matches(citizen_id: str):
    citizen_or_404(citizen_id)
    try:
        filters = parse_match_filters(request.args.to_dict(), citizen_id, exact=True)
    except Invalid as error:
        raise invalid(error, "Ugyldige søgeparametre.")
    from data.matching import match_service
    result = match_service.match(get_db(), citizen_id, **filters)
    if result is None:  # deleted between the check and the match
        raise ApiError(404)
    seen("viewed_matches", citizen_id)
    return jsonify({"radius_km": result.radius_km, "widened": result.widened, "notice": result.notice,
                    "matches": [m.to_dict() for m in result.matches]})
