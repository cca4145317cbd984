"""Danish display: numbers with a decimal comma, dates as 23. november 2026."""
from __future__ import annotations

from datetime import date, datetime

MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
          "oktober", "november", "december")


def danish_number(value, decimals: int = 1) -> str:
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}".replace(",", "X").replace(".", ",").replace("X", ".")
    if decimals and text.endswith("," + "0" * decimals):
        text = text[: -(decimals + 1)]
    return text


def as_typed(value) -> str:
    """A number as a Dane types it into a form field: 12 not 12.0, 2,5 not 2.5."""
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def danish_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.date()
    return f"{value.day}. {MONTHS[value.month - 1]} {value.year}"
