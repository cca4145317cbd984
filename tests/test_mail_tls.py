"""Sending from the outbox over TLS: STARTTLS and implicit TLS (SMTPS) with login, against real
aiosmtpd servers on loopback whose certificates come from a throwaway CA (trustme). The sender
verifies the certificate against SMAJOBS_SMTP_CA_FILE; nothing here turns verification off."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
import trustme

from data import outbox
from data.outbox import enqueue, utc_iso
from jobs.mail import deliver_outbox
from core.config import Config
from tests.conftest import free_port
from tests.smtp import PasswordAuthenticator, RecordingSMTPServer, server_starter, server_tls_context

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
USER, PASSWORD = "smajobs", "hemmelig-Æ7-kodeord"

# aiosmtpd counts only STARTTLS as TLS, so for an implicit-TLS server it has to be told not to
# require TLS for AUTH (the whole connection is TLS) and warns about it.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca, tmp_path) -> str:
    path = tmp_path / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def start_server():
    with server_starter(RecordingSMTPServer) as start:
        yield start


def starttls_server(start_server, tls_context, authenticator) -> RecordingSMTPServer:
    """Like Office 365 on 587: nothing but EHLO before STARTTLS, and AUTH only after it."""
    return start_server(tls_context=tls_context, require_starttls=True, authenticator=authenticator,
                        auth_required=True, auth_require_tls=True)


def implicit_tls_server(start_server, ssl_context, authenticator) -> RecordingSMTPServer:
    """Like a relay on 465: TLS from the first byte."""
    return start_server(ssl_context=ssl_context, authenticator=authenticator, auth_required=True,
                        auth_require_tls=False)


MODES = {
    "starttls": (starttls_server, {"smtp_starttls": True}),
    "implicit": (implicit_tls_server, {"smtp_ssl": True}),
}


def start_tls_server(mode: str, start_server, tls_context, authenticator) -> RecordingSMTPServer:
    return MODES[mode][0](start_server, tls_context, authenticator)


def tls_config(config, server, mode: str, **changes):
    settings = {"smtp_user": USER, "smtp_password": PASSWORD} | MODES[mode][1] | changes
    return config.with_(mail_transport="smtp", smtp_host=server.host, smtp_port=server.port,
                        smtp_timeout=5.0, mail_from="småjobs <smajobs@example.dk>", **settings)


def queue(db, count: int = 1) -> list[int]:
    return [enqueue(db, to=f"konsulent{number}@example.dk", subject="Påmindelse",
                    body_text="Hej Karen\nSe opfølgningen her: http://127.0.0.1:5000/i-dag\n",
                    send_after=T0 - timedelta(minutes=1)) for number in range(count)]


def row(db, outbox_id: int) -> dict:
    return outbox.get(db, outbox_id)


def assert_waits_for_a_retry(db, outbox_id: int, failed_at: datetime) -> None:
    failed = row(db, outbox_id)
    assert failed["sent_at"] is None and failed["failed_at"] is None
    assert failed["attempts"] == 1 and failed["claimed_at"] is None
    assert failed["send_after"] == utc_iso(failed_at + timedelta(minutes=1)), "back-off: 1 minute"


@pytest.mark.parametrize("mode", ["starttls", "implicit"])
def test_tls_with_login_delivers_once_with_the_rows_message_id(db, config, ca, ca_file,
                                                               start_server, mode):
    authenticator = PasswordAuthenticator(USER, PASSWORD)
    server = start_tls_server(mode, start_server, server_tls_context(ca), authenticator)
    [outbox_id] = queue(db)
    config = tls_config(config, server, mode, smtp_ca_file=ca_file)

    assert deliver_outbox(db, config, now=T0) == 1
    assert deliver_outbox(db, config, now=T0 + timedelta(minutes=5)) == 0

    sent = row(db, outbox_id)
    assert sent["sent_at"] and sent["last_error"] is None
    assert [message["Message-ID"] for message in server.messages] == [sent["message_id"]]
    [delivery] = server.deliveries
    assert delivery.tls_version in ("TLSv1.2", "TLSv1.3") and delivery.login == USER
    assert authenticator.tries == [(USER, True)]


@pytest.mark.parametrize("mode", ["starttls", "implicit"])
def test_an_untrusted_certificate_is_refused_until_its_ca_is_configured(
        db, config, ca, ca_file, start_server, tmp_path, mode):
    authenticator = PasswordAuthenticator(USER, PASSWORD)
    server = start_tls_server(mode, start_server, server_tls_context(ca), authenticator)
    [outbox_id, waiting_id] = queue(db, 2)

    # The system trust store does not know the throwaway CA.
    assert deliver_outbox(db, tls_config(config, server, mode), now=T0) == 0
    error = row(db, outbox_id)["last_error"]
    assert "SMTP-serverens certifikat (127.0.0.1:" in error and "blev ikke godkendt" in error
    assert "udstedt af en CA, som ikke er betroet" in error and "SMAJOBS_SMTP_CA_FILE." in error
    assert_waits_for_a_retry(db, outbox_id, T0)
    assert row(db, waiting_id)["attempts"] == 0, "the pass stops: the rest keep their tries"

    # A CA file, but of another CA: still refused, and the message names the file.
    other_ca = tmp_path / "anden-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    later = T0 + timedelta(minutes=1)
    assert deliver_outbox(db, tls_config(config, server, mode, smtp_ca_file=str(other_ca)),
                          now=later) == 0
    # The pass takes the row due longest first: the one that has not been tried yet.
    assert f"(nu: {other_ca})" in row(db, waiting_id)["last_error"]
    assert row(db, waiting_id)["attempts"] == 1 and row(db, outbox_id)["attempts"] == 1

    assert server.messages == [] and authenticator.tries == [], \
        "no password goes to a server whose certificate was not accepted"

    even_later = later + timedelta(minutes=2)
    assert deliver_outbox(db, tls_config(config, server, mode, smtp_ca_file=ca_file),
                          now=even_later) == 2
    assert [m["Message-ID"] for m in server.messages] == [row(db, outbox_id)["message_id"],
                                                         row(db, waiting_id)["message_id"]]
    assert row(db, outbox_id)["last_error"] is None


def test_a_certificate_for_another_host_is_refused_even_from_a_trusted_ca(
        db, config, ca, ca_file, start_server):
    import ssl
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("mail.example.dk").configure_cert(context)
    authenticator = PasswordAuthenticator(USER, PASSWORD)
    server = starttls_server(start_server, context, authenticator)
    [outbox_id] = queue(db)

    assert deliver_outbox(db, tls_config(config, server, "starttls", smtp_ca_file=ca_file), now=T0) == 0
    assert "certifikatet gælder ikke for denne IP-adresse" in row(db, outbox_id)["last_error"]
    assert server.messages == [] and authenticator.tries == []


@pytest.mark.parametrize("mode", ["starttls", "implicit"])
def test_a_wrong_password_is_recorded_in_danish_without_the_password(
        db, config, ca, ca_file, start_server, caplog, mode):
    caplog.set_level(logging.DEBUG)
    authenticator = PasswordAuthenticator(USER, PASSWORD)
    server = start_tls_server(mode, start_server, server_tls_context(ca), authenticator)
    [outbox_id] = queue(db)
    wrong_password = "forkert-kodeord-123"

    assert deliver_outbox(db, tls_config(config, server, mode, smtp_ca_file=ca_file,
                                         smtp_password=wrong_password), now=T0) == 0

    error = row(db, outbox_id)["last_error"]
    assert error == f"SMTP-serveren 127.0.0.1:{server.port} afviste brugernavn/adgangskode (535)."
    assert_waits_for_a_retry(db, outbox_id, T0)
    assert server.messages == []
    # smtplib tries each mechanism the server offers (PLAIN, then LOGIN) before giving up.
    assert authenticator.tries and set(authenticator.tries) == {(USER, False)}
    assert "auth 535" in caplog.text
    assert wrong_password not in caplog.text and PASSWORD not in caplog.text


def test_starttls_required_but_not_offered_sends_nothing_in_plain_text(db, config, start_server):
    # This server would take AUTH and the message in plain text.
    authenticator = PasswordAuthenticator(USER, PASSWORD)
    server = start_server(authenticator=authenticator, auth_require_tls=False)
    [outbox_id] = queue(db)

    assert deliver_outbox(db, tls_config(config, server, "starttls"), now=T0) == 0

    assert row(db, outbox_id)["last_error"] == (
        f"SMTP-serveren 127.0.0.1:{server.port} tilbyder ikke STARTTLS, men SMAJOBS_SMTP_STARTTLS "
        "er slået til. Der er ikke sendt noget ukrypteret.")
    assert_waits_for_a_retry(db, outbox_id, T0)
    assert authenticator.tries == [] and server.messages == []


def test_implicit_tls_against_a_plain_text_server_says_to_use_starttls(db, config, start_server):
    server = start_server()
    [outbox_id] = queue(db)

    assert deliver_outbox(db, tls_config(config, server, "implicit"), now=T0) == 0

    error = row(db, outbox_id)["last_error"]
    assert error.startswith(f"TLS-forbindelsen til SMTP-serveren 127.0.0.1:{server.port} kunne "
                            "ikke oprettes")
    assert "brug SMAJOBS_SMTP_STARTTLS i stedet for SMAJOBS_SMTP_SSL" in error
    assert server.messages == []


def test_a_login_without_tls_is_refused_unless_the_relay_is_on_this_machine(db, config):
    [outbox_id] = queue(db)
    # Refused before connecting, so no server is needed (and nothing leaves the machine).
    remote = config.with_(mail_transport="smtp", smtp_host="smtp.example.dk", smtp_port=587,
                          smtp_user=USER, smtp_password=PASSWORD)

    assert deliver_outbox(db, remote, now=T0) == 0

    error = row(db, outbox_id)["last_error"]
    assert error.startswith("SMAJOBS_SMTP_USER er sat, men forbindelsen til smtp.example.dk:587 "
                            "er ikke krypteret")
    assert PASSWORD not in error
    assert_waits_for_a_retry(db, outbox_id, T0)


@pytest.mark.parametrize("changes, expected", [
    ({"smtp_starttls": True, "smtp_ssl": True},
     "SMAJOBS_SMTP_SSL og SMAJOBS_SMTP_STARTTLS er begge slået til; vælg én"),
    ({"smtp_starttls": True, "smtp_ca_file": "/findes/ikke/ca.pem"},
     "CA-filen i SMAJOBS_SMTP_CA_FILE findes ikke: /findes/ikke/ca.pem"),
    ({"smtp_ssl": True, "smtp_ca_file": "BAD"},
     "kan ikke bruges: den skal indeholde et eller flere certifikater i PEM-format"),
])
def test_unusable_tls_settings_are_reported_before_connecting(db, config, tmp_path, changes,
                                                              expected):
    if changes.get("smtp_ca_file") == "BAD":
        bad = tmp_path / "ikke-en-ca.pem"
        bad.write_text("det her er ikke et certifikat\n")
        changes = changes | {"smtp_ca_file": str(bad)}
    [outbox_id] = queue(db)
    settings = config.with_(mail_transport="smtp", smtp_host="127.0.0.1", smtp_port=free_port(),
                            **changes)

    assert deliver_outbox(db, settings, now=T0) == 0

    assert expected in row(db, outbox_id)["last_error"]
    assert_waits_for_a_retry(db, outbox_id, T0)


def test_tls_settings_come_from_the_environment(monkeypatch, ca_file):
    monkeypatch.setenv("SMAJOBS_SMTP_SSL", "ja")
    monkeypatch.setenv("SMAJOBS_SMTP_CA_FILE", ca_file)
    loaded = Config.load()
    assert loaded.smtp_ssl is True and loaded.smtp_ca_file == ca_file and loaded.smtp_starttls is False
    assert Config().smtp_ca_file == "", "by default the system trust store is used"


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_danish_letters_in_the_password_are_sent_as_utf8(db, config, ca, ca_file, start_server,
                                                         mechanism):
    authenticator = PasswordAuthenticator(USER, PASSWORD)
    others = {"PLAIN": ["LOGIN"], "LOGIN": ["PLAIN"]}[mechanism]
    server = start_server(tls_context=server_tls_context(ca), require_starttls=True,
                          authenticator=authenticator, auth_require_tls=True,
                          auth_exclude_mechanism=others)
    first, second = queue(db, 2)
    settings = tls_config(config, server, "starttls", smtp_ca_file=ca_file)

    assert deliver_outbox(db, settings.with_(smtp_password="forkert-blåbær"), now=T0) == 0
    assert row(db, first)["last_error"].endswith("afviste brugernavn/adgangskode (535).")

    assert deliver_outbox(db, settings, now=T0 + timedelta(minutes=1)) == 2
    assert authenticator.tries == [(USER, False), (USER, True)]
    assert [delivery.login for delivery in server.deliveries] == [USER, USER]
    assert len({row(db, first)["message_id"], row(db, second)["message_id"]}) == 2


def test_login_without_starttls_on_a_server_that_offers_auth_only_after_it(
        db, config, ca, start_server):
    authenticator = PasswordAuthenticator(USER, PASSWORD)
    server = starttls_server(start_server, server_tls_context(ca), authenticator)
    [outbox_id] = queue(db)

    assert deliver_outbox(db, tls_config(config, server, "starttls", smtp_starttls=False), now=T0) == 0

    assert row(db, outbox_id)["last_error"] == (
        f"SMTP-serveren 127.0.0.1:{server.port} tilbyder ikke login (AUTH), men SMAJOBS_SMTP_USER "
        "er sat. Tilbyder den det først efter STARTTLS, så slå SMAJOBS_SMTP_STARTTLS til.")
    assert authenticator.tries == [] and server.messages == []
