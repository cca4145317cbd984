"""Sending from the outbox: .eml files, a real SMTP server on loopback, back-off, cut-off
connections, permanent failures and stale claims. Time is passed in as `now`; nothing sleeps."""
from __future__ import annotations

import email
import email.policy
from datetime import datetime, timedelta, timezone
from email.header import decode_header, make_header
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from data import outbox
from data.outbox import enqueue
from jobs.mail import deliver_outbox, failed_messages, retry_delay, retry_failed
from tests.smtp import FlakySMTPServer, server_starter

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//smajobs//DA\r\nEND:VCALENDAR\r\n"


def queue(db, count: int = 1, **fields) -> list[int]:
    ids = []
    for number in range(count):
        values = {"to": f"konsulent{number}@example.dk", "subject": f"Påmindelse {number}",
                  "body_text": "Hej Karen\nSe opfølgningen her: http://127.0.0.1:5000/i-dag\n",
                  "send_after": T0 - timedelta(minutes=1)} | fields
        ids.append(enqueue(db, **values))
    return ids


def row(db, outbox_id: int) -> dict:
    return outbox.get(db, outbox_id)


def smtp_config(config, server, **changes):
    return config.with_(mail_transport="smtp", smtp_host=server.host, smtp_port=server.port,
                        smtp_timeout=5.0, mail_from="småjobs <smajobs@example.dk>", **changes)


def message_ids(server) -> list[str]:
    return [message["Message-ID"] for message in server.messages]


@pytest.fixture
def flaky_server():
    with server_starter(FlakySMTPServer) as start:
        yield start


