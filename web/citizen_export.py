"""Hent alle data: the citizen's access export (GDPR art. 15) as a printable Danish page and as
a JSON download. The same document as the API (/api/v1/citizens/<id>/export) and
`smajobs export-citizen` (data.access_export); each fetch is written to the audit trail.

Same access as the citizen page: the citizen's consultant or an admin; anyone else gets 404.
"""
from __future__ import annotations

import json
import re
from datetime import datetime

from flask import Blueprint, Response, abort, render_template
from flask_login import login_required

from core.clock import local_now
from core.formats import danish_date
from data.access_export import citizen_export
from data.placements import (KIND_LABELS, MEETING_KIND_LABELS, OUTCOME_LABELS, REPORT_KIND_LABELS,
                             STATUS_LABELS)
from jobs.rules import RULE_LABELS
from matcher.vocabulary import LANGUAGE_NAMES, NEEDS, SHIFT_LABELS
from web.auth import citizen_or_404
from web.checkin import ATTENDANCE, TASKS
from web.db import get_db

bp = Blueprint("citizen_export", __name__)

CHANNEL_LABELS = {"page": "Webside", "api": "API", "cli": "Kommandolinje", "scheduler": "Planlægger",
                  "system": "System"}
ACTOR_LABELS = {"consultant": "Konsulent", "admin": "Administrator", "cli": "Drift (kommandolinje)",
                "scheduler": "Planlæggeren", "system": "Systemet"}
REMINDER_STATUS = {"open": "Åben", "done": "Klaret", "closed": "Lukket"}


def _document(citizen_id: str) -> dict:
    citizen_or_404(citizen_id)
    document = citizen_export(get_db(), citizen_id)
    if document is None:  # deleted between the two reads
        abort(404)
    return document


def when(stored: str | None) -> str:
    """A stored UTC timestamp as Danish wall-clock time: '1. december 2026 kl. 21.05'."""
    if not stored:
        return "–"
    if len(stored) == 10:
        return danish_date(stored)
    moment = local_now(datetime.fromisoformat(stored))
    return f"{danish_date(moment)} kl. {moment:%H.%M}"


@bp.get("/borgere/<citizen_id>/alle-data")
@login_required
def show(citizen_id):
    document = _document(citizen_id)
    return render_template(
        "citizen_export/show.html", doc=document, citizen=document["citizen"], when=when,
        kind_labels=KIND_LABELS, status_labels=STATUS_LABELS, outcome_labels=OUTCOME_LABELS,
        report_labels=REPORT_KIND_LABELS, meeting_labels=MEETING_KIND_LABELS, rule_labels=RULE_LABELS,
        reminder_status=REMINDER_STATUS, needs=NEEDS, shift_labels=SHIFT_LABELS, language_names=LANGUAGE_NAMES,
        attendance=dict(ATTENDANCE), tasks=dict(TASKS), channel_labels=CHANNEL_LABELS, actor_labels=ACTOR_LABELS)


@bp.get("/borgere/<citizen_id>/alle-data.json")
@login_required
def download(citizen_id):
    document = _document(citizen_id)
    body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    # The id only in the file name (never the name), and only characters safe in a header.
    safe_id = re.sub(r"[^A-Za-z0-9._-]", "_", citizen_id)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="alle-data-{safe_id}.json"',
        "Cache-Control": "no-store"})
