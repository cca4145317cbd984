"""The one shape of a validation error, for every kind of input (exchange files, citizens,
employers, placements, meetings, reports, accounts, sign-up decisions, match filters).

Whatever is refused is a list of `Problem`s - which record, which field, why in Danish - raised
together as one `Invalid` before anything is stored. Each boundary has one adapter that shows
them: `web.forms.show_problems` (next to the fields of a page form), `web.api.problems_json`
(the API's 422 `problems`) and `smajobs.context.invalid_error` (the CLI's "Fejl: ..." line).
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_LISTED = 50


@dataclass(frozen=True)
class Problem:
    record_id: str  # the record's id as the caller knows it; "" for a new record or the whole input
    field: str      # the field (or request parameter) at fault; "" for the record as a whole
    reason: str     # Danish: a fragment ("skal være et tal") or a sentence ("Angiv en dato.")
    kind: str = ""  # what the record is, in Danish: "borger", "virksomhed", "småjob", "forløb", "fil", ...

    def __str__(self) -> str:
        where = f"{self.kind} {self.record_id!r}" if self.record_id else self.kind
        what = f"felt '{self.field}': {self.reason}" if self.field else self.reason
        return f"{where}, {what}" if where else what

    @property
    def sentence(self) -> str:
        """The reason as a sentence on its own (a page, a flash message, the CLI)."""
        return as_sentence(self.reason)


def as_sentence(text: str) -> str:
    """"skal være et tal" -> "Skal være et tal."; text written as a sentence stays as it is (it
    may start with an e-mail address)."""
    if text.endswith((".", "!", "?")):
        return text
    return text[:1].upper() + text[1:] + "."


class Invalid(ValueError):
    """Input refused, with every problem found; nothing has been stored.

    `str()` is the whole list as the exchange import prints it: "<subject> blev afvist (3 fejl),
    intet er gemt:" and a line per problem (`subject` is "Filen" for a whole exchange document)."""

    def __init__(self, problems: list[Problem], subject: str = "Data"):
        self.problems = list(problems)
        self.subject = subject
        super().__init__(self.problems)

    @classmethod
    def one(cls, record_id, field: str, reason: str, kind: str = "") -> Invalid:
        return cls([Problem(str(record_id or ""), field, reason, kind)])

    def __str__(self) -> str:
        count = len(self.problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:MAX_LISTED])
        more = f"\n  … og {count - MAX_LISTED} fejl mere" if count > MAX_LISTED else ""
        return f"{self.subject} blev afvist ({count} fejl), intet er gemt:\n{shown}{more}"

    def fields(self) -> set[str]:
        return {p.field for p in self.problems}

    def reason_for(self, field: str) -> str | None:
        """The first reason given for `field`, or None."""
        return next((p.reason for p in self.problems if p.field == field), None)


class Conflict(Invalid):
    """Input refused because it clashes with what is already stored (a second open forløb for
    the same citizen and opening, a full opening not confirmed), not because it is malformed:
    the API answers 409 instead of 422, a page shows it beside the field like any problem."""
