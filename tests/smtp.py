"""A real SMTP server on loopback for tests, recording every message it accepts."""
from __future__ import annotations

import email
import threading
from email.message import Message

from aiosmtpd.controller import Controller


class _Recorder:
    def __init__(self):
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append(message)
        return "250 OK"


class RecordingSMTPServer:
    def __init__(self, port: int, host: str = "127.0.0.1"):
        self.host, self.port = host, port
        self._recorder = _Recorder()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[Message]:
        with self._recorder.lock:
            return list(self._recorder.messages)

    def start(self) -> None:
        self._controller = Controller(self._recorder, hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
