"""Sending e-mail from the outbox, over SMTP or (the demo default) as .eml files.

One row at a time: claim it (a conditional UPDATE; only one sender wins) -> build the message
with the row's fixed Message-ID -> send -> mark it sent. A failed try releases the claim and sets
the next try with exponential back-off; after `config.outbox_max_attempts` tries the row is
failed and shown to admins ("Fejlede e-mails"). Each state change is its own short transaction,
so a sender killed at any point leaves the outbox consistent:

- killed between two sends: every sent row is marked sent, the rest are unclaimed -> nothing
  is sent twice and nothing is lost;
- killed after claiming but before marking sent: the claim runs out after `CLAIM_LEASE` and
  another sender takes the row over and sends it again with the same Message-ID. If the first
  try had got as far as the server accepting the DATA, the recipient gets it twice. That
  window cannot be closed on our side (SMTP has no two-phase commit); the shared Message-ID
  lets the receiving system or mail client recognise the copy. The same holds for a
  connection cut after the server accepted the message but before we read its reply.

Over SMTP the connection is plain, STARTTLS or implicit TLS (smtp_starttls / smtp_ssl). With TLS
the server certificate and host name are always verified, against smtp_ca_file or the system
trust store; a TLS or login problem fails the try like any other (retried with back-off).

Logs name outbox ids, counts and error kinds only: never recipients, subjects, bodies or passwords.
"""
from __future__ import annotations

import base64
import binascii
import ipaddress
import logging
import os
import secrets
import smtplib
import socket
import ssl
import time
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from enum import Enum
from pathlib import Path

import sqlite_utils

from data import outbox
from data.outbox import utc_iso
from core.clock import COPENHAGEN, now as clock_now
from core.config import Config
from core.private import private_dir, write_private

logger = logging.getLogger("smajobs.mail")

# A claim older than this belongs to a sender that died. It must be far longer than one send
# can take (smtp_timeout per SMTP command, 30 s by default), or a slow live sender would lose
# its claim and the e-mail could go out twice.
CLAIM_LEASE = timedelta(minutes=10)
# Back-off after the n-th failed try: 1, 2, 4, 8, 16 ... minutes, never more than this.
MAX_RETRY_DELAY = timedelta(hours=1)


class DeliveryError(Exception):
    """A failed try. `reason` is Danish and shown to admins; `kind` is safe to log."""

    def __init__(self, reason: str, *, kind: str, permanent: bool = False,
                 server_unavailable: bool = False):
        super().__init__(reason)
        self.reason, self.kind = reason, kind
        self.permanent = permanent                    # retrying cannot help: fail now
        self.server_unavailable = server_unavailable  # no connection at all: stop this pass


class Outcome(Enum):
    SENT = "sent"
    FAILED = "failed"      # this row failed; go on with the next
    SKIPPED = "skipped"    # another sender has it
    STOP = "stop"          # the server cannot be reached; the rest wait for the next pass


def retry_delay(failed_tries: int) -> timedelta:
    return min(timedelta(minutes=2 ** min(max(failed_tries - 1, 0), 16)), MAX_RETRY_DELAY)


