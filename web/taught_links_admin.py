"""Admin page "Lærte koblinger": the links consultants taught the matcher (issue 13,
data.taught_links), who made each and when, with a button that removes one (audited). A link
removed is no longer used from the next match on, in every process.

Admins only (others get 403). The page shows terms and fields, no citizen data."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from data import taught_links
from web.auth import admin_required
from web.citizen_export import when
from web.db import get_db

bp = Blueprint("taught_links_admin", __name__, url_prefix="/admin/laerte-koblinger")


@bp.get("/")
@admin_required
def index():
    from matcher.taught import field_label
    return render_template("taught_links_admin/index.html", links=taught_links.list_links(get_db()),
                           field_label=field_label, when=when)


@bp.post("/<int:link_id>/fjern")
@admin_required
def remove(link_id: int):
    # CSRF is checked globally (web.auth.csrf) before this runs.
    from matcher.taught import field_label
    removed = taught_links.remove(get_db(), link_id)
    if removed is None:
        abort(404)
    flash(f"Koblingen »{removed['term']}« ↔ {field_label(removed['field'])} er fjernet.")
    return redirect(url_for("taught_links_admin.index"))
