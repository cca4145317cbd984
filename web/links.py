"""Signed, expiring links in e-mails (an employer's update link, a consultant's choose-password
link): one way to make the serializer, each purpose with its own salt so no link can be read as
another kind."""
from __future__ import annotations

from datetime import datetime

from itsdangerous import TimestampSigner, URLSafeTimedSerializer


def timed_serializer(secret: str, salt: str, now: datetime | None = None) -> URLSafeTimedSerializer:
    """The serializer for links with this salt; `now` fixes the time a link is made or read at
    (tests, and request_now's injected clock), otherwise it is the real time."""
    signer = TimestampSigner
    if now is not None:
        fixed = int(now.timestamp())
        signer = type("FixedTimeSigner", (TimestampSigner,), {"get_timestamp": lambda self: fixed})
    return URLSafeTimedSerializer(secret, salt=salt, signer=signer)