def new_worker_id() -> str:
    """Names a sender in claimed_by: host and process (to find it when debugging) plus a random
    part, so two senders in one process (threads) are still told apart."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def deliver_outbox(db: sqlite_utils.Database, config: Config, now: datetime | None = None,
                   limit: int = 100, worker_id: str | None = None, *,
                   pause_between: float = 0.0) -> int:
    """Send what is due in the outbox; returns how many e-mails were sent.

    `now` (an aware datetime) fixes the time for this pass; by default the one clock
    (core.clock) is read at each step. `pause_between` (seconds) slows the pass down between
    two e-mails; it exists for the kill test only.
    """
    if now is not None and now.tzinfo is None:
        raise ValueError("now skal have en tidszone")
    clock = (lambda: now) if now is not None else clock_now
    worker_id = worker_id or new_worker_id()
    start = clock()
    candidates = outbox.due(db, now=utc_iso(start), stale_before=utc_iso(start - CLAIM_LEASE),
                            limit=limit)
    sent = 0
    transport = open_transport(config)
    try:
        for index, candidate in enumerate(candidates):
            if index and pause_between:
                time.sleep(pause_between)
            outcome = _deliver_one(db, config, transport, candidate, worker_id, clock)
            if outcome is Outcome.SENT:
                sent += 1
            elif outcome is Outcome.STOP:
                break
    finally:
        transport.close()
    if candidates:
        logger.info("outbox pass: %d due, %d sent", len(candidates), sent)
    return sent


def _deliver_one(db, config: Config, transport, candidate: outbox.Candidate, worker_id: str,
                 clock) -> Outcome:
    at = utc_iso(clock())
    if candidate.claimed_at is None:
        claimed = outbox.claim(db, candidate.id, worker_id=worker_id, now=at)
    else:
        claimed = outbox.take_over(
            db, candidate.id, stale_claimed_at=candidate.claimed_at, worker_id=worker_id, now=at,
            max_attempts=config.outbox_max_attempts,
            reason="Afsenderen stoppede midt i en afsendelse; sendes igen med samme Message-ID.")
        if claimed:
            logger.warning("outbox %d: took over a claim that ran out", candidate.id)
    if not claimed:
        return Outcome.SKIPPED
    row = outbox.get(db, candidate.id)
    try:
        message = build_message(row, config, clock())
    except (ValueError, TypeError, KeyError, binascii.Error) as error:
        # The row itself is broken: building it again gives the same result.
        _record_failure(db, config, row, worker_id, clock(), DeliveryError(
            f"E-mailen kunne ikke bygges ({type(error).__name__}).", kind="build", permanent=True))
        return Outcome.FAILED
    try:
        written = transport.send(message, row)
    except DeliveryError as error:
        _record_failure(db, config, row, worker_id, clock(), error)
        return Outcome.STOP if error.server_unavailable else Outcome.FAILED
    if not outbox.mark_sent(db, row["id"], worker_id=worker_id, now=utc_iso(clock()), mail_file=written):
        if not outbox.exists(db, row["id"]):
            # Erased (its citizen or employer deleted) while it was being sent: no copy may stay.
            if written:
                Path(written).unlink(missing_ok=True)
            return Outcome.SKIPPED
        logger.warning("outbox %d: sent after its claim had run out", row["id"])
    logger.info("outbox %d sent", row["id"])
    return Outcome.SENT


def _record_failure(db, config: Config, row: dict, worker_id: str, now: datetime,
                    error: DeliveryError) -> None:
    tries = row["attempts"] + 1
    give_up = error.permanent or tries >= config.outbox_max_attempts
    retry_at = None if give_up else utc_iso(now + retry_delay(tries))
    outbox.record_failure(db, row["id"], worker_id=worker_id, now=utc_iso(now),
                          error=error.reason, retry_at=retry_at)
    if give_up:
        logger.error("outbox %d failed for good after %d tries (%s)", row["id"], tries, error.kind)
    else:
        logger.warning("outbox %d try %d failed (%s); next try %s", row["id"], tries, error.kind, retry_at)


def failed_messages(db: sqlite_utils.Database) -> list[dict]:
    """E-mails given up on (for the admin page), newest first."""
    return outbox.failed(db)


def retry_failed(db: sqlite_utils.Database, outbox_id: int, now: datetime | None = None) -> bool:
    """Requeue a failed e-mail with a fresh set of tries, due at once. False if it is not failed."""
    return outbox.requeue(db, outbox_id, now=utc_iso(now or clock_now()))


# --- building the message ------------------------------------------------------------------

def build_message(row: dict, config: Config, now: datetime) -> EmailMessage:
    """The e-mail for one outbox row. The Message-ID is the row's, the same on every try."""
    message = EmailMessage()
    message["Message-ID"] = row["message_id"]
    message["Date"] = format_datetime(now.astimezone(COPENHAGEN))
    message["From"] = config.mail_from
    message["To"] = row["to_addr"]
    message["Subject"] = row["subject"]
    # Tells mail servers and clients not to answer it with an out-of-office reply.
    message["Auto-Submitted"] = "auto-generated"
    # quoted-printable keeps Danish letters 7-bit clean for any SMTP server.
    message.set_content(row["body_text"], cte="quoted-printable")
    if row.get("body_html"):
        message.add_alternative(row["body_html"], subtype="html", cte="quoted-printable")
    for attachment in row["attachments"] or []:
        _attach(message, attachment)
    return message


