"""Every e-mail's copy, rendered by one function.

The texts live as files in jobs/templates/mail/ (here, not in web/, because the scheduler's jobs
and the web app both send e-mail and jobs must not import web): for a purpose such as
`signup_received`, `signup_received.subject.txt` is the subject line, `signup_received.txt` the
plain-text body and, where one is sent, `signup_received.html` the HTML part. Files whose names
start with `_` are pieces included by others. Plain text is not escaped (the callers pass values
already made safe for a plain-text e-mail); HTML is. A variable the template uses but the caller
did not give is an error, not an empty string (StrictUndefined).

A body is the file byte for byte: a body that ends without a newline marks that with a closing
`{# ... #}` comment on its last line, which also swallows the file's final newline.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.formats import danish_date, danish_number

TEMPLATES = Path(__file__).parent / "templates" / "mail"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters.update(danish_date=danish_date, danish_number=danish_number)


@dataclass(frozen=True)
class Mail:
    subject: str
    body_text: str
    body_html: str | None = None


def render(purpose: str, **values) -> Mail:
    """The e-mail for `purpose` with `values` filled in."""
    subject = environment.get_template(f"{purpose}.subject.txt").render(values)
    body_text = environment.get_template(f"{purpose}.txt").render(values)
    html = TEMPLATES / f"{purpose}.html"
    body_html = environment.get_template(html.name).render(values) if html.exists() else None
    return Mail(subject=" ".join(subject.split()), body_text=body_text, body_html=body_html)


def purposes() -> list[str]:
    """Every purpose with templates (the names before `.subject.txt`)."""
    return sorted(path.name.removesuffix(".subject.txt") for path in TEMPLATES.glob("*.subject.txt"))
