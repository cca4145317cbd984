"""Small helpers shared by the Flask-WTF forms."""
from __future__ import annotations

from typing import Iterable

from wtforms.fields.choices import SelectChoice


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """WTForms choices from (value, Danish label) pairs; plain tuples are deprecated in WTForms 3.3."""
    return [SelectChoice(value, label) for value, label in pairs]
