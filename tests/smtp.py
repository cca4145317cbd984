"""A real SMTP server on loopback for tests, recording every message it accepts."""
from __future__ import annotations

import email
import ssl
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Delivery:
    """How one accepted message came in: over which TLS version (None: plain text) and as whom."""
    tls_version: str | None
    login: str | None


class _Recorder:
    def __init__(self):
        self.messages: list[Message] = []
        self.deliveries: list[Delivery] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        # The transport is the TLS one after STARTTLS as well as with implicit TLS.
        tls = server.transport.get_extra_info("ssl_object")
        login = getattr(session.auth_data, "login", None) if session.authenticated else None
        with self.lock:
            self.messages.append(message)
            self.deliveries.append(Delivery(tls.version() if tls else None,
                                            login.decode() if login else None))
        return "250 OK"


class RecordingSMTPServer:
    def __init__(self, port: int, host: str = "127.0.0.1", **smtp_options):
        self.host, self.port = host, port
        self._recorder = _Recorder()
        self._controller: Controller | None = None
        self._smtp_options = smtp_options  # passed to aiosmtpd's SMTP, e.g. authenticator=

    @property
    def messages(self) -> list[Message]:
        with self._recorder.lock:
            return list(self._recorder.messages)

    @property
    def deliveries(self) -> list[Delivery]:
        with self._recorder.lock:
            return list(self._recorder.deliveries)

    def start(self) -> None:
        self._controller = Controller(self._recorder, hostname=self.host, port=self.port,
                                      **self._smtp_options)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


class _FlakyRecorder(_Recorder):
    """Misbehaves on the first DATA commands, then records like _Recorder.

    drop_before_accept: cut the connection after the message was received but before it is
    stored or answered (the client cannot know whether it arrived; here it did not).
    drop_after_accept: store the message, then cut the connection before answering 250 (the
    client must assume it failed; a retry delivers a second copy with the same Message-ID).
    tempfail: answer "451" without storing.
    refuse: addresses answered "550" at RCPT TO (no such mailbox).
    """

    def __init__(self, drop_before_accept: int = 0, drop_after_accept: int = 0, tempfail: int = 0,
                 refuse: tuple[str, ...] = ()):
        super().__init__()
        self.refuse = {address.lower() for address in refuse}
        self.plan = ["drop_before"] * drop_before_accept + ["drop_after"] * drop_after_accept \
            + ["tempfail"] * tempfail
        self.data_commands = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 Ukendt modtager"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_commands += 1
            action = self.plan.pop(0) if self.plan else None
        if action == "tempfail":
            return "451 4.3.0 Midlertidig fejl, prøv igen senere"
        if action == "drop_after":
            await super().handle_DATA(server, session, envelope)
        if action in ("drop_before", "drop_after"):
            server.transport.close()
            return "451 4.3.0 connection closed"  # never reaches the client
        return await super().handle_DATA(server, session, envelope)


class FlakySMTPServer(RecordingSMTPServer):
    """A RecordingSMTPServer that drops or refuses the first DATA commands (see _FlakyRecorder)."""

    def __init__(self, port: int, host: str = "127.0.0.1", *, smtp_options: dict | None = None, **plan):
        super().__init__(port, host, **(smtp_options or {}))
        self._recorder = _FlakyRecorder(**plan)

    @property
    def data_commands(self) -> int:
        with self._recorder.lock:
            return self._recorder.data_commands


class PasswordAuthenticator:
    """An aiosmtpd `authenticator` that accepts one login and password and records every try,
    so a test can tell that no password was sent at all (e.g. over a connection without TLS)."""

    def __init__(self, login: str, password: str):
        self.login, self.password = login.encode(), password.encode()
        self.tries: list[tuple[str, bool]] = []  # (login, accepted)
        self.lock = threading.Lock()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword
        accepted = isinstance(auth_data, LoginPassword) \
            and (auth_data.login, auth_data.password) == (self.login, self.password)
        with self.lock:
            self.tries.append((getattr(auth_data, "login", b"").decode(), accepted))
        # handled=False: aiosmtpd answers 235 or 535 itself; auth_data ends up in session.auth_data.
        return AuthResult(success=accepted, handled=False, auth_data=auth_data if accepted else None)


def server_tls_context(ca, host: str = "127.0.0.1") -> ssl.SSLContext:
    """A server-side TLS context with a certificate for `host` (and localhost) issued by `ca`, a
    `trustme.CA`. Clients trust it only if they are given the CA's certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(host, "localhost").configure_cert(context)
    return context


@contextmanager
def server_starter(server_class=RecordingSMTPServer):
    """A function that starts servers of `server_class` on free loopback ports; every server it
    started is stopped when the block ends (a fixture yields the function from inside it)."""
    from tests.conftest import free_port
    servers = []

    def start(**options):
        server = server_class(port=free_port(), **options)
        server.start()
        servers.append(server)
        return server
    try:
        yield start
    finally:
        for server in servers:
            server.stop()
