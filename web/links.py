"""Signed, expiring links in e-mails (an employer's update link, a consultant's choose-password
link): one way to make the serializer, each purpose with its own salt so no link can be read as
another kind."""
from __future__ import annotations

from datetime import datetime

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from core import clock


def timed_serializer(secret: str, salt: str, now: datetime | None = None) -> URLSafeTimedSerializer:
    """The serializer for links with this salt; a link is made or read at `now`, by default the
    one clock's time (core.clock), so a fixed clock fixes the links' age too."""
    fixed = int((now or clock.now()).timestamp())
    signer = type("ClockedSigner", (TimestampSigner,), {"get_timestamp": lambda self: fixed})
    return URLSafeTimedSerializer(secret, salt=salt, signer=signer)
