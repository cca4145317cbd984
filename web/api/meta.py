"""The API's own description and who is calling."""
from __future__ import annotations

from flask import jsonify

from web.api import bp, consultant


@bp.get("/openapi.json")
def openapi_document():
    """Public: the OpenAPI 3.1 document describing every route under /api/v1."""
    from web.openapi import document
    response = jsonify(document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/me")
def me():
    user = consultant()
    return jsonify({"id": user.id, "email": user.email, "name": user.name, "role": user.role})
