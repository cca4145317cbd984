"""Admin page "Drift": how the service is kept safe, starting with backups.

Shows whether nightly backups are set up (SMAJOBS_BACKUP_DIR), when the last one succeeded
(the scheduler's nightly job or `smajobs backup`), the backups in the folder, and a warning
when backups are set up and the last success is older than 36 hours (or there is none).
Admins only (others get 403).
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from data import backup
from web.auth import admin_required
from web.citizen_export import when
from web.db import get_db

bp = Blueprint("operations_admin", __name__, url_prefix="/admin/drift")


def backup_status(list_files: bool = True) -> backup.Status:
    config = current_app.config["SMAJOBS"]
    return backup.status(get_db(), config.backup_dir, config.backup_keep, config.backup_time,
                         list_files=list_files)


@bp.get("/")
@admin_required
def index():
    return render_template("operations_admin/index.html", status=backup_status(), when=when,
                           stale_hours=int(backup.STALE_AFTER.total_seconds() // 3600))


def menu_label(label: str) -> str:
    """The menu entry, with a mark while backups are set up but late, so it is seen at once."""
    return f"{label} (!)" if backup_status(list_files=False).stale else label
