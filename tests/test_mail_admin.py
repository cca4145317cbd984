"""The admin page "Fejlede e-mails": shows e-mails given up on, "Prøv igen" requeues them."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from data import outbox
from data.outbox import enqueue
from jobs.mail import deliver_outbox
from tests.conftest import free_port, login

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def fail_one(db, config) -> int:
    """An e-mail that failed for real: its only try met a closed port."""
    outbox_id = enqueue(db, to="virksomhed@example.dk", subject="Tak for samarbejdet",
                        body_text="Hej\n", send_after=T0)
    unreachable = config.with_(mail_transport="smtp", smtp_host="127.0.0.1", smtp_port=free_port(),
                               smtp_timeout=2.0, outbox_max_attempts=1)
    assert deliver_outbox(db, unreachable, now=T0) == 0
    assert outbox.get(db, outbox_id)["failed_at"]
    return outbox_id


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_an_admin_sees_failed_emails_and_can_requeue_them(db, config, client, make_consultant):
    outbox_id = fail_one(db, config)
    make_consultant(email="admin@example.dk", name="Anna Admin", role="admin")
    login(client, "admin@example.dk")

    page = client.get("/admin/e-mails/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Fejlede e-mails" in html
    assert f'id="email-{outbox_id}"' in html
    assert "virksomhed@example.dk" in html and "Tak for samarbejdet" in html
    assert "Kunne ikke forbinde til SMTP-serveren" in html
    assert "Prøv igen" in html

    refused = client.post(f"/admin/e-mails/{outbox_id}/proev-igen")
    assert refused.status_code == 400, "no CSRF token, no requeue"
    assert outbox.get(db, outbox_id)["failed_at"]

    response = client.post(f"/admin/e-mails/{outbox_id}/proev-igen", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 302
    requeued = outbox.get(db, outbox_id)
    assert requeued["failed_at"] is None and requeued["attempts"] == 0
    after = client.get("/admin/e-mails/").get_data(as_text=True)
    assert f"E-mail nr. {outbox_id} er sat i kø igen" in after
    assert "Ingen fejlede e-mails." in after

    # Requeued means sent on the next pass (here to files) with the same Message-ID.
    assert deliver_outbox(db, config, now=datetime.now(timezone.utc) + timedelta(seconds=1)) == 1
    assert outbox.get(db, outbox_id)["sent_at"]

    again = client.post(f"/admin/e-mails/{outbox_id}/proev-igen", data={"csrf_token": csrf_token(after)})
    assert again.status_code == 404, "only a failed e-mail can be requeued"


def test_a_consultant_gets_403_and_no_menu_entry(db, config, client, make_consultant):
    outbox_id = fail_one(db, config)
    make_consultant(email="konsulent@example.dk")
    login(client, "konsulent@example.dk")
    assert client.get("/admin/e-mails/").status_code == 403
    home = client.get("/admin/e-mails/")
    assert "virksomhed@example.dk" not in home.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    token = csrf_token(page)
    assert client.post(f"/admin/e-mails/{outbox_id}/proev-igen", data={"csrf_token": token}).status_code == 403
    assert outbox.get(db, outbox_id)["failed_at"], "nothing changed"


def test_the_menu_shows_the_page_to_admins_only(db, client, make_consultant, app):
    make_consultant(email="admin@example.dk", role="admin")
    make_consultant(email="konsulent@example.dk")
    from web.pages import nav_items
    from web.auth import Consultant
    from flask_login import login_user
    from data.accounts import consultant_by_email
    for email, expected in (("admin@example.dk", True), ("konsulent@example.dk", False)):
        with app.test_request_context("/"):
            login_user(Consultant(consultant_by_email(db, email), second_factor="totp"))
            entries = [endpoint for endpoint, _ in nav_items()["nav_items"]]
            assert ("outbox_admin.index" in entries) is expected


def test_logged_out_visitors_are_sent_to_log_in(client):
    response = client.get("/admin/e-mails/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
