"""The e-mails the rules send: which fields each may print. The copy itself is in
jobs/templates/mail/ (rendered by jobs.mail_templates).

An e-mail leaves our systems, so it carries a first name and a link at most: never needs,
health, diagnosis, target group, benefits or why the citizen needed help. The functions here
take only the fields they may print, so nothing else can slip in.
"""
from __future__ import annotations

from datetime import date

from jobs.mail_templates import render

# What a placement led to, told in plain words to the employer (the sentences are in
# employer_thanks.txt). Only outcomes that reveal nothing about the citizen's health or benefits
# are told: "sygedagpenge", "førtidspension", "fleksjob" (reduced working capacity), "ledighed"
# and "anden offentlig forsørgelse" would say why the citizen needed help, so those employers get
# the thanks without the outcome.
TOLD_OUTCOMES = frozenset({"beskaeftigelse", "uddannelse", "selvforsoerget"})


def _name(name: str | None) -> str:
    return (name or "").strip()


def thank_you(*, contact_name: str | None, first_name: str, outcome: str | None) -> tuple[str, str]:
    """(subject, body) thanking an employer when a placement has ended."""
    mail = render("employer_thanks", contact_name=_name(contact_name), first_name=first_name,
                  outcome=outcome if outcome in TOLD_OUTCOMES else None)
    return mail.subject, mail.body_text


def checkin_request(*, contact_name: str | None, first_name: str, link: str, expires_on: date) -> tuple[str, str]:
    """(subject, body) asking an employer how a placement is going."""
    mail = render("employer_checkin", contact_name=_name(contact_name), first_name=first_name, link=link,
                  expires_on=expires_on)
    return mail.subject, mail.body_text


def digest(*, consultant_name: str | None, today: date, items: list[tuple[str, str, str]],
           page_link: str) -> tuple[str, str]:
    """(subject, body) of a consultant's daily digest. `items`: (label, first name, link)."""
    mail = render("consultant_digest", consultant_name=_name(consultant_name), today=today, items=items,
                  page_link=page_link)
    return mail.subject, mail.body_text