def test_files_transport_writes_parseable_eml_with_the_rows_headers(db, config):
    [outbox_id] = queue(db, to="karen@example.dk", subject="Opfølgning med Åse i morgen",
                        body_html="<p>Hej Karen, læs mere</p>",
                        attachments=[{"filename": "opfoelgning.ics",
                                      "content_type": "text/calendar; method=PUBLISH", "content": ICS}])
    config = config.with_(mail_from="småjobs <smajobs@example.dk>")

    assert deliver_outbox(db, config, now=T0) == 1

    files = sorted(Path(config.mail_dir).glob("*.eml"))
    assert [f.name for f in files] == [f"outbox-{outbox_id:06d}.eml"]
    raw = files[0].read_bytes()
    assert raw.isascii(), "Danish letters are encoded, so any mail server takes the file"
    message = email.message_from_bytes(raw, policy=email.policy.default)
    stored = row(db, outbox_id)
    assert message["Message-ID"] == stored["message_id"]
    assert message["To"] == "karen@example.dk"
    assert message["From"].addresses[0].addr_spec == "smajobs@example.dk"
    assert message["From"].addresses[0].display_name == "småjobs"
    assert message["Subject"] == "Opfølgning med Åse i morgen"
    assert message["Auto-Submitted"] == "auto-generated"
    assert parsedate_to_datetime(message["Date"]) == T0
    assert message["Date"].endswith("+0100"), "Date is given in Danish time"
    assert "Se opfølgningen her" in message.get_body(("plain",)).get_content()
    assert "læs mere" in message.get_body(("html",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "opfoelgning.ics"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_payload(decode=True).decode() == ICS, "CRLF line endings survive"
    assert stored["sent_at"] == T0.isoformat() and stored["attempts"] == 0

    # Sent rows are never sent again.
    files[0].unlink()
    assert deliver_outbox(db, config, now=T0 + timedelta(hours=1)) == 0
    assert not list(Path(config.mail_dir).glob("*.eml"))


def test_smtp_transport_delivers_each_row_with_its_message_id(db, config, smtp_server):
    ids = queue(db, 3)
    assert deliver_outbox(db, smtp_config(config, smtp_server), now=T0) == 3
    assert sorted(message_ids(smtp_server)) == sorted(row(db, i)["message_id"] for i in ids)
    received = {m["To"]: m for m in smtp_server.messages}
    assert set(received) == {"konsulent0@example.dk", "konsulent1@example.dk", "konsulent2@example.dk"}
    subject = received["konsulent1@example.dk"]["Subject"]
    assert str(make_header(decode_header(subject))) == "Påmindelse 1"
    assert all(row(db, i)["sent_at"] for i in ids)


def test_an_email_waits_for_its_send_after(db, config):
    queue(db, send_after=T0 + timedelta(hours=2))
    assert deliver_outbox(db, config, now=T0) == 0
    assert deliver_outbox(db, config, now=T0 + timedelta(hours=2)) == 1


def test_send_after_is_stored_in_utc_and_must_carry_a_zone(db):
    [outbox_id] = queue(db, send_after="2026-03-29T03:30:00+02:00")
    assert row(db, outbox_id)["send_after"] == "2026-03-29T01:30:00+00:00"
    with pytest.raises(ValueError, match="tidszone"):
        queue(db, send_after="2026-03-29T03:30:00")


def test_back_off_doubles_and_is_capped():
    assert [retry_delay(n) for n in range(1, 10)] == [timedelta(minutes=m) for m in
                                                      (1, 2, 4, 8, 16, 32, 60, 60, 60)]


def test_smtp_server_down_for_a_while_then_everything_arrives_once(db, config, smtp_server):
    ids = queue(db, 3)
    config = smtp_config(config, smtp_server)
    smtp_server.stop()

    # While the server is down: one connection attempt per pass, the others wait untouched.
    assert deliver_outbox(db, config, now=T0) == 0
    first = row(db, ids[0])
    assert first["attempts"] == 1 and first["claimed_at"] is None and first["failed_at"] is None
    assert first["send_after"] == (T0 + timedelta(minutes=1)).isoformat()
    assert "Kunne ikke forbinde til SMTP-serveren" in first["last_error"]
    assert [row(db, i)["attempts"] for i in ids[1:]] == [0, 0]

    # The longest-waiting e-mail goes first: the second one now, the first is backing off.
    assert deliver_outbox(db, config, now=T0 + timedelta(seconds=30)) == 0
    assert [row(db, i)["attempts"] for i in ids] == [1, 1, 0]
    assert row(db, ids[1])["send_after"] == (T0 + timedelta(minutes=1, seconds=30)).isoformat()
    assert all(row(db, i)["failed_at"] is None for i in ids)

    smtp_server.start()
    assert deliver_outbox(db, config, now=T0 + timedelta(minutes=1)) == 2, \
        "the second e-mail is still backing off; the other two go"
    assert deliver_outbox(db, config, now=T0 + timedelta(minutes=2)) == 1
    assert sorted(message_ids(smtp_server)) == sorted(row(db, i)["message_id"] for i in ids)
    assert deliver_outbox(db, config, now=T0 + timedelta(hours=5)) == 0
    assert len(smtp_server.messages) == 3


def test_a_send_cut_off_in_the_middle_of_data_is_retried_with_the_same_message_id(db, config, flaky_server):
    server = flaky_server(drop_before_accept=1)
    [outbox_id] = queue(db)
    config = smtp_config(config, server)

    assert deliver_outbox(db, config, now=T0) == 0
    failed_try = row(db, outbox_id)
    assert server.data_commands == 1 and server.messages == []
    assert failed_try["attempts"] == 1 and failed_try["sent_at"] is None
    assert "afbrudt under afsendelsen" in failed_try["last_error"]

    assert deliver_outbox(db, config, now=T0 + timedelta(minutes=1)) == 1
    assert message_ids(server) == [failed_try["message_id"]]
    assert row(db, outbox_id)["last_error"] is None


def test_a_cut_after_the_server_accepted_gives_a_copy_with_the_same_message_id(db, config, flaky_server):
    # The documented at-least-once window: the receiver can de-duplicate on Message-ID.
    server = flaky_server(drop_after_accept=1)
    [outbox_id] = queue(db)
    config = smtp_config(config, server)
    assert deliver_outbox(db, config, now=T0) == 0
    assert deliver_outbox(db, config, now=T0 + timedelta(minutes=1)) == 1
    assert message_ids(server) == [row(db, outbox_id)["message_id"]] * 2


def test_temporary_4xx_answers_are_retried_and_a_good_row_after_a_bad_one_still_goes(db, config, flaky_server):
    server = flaky_server(tempfail=2)
    ids = queue(db, 2)
    config = smtp_config(config, server)
    assert deliver_outbox(db, config, now=T0) == 0, "both get 451; the connection is not the problem"
    assert [row(db, i)["attempts"] for i in ids] == [1, 1]
    assert "SMTP-serveren svarede 451" in row(db, ids[0])["last_error"]
    assert deliver_outbox(db, config, now=T0 + timedelta(minutes=1)) == 2
    assert len(server.messages) == 2


def test_after_the_last_attempt_the_email_is_failed_and_no_longer_tried(db, config, flaky_server):
    server = flaky_server(tempfail=100)
    [outbox_id] = queue(db)
    config = smtp_config(config, server, outbox_max_attempts=3)
    when = T0
    for _ in range(3):
        deliver_outbox(db, config, now=when)
        when += timedelta(hours=1)
    failed = row(db, outbox_id)
    assert failed["attempts"] == 3 and failed["failed_at"] == (T0 + timedelta(hours=2)).isoformat()
    assert [m["id"] for m in failed_messages(db)] == [outbox_id]
    deliver_outbox(db, config, now=when + timedelta(days=1))
    assert server.data_commands == 3

    assert retry_failed(db, outbox_id, now=when) is True
    assert retry_failed(db, outbox_id, now=when) is False, "no longer failed"
    assert row(db, outbox_id)["attempts"] == 0 and failed_messages(db) == []


def test_a_recipient_refused_with_5xx_fails_at_once_without_holding_up_others(db, config, flaky_server):
    server = flaky_server(refuse=("findes.ikke@example.dk",))
    bad, good = queue(db, 1, to="findes.ikke@example.dk") + queue(db, 1)
    assert deliver_outbox(db, smtp_config(config, server), now=T0) == 1
    refused = row(db, bad)
    assert refused["failed_at"] and refused["attempts"] == 1
    assert "Modtageren blev afvist" in refused["last_error"] and "550" in refused["last_error"]
    assert row(db, good)["sent_at"] and [m["To"] for m in server.messages] == ["konsulent0@example.dk"]


def test_a_row_that_cannot_be_built_fails_at_once(db, config):
    bad = queue(db, attachments=[{"filename": "x.pdf", "content_type": "application/pdf",
                                  "content_base64": "ikke base64!"}])[0]
    good = queue(db)[0]
    assert deliver_outbox(db, config, now=T0) == 1
    assert row(db, bad)["failed_at"] and "kunne ikke bygges" in row(db, bad)["last_error"]
    assert row(db, good)["sent_at"]


def test_a_claim_of_a_dead_sender_is_taken_over_after_the_lease(db, config, smtp_server):
    [outbox_id] = queue(db)
    assert outbox.claim(db, outbox_id, worker_id="dead-sender", now=T0.isoformat())
    assert not outbox.claim(db, outbox_id, worker_id="other", now=T0.isoformat()), "one claim at a time"
    config = smtp_config(config, smtp_server)

    assert deliver_outbox(db, config, now=T0 + timedelta(minutes=9)) == 0, "the lease still holds"
    assert deliver_outbox(db, config, now=T0 + timedelta(minutes=11), worker_id="new-sender") == 1
    taken = row(db, outbox_id)
    assert taken["claimed_by"] == "new-sender" and taken["attempts"] == 1
    assert message_ids(smtp_server) == [taken["message_id"]]


def test_a_stale_claim_on_the_last_attempt_fails_instead_of_looping(db, config):
    [outbox_id] = queue(db)
    config = config.with_(outbox_max_attempts=1)
    outbox.claim(db, outbox_id, worker_id="dead-sender", now=T0.isoformat())
    assert deliver_outbox(db, config, now=T0 + timedelta(minutes=11)) == 0
    assert row(db, outbox_id)["failed_at"] and row(db, outbox_id)["claimed_at"] is None


def test_a_naive_now_is_refused(db, config):
    with pytest.raises(ValueError):
        deliver_outbox(db, config, now=datetime(2026, 1, 1, 9, 0))


def _authenticator(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult, LoginPassword
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"smajobs", b"hemmelig")
    return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 itself


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback test server
def test_smtp_login_is_used_and_a_rejected_login_is_reported_in_danish(db, config, flaky_server):
    server = flaky_server(smtp_options={"authenticator": _authenticator, "auth_require_tls": False,
                                        "auth_required": True})
    [outbox_id] = queue(db)
    wrong = smtp_config(config, server, smtp_user="smajobs", smtp_password="forkert")
    assert deliver_outbox(db, wrong, now=T0) == 0
    assert "afviste brugernavn/adgangskode (535)" in row(db, outbox_id)["last_error"]
    assert server.messages == []

    right = smtp_config(config, server, smtp_user="smajobs", smtp_password="hemmelig")
    assert deliver_outbox(db, right, now=T0 + timedelta(minutes=1)) == 1
    assert message_ids(server) == [row(db, outbox_id)["message_id"]]


def test_a_server_that_never_answers_times_out_and_is_retried(db, config):
    import socket
    [outbox_id] = queue(db)
    with socket.socket() as silent:  # accepts connections (in its backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        port = silent.getsockname()[1]
        silent_config = config.with_(mail_transport="smtp", smtp_host="127.0.0.1", smtp_port=port,
                                     smtp_timeout=0.3)
        assert deliver_outbox(db, silent_config, now=T0) == 0
    failed_try = row(db, outbox_id)
    assert "svarede ikke inden for 0.3 sekunder" in failed_try["last_error"]
    assert failed_try["attempts"] == 1 and failed_try["failed_at"] is None


def test_send_mail_command_reads_now_in_danish_time_and_refuses_nonsense(db, config, monkeypatch):
    from click.testing import CliRunner
    from smajobs.cli import main
    monkeypatch.setenv("SMAJOBS_MAIL_DIR", config.mail_dir)
    queue(db, send_after=datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))  # 10:00 in Copenhagen
    runner = CliRunner()

    bad = runner.invoke(main, ["--db", config.db, "send-mail", "--now", "i går"])
    assert bad.exit_code == 2 and "er ikke et ISO-tidspunkt" in bad.output

    early = runner.invoke(main, ["--db", config.db, "send-mail", "--now", "2026-11-23T09:59"])
    assert early.exit_code == 0 and "Sendt: 0. Venter: 1" in early.output
    on_time = runner.invoke(main, ["--db", config.db, "send-mail", "--now", "2026-11-23T10:00"])
    assert on_time.exit_code == 0 and "Sendt: 1. Venter: 0" in on_time.output
    assert len(list(Path(config.mail_dir).glob("*.eml"))) == 1
