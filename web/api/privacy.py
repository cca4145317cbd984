"""A citizen's access export (GDPR art. 15) through the API: the same document as the page's
"Hent alle data" and `smajobs export-citizen` (data.access_export), audited as "exported".
Another consultant's citizen answers 404, like every citizen route."""
from __future__ import annotations

from flask import jsonify

from data.access_export import citizen_export
from web.api import ApiError, bp
from web.auth import citizen_or_404
from web.db import get_db


@bp.get("/citizens/<citizen_id>/export")
def citizen_export_document(citizen_id: str):
    citizen_or_404(citizen_id)
    document = citizen_export(get_db(), citizen_id)
    if document is None:  # deleted between the check and the export
        raise ApiError(404)
    return jsonify(document)