def _attach(message: EmailMessage, attachment: dict) -> None:
    maintype, subtype, params = _content_type(attachment.get("content_type") or "application/octet-stream")
    filename = attachment["filename"]
    if "content_base64" in attachment:
        data: str | bytes = base64.b64decode(attachment["content_base64"], validate=True)
    else:
        data = attachment["content"]
    if isinstance(data, str):
        # Encoded here, as bytes, so the content keeps its own line endings (iCalendar needs CRLF;
        # the str path of EmailMessage would rewrite them).
        data = data.encode(params.get("charset", "utf-8"))
        if maintype == "text":
            params.setdefault("charset", "utf-8")
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename, params=params)


def _content_type(value: str) -> tuple[str, str, dict]:
    """"text/calendar; method=PUBLISH" -> ("text", "calendar", {"method": "PUBLISH"})."""
    kind, *rest = [part.strip() for part in value.split(";")]
    maintype, subtype = kind.lower().split("/", 1)
    params = {}
    for part in rest:
        if "=" in part:
            key, val = part.split("=", 1)
            params[key.strip().lower()] = val.strip().strip('"')
    return maintype, subtype, params


# --- transports ------------------------------------------------------------------------------

def open_transport(config: Config):
    if config.mail_transport == "smtp":
        return SMTPTransport(config)
    if config.mail_transport == "files":
        return FileTransport(config)
    raise ValueError(f"Ukendt mail_transport {config.mail_transport!r}: brug 'smtp' eller 'files'.")


class FileTransport:
    """Writes each e-mail to mail_dir as outbox-<id>.eml. A retry overwrites the same file, and
    the file appears whole (written beside it, then renamed) or not at all."""

    def __init__(self, config: Config):
        self.directory = Path(config.mail_dir)

    def send(self, message: EmailMessage, row: dict) -> str:
        """Write the file; returns its path (stored on the row, so erasure can delete it)."""
        target = mail_file_path(self.directory, row["id"])
        try:
            private_dir(self.directory)
            write_private(target, message.as_bytes(policy=policy.SMTP))
        except OSError as error:
            raise DeliveryError(f"Kunne ikke skrive e-mailen til mappen {self.directory}: "
                                f"{error.strerror or error}", kind=type(error).__name__,
                                server_unavailable=True) from error
        return str(target.resolve())

    def close(self) -> None:
        pass


def mail_file_path(directory: str | Path, outbox_id: int) -> Path:
    """Where the `files` transport writes an outbox row's e-mail."""
    return Path(directory) / f"outbox-{outbox_id:06d}.eml"


