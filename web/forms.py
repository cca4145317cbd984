"""Small helpers shared by the Flask-WTF forms."""
from __future__ import annotations

from typing import Iterable

from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from data.exchange import plain_text


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """WTForms choices from (value, Danish label) pairs; plain tuples are deprecated in WTForms 3.3."""
    return [SelectChoice(value, label) for value, label in pairs]


def plain_text_field(form, field) -> None:
    """WTForms validator: no control characters (data.exchange.plain_text, the one rule for
    form, API and import). A text area keeps line breaks and tabs; its CR LF becomes LF."""
    if not isinstance(field.data, str):
        return
    value, problem = plain_text(field.data, multiline=field.type == "TextAreaField")
    if problem:
        raise ValidationError(problem[:1].upper() + problem[1:] + ".")
    field.data = value
