"""Admin page "Fejlede e-mails": e-mails the scheduler gave up on, with "Prøv igen".

Admins only (others get 403). The page shows recipient and subject, which admins may see; it
is where an operator looks when e-mail stops arriving.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from data.outbox import status_counts
from jobs.mail import failed_messages, retry_failed
from web.auth import admin_required
from web.db import get_db

bp = Blueprint("outbox_admin", __name__, url_prefix="/admin/e-mails")


@bp.get("/")
@admin_required
def index():
    db = get_db()
    return render_template("outbox_admin/index.html", messages=failed_messages(db),
                           counts=status_counts(db))


@bp.post("/<int:outbox_id>/proev-igen")
@admin_required
def retry(outbox_id: int):
    # CSRF is checked globally (web.auth.csrf) before this runs.
    if not retry_failed(get_db(), outbox_id):
        abort(404)
    flash(f"E-mail nr. {outbox_id} er sat i kø igen og sendes inden for et minut.")
    return redirect(url_for("outbox_admin.index"))