class SMTPTransport:
    """One SMTP connection per pass, opened at the first e-mail and reopened after an error."""

    def __init__(self, config: Config):
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage, row: dict) -> None:
        smtp = self._connect()
        try:
            smtp.send_message(message, from_addr=parseaddr(self.config.mail_from)[1],
                              to_addrs=[row["to_addr"]])
        except smtplib.SMTPRecipientsRefused as error:
            self._drop()
            codes = [code for code, _ in error.recipients.values()]
            answer = "; ".join(f"{code} {_text(text)}" for code, text in error.recipients.values())
            # 5xx for the recipient (no such mailbox, bad address) will not change by waiting.
            raise DeliveryError(f"Modtageren blev afvist af SMTP-serveren: {answer}",
                                kind=f"SMTP {','.join(map(str, codes))}",
                                permanent=all(code >= 500 for code in codes)) from error
        except smtplib.SMTPResponseException as error:
            self._drop()
            raise DeliveryError(f"SMTP-serveren svarede {error.smtp_code}: {_text(error.smtp_error)}",
                                kind=f"SMTP {error.smtp_code}") from error
        except smtplib.SMTPServerDisconnected as error:
            self._drop()
            if _timed_out(error):
                raise DeliveryError(f"SMTP-serveren svarede ikke inden for {self.config.smtp_timeout:g} "
                                    "sekunder under afsendelsen.", kind="timeout") from error
            raise DeliveryError("Forbindelsen til SMTP-serveren blev afbrudt under afsendelsen.",
                                kind="disconnected") from error
        except TimeoutError as error:
            self._drop()
            raise DeliveryError(f"SMTP-serveren svarede ikke inden for {self.config.smtp_timeout:g} sekunder.",
                                kind="timeout") from error
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            raise DeliveryError(f"Afsendelsen mislykkedes: {type(error).__name__}: {error}",
                                kind=type(error).__name__) from error
        except UnicodeError as error:
            self._drop()
            raise DeliveryError("Adressen kan ikke sendes af denne SMTP-server (tegn uden for ASCII).",
                                kind="unicode", permanent=True) from error

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        config = self.config
        where = f"{config.smtp_host}:{config.smtp_port}"
        context = _tls_context(config, where)
        smtp = None
        try:
            if config.smtp_ssl:
                smtp = smtplib.SMTP_SSL(config.smtp_host, config.smtp_port,
                                        timeout=config.smtp_timeout, context=context)
            else:
                smtp = smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.smtp_timeout)
            smtp.ehlo()
            if config.smtp_starttls:
                # Never fall back to plain text: a missing STARTTLS may be an attacker stripping it.
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(
                        f"SMTP-serveren {where} tilbyder ikke STARTTLS, men SMAJOBS_SMTP_STARTTLS "
                        "er slået til. Der er ikke sendt noget ukrypteret.", kind="no starttls",
                        server_unavailable=True)
                smtp.starttls(context=context)
                smtp.ehlo()
            if config.smtp_user:
                if not smtp.has_extn("auth"):
                    # Typical for port 587 without STARTTLS: the server offers AUTH only after it.
                    hint = ("" if config.smtp_starttls or config.smtp_ssl else
                            " Tilbyder den det først efter STARTTLS, så slå SMAJOBS_SMTP_STARTTLS til.")
                    raise DeliveryError(
                        f"SMTP-serveren {where} tilbyder ikke login (AUTH), men SMAJOBS_SMTP_USER "
                        f"er sat.{hint}", kind="no auth", server_unavailable=True)
                _login(smtp, config.smtp_user, config.smtp_password, where)
        except DeliveryError:
            _close_quietly(smtp)
            raise
        except smtplib.SMTPAuthenticationError as error:
            _close_quietly(smtp)
            # Only the code: the server's text could echo what was sent.
            raise DeliveryError(f"SMTP-serveren {where} afviste brugernavn/adgangskode "
                                f"({error.smtp_code}).", kind=f"auth {error.smtp_code}",
                                server_unavailable=True) from error
        except ssl.SSLCertVerificationError as error:
            _close_quietly(smtp)
            raise DeliveryError(_certificate_problem(error, config, where), kind="certificate",
                                server_unavailable=True) from error
        except ssl.SSLError as error:
            _close_quietly(smtp)
            hint = (" Taler serveren ikke TLS fra start, så brug SMAJOBS_SMTP_STARTTLS i stedet for "
                    "SMAJOBS_SMTP_SSL." if config.smtp_ssl and error.reason == "WRONG_VERSION_NUMBER"
                    else "")
            raise DeliveryError(f"TLS-forbindelsen til SMTP-serveren {where} kunne ikke oprettes "
                                f"({error.reason or error}).{hint}", kind="tls",
                                server_unavailable=True) from error
        except (TimeoutError, smtplib.SMTPServerDisconnected) as error:
            _close_quietly(smtp)
            if not _timed_out(error):
                raise DeliveryError(f"SMTP-serveren {where} lukkede forbindelsen.",
                                    kind="disconnected", server_unavailable=True) from error
            raise DeliveryError(f"SMTP-serveren {where} svarede ikke inden for "
                                f"{config.smtp_timeout:g} sekunder.", kind="timeout",
                                server_unavailable=True) from error
        except (smtplib.SMTPException, OSError) as error:
            _close_quietly(smtp)
            raise DeliveryError(f"Kunne ikke forbinde til SMTP-serveren {where}: "
                                f"{type(error).__name__}: {error}", kind=type(error).__name__,
                                server_unavailable=True) from error
        self._smtp = smtp
        return smtp

    def _drop(self) -> None:
        # After an error the session is in an unknown state: start the next e-mail afresh.
        _close_quietly(self._smtp)
        self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            _close_quietly(self._smtp)
            self._smtp = None



