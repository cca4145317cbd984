"""Small helpers shared by the Flask-WTF forms."""
from __future__ import annotations

from typing import Iterable

from wtforms import Field
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from core.checks import plain_text
from core.errors import Invalid, as_sentence


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """WTForms choices from (value, Danish label) pairs; plain tuples are deprecated in WTForms 3.3."""
    return [SelectChoice(value, label) for value, label in pairs]


def show_problems(form, error: Invalid, fallback: str, fields: dict[str, str] | None = None) -> None:
    """The page forms' one adapter for `core.errors.Invalid`: each problem's reason, as a sentence,
    next to its field. `fields` maps a problem's field to the form field showing it where the
    names differ; a problem about no field of the form goes next to `fallback`."""
    for problem in error.problems:
        name = (fields or {}).get(problem.field, problem.field)
        target = getattr(form, name, None) if name else None
        if not isinstance(target, Field):
            target = getattr(form, fallback)
        target.errors = list(target.errors or []) + [problem.sentence]


def plain_text_field(form, field) -> None:
    """WTForms validator: no control characters (core.checks.plain_text, the one rule for
    form, API and import). A text area keeps line breaks and tabs; its CR LF becomes LF."""
    if not isinstance(field.data, str):
        return
    value, problem = plain_text(field.data, multiline=field.type == "TextAreaField")
    if problem:
        raise ValidationError(as_sentence(problem))
    field.data = value
