"""Import and export of whole exchange documents (docs/exchange-format.md).

Import is for admins: it can create and re-assign any citizen. A document with any invalid
record is refused whole (422 with every problem) and nothing is stored.

Export never hands a consultant other consultants' citizens: an admin gets everything; a
consultant gets every employer (the registry is shared) and only the citizens they follow.
"""
from __future__ import annotations

from flask import jsonify

from data import registry
from core.errors import Invalid
from data.exchange import parse_document
from web.api import bp, consultant, invalid, json_body, require_admin
from web.audit_trail import seen_many
from web.db import get_db


@bp.post("/import")
def import_document():
    require_admin()
    document = json_body()
    try:
        parsed = parse_document(document)
        # import_document also refuses what conflicts with stored data (an opening of another employer).
        summary = registry.import_document(get_db(), parsed)
    except Invalid as error:
        raise invalid(error, f"Filen blev afvist ({len(error.problems)} fejl), intet er gemt.")
    return jsonify({"created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged,
                    "message": summary.describe()})


@bp.get("/export")
def export_document():
    document = registry.export_document(get_db())
    user = consultant()
    if not user.is_admin:
        own = user.email.lower()
        document["citizens"] = [c for c in document["citizens"] if (c.get("consultant") or "").lower() == own]
    seen_many("exported", [c["id"] for c in document["citizens"]])
    return jsonify(document)