def _login(smtp: smtplib.SMTP, user: str, password: str, where: str) -> None:
    """smtplib sends credentials as ASCII and fails on "æ", "ø" or "å" in a password; RFC 4954
    (AUTH) and 4616 (PLAIN) carry UTF-8, so such credentials are sent by hand with PLAIN or LOGIN."""
    if user.isascii() and password.isascii():
        smtp.login(user, password)
        return
    mechanisms = smtp.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" in mechanisms:
        code, reply = smtp.docmd("AUTH", "PLAIN " + _base64(f"\0{user}\0{password}"))
    elif "LOGIN" in mechanisms:
        code, reply = smtp.docmd("AUTH", "LOGIN " + _base64(user))
        if code == 334:
            code, reply = smtp.docmd(_base64(password))
    else:
        raise DeliveryError(f"SMTP-serveren {where} tilbyder hverken AUTH PLAIN eller LOGIN, som "
                            "kræves for et brugernavn eller en adgangskode med tegn uden for ASCII.",
                            kind="auth mechanism", server_unavailable=True)
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _base64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")

# --- TLS -------------------------------------------------------------------------------------

# OpenSSL verify codes (X509_V_ERR_*) that say the certificate's issuer is not trusted.
_UNTRUSTED_ISSUER = {18, 19, 20, 21}
_VERIFY_PROBLEMS = {
    9: "certifikatet er endnu ikke gyldigt",
    10: "certifikatet er udløbet",
    18: "certifikatet er selvsigneret",
    19: "certifikatet er udstedt af en CA, som ikke er betroet",
    20: "certifikatet er udstedt af en CA, som ikke er betroet",
    21: "certifikatet er udstedt af en CA, som ikke er betroet",
    62: "certifikatet gælder ikke for dette værtsnavn",
    64: "certifikatet gælder ikke for denne IP-adresse",
}


def _tls_context(config: Config, where: str) -> ssl.SSLContext | None:
    """The context that verifies the server: certificate chain and host name, always. The CA
    file, when set, replaces the system trust store. None when the connection is plain text."""
    if config.smtp_ssl and config.smtp_starttls:
        raise DeliveryError("SMAJOBS_SMTP_SSL og SMAJOBS_SMTP_STARTTLS er begge slået til; vælg én "
                            "(SSL til port 465, STARTTLS til port 587).", kind="tls settings",
                            server_unavailable=True)
    if not (config.smtp_ssl or config.smtp_starttls):
        if config.smtp_user and not _is_loopback(config.smtp_host):
            raise DeliveryError(f"SMAJOBS_SMTP_USER er sat, men forbindelsen til {where} er ikke "
                                "krypteret: slå SMAJOBS_SMTP_STARTTLS eller SMAJOBS_SMTP_SSL til. "
                                "Adgangskoden sendes ikke ukrypteret.", kind="plaintext login",
                                server_unavailable=True)
        return None
    try:
        return ssl.create_default_context(cafile=config.smtp_ca_file or None)
    except FileNotFoundError as error:
        raise DeliveryError(f"CA-filen i SMAJOBS_SMTP_CA_FILE findes ikke: {config.smtp_ca_file}",
                            kind="ca file", server_unavailable=True) from error
    except (ssl.SSLError, OSError) as error:
        raise DeliveryError(f"CA-filen i SMAJOBS_SMTP_CA_FILE ({config.smtp_ca_file}) kan ikke "
                            "bruges: den skal indeholde et eller flere certifikater i PEM-format.",
                            kind="ca file", server_unavailable=True) from error


def _certificate_problem(error: ssl.SSLCertVerificationError, config: Config, where: str) -> str:
    problem = _VERIFY_PROBLEMS.get(error.verify_code, error.verify_message or str(error))
    message = (f"SMTP-serverens certifikat ({where}) blev ikke godkendt: {problem}. "
               "E-mailen er ikke sendt.")
    if error.verify_code in _UNTRUSTED_ISSUER:
        message += (" Bruger serveren en intern CA, så angiv dens certifikat i SMAJOBS_SMTP_CA_FILE"
                    + (f" (nu: {config.smtp_ca_file})." if config.smtp_ca_file else "."))
    return message


def _is_loopback(host: str) -> bool:
    """A relay on this machine (e.g. a local postfix): a password sent to it never leaves."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _close_quietly(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        try:
            smtp.close()
        except OSError:
            pass


def _timed_out(error: BaseException) -> bool:
    """smtplib reports a reply that never came as SMTPServerDisconnected; the TimeoutError is
    its context."""
    while error is not None:
        if isinstance(error, TimeoutError):
            return True
        error = error.__cause__ or error.__context__
    return False


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
