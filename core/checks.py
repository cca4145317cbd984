"""The one validator kit: read one record's fields, normalise them, and collect a `Problem` for
each bad value instead of stopping at the first, so the caller raises one `Invalid` with all.

Reasons are Danish fragments ("skal være et tal"); the adapters make sentences of them where a
person reads them alone (`Problem.sentence`). A reader returns the normalised value, or the
default (None) when the value is bad or absent. Absent means missing or JSON null; with
`typed=True` (values typed into a form, passed on by the page or the API as text) an empty
string is absent too and numbers may be text with a decimal comma ("12,5"). With
`sentences=True` every reason is written as a sentence ("Skal være et tal."), as the placement
forms and their API have always said it.
"""
from __future__ import annotations

import re
from datetime import date

from core.errors import Problem, as_sentence

MAX_TEXT = 5000
# C0 and C1 control characters and DEL. Free text that may run over several lines keeps tab
# and line feed (CR LF from a browser's text area becomes LF); nothing else, NUL never.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Yes and no as a query string or a form may send them (`typed=True`).
TYPED_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
YEARS = (2000, 2100)


def plain_text(value: str, multiline: bool = False) -> tuple[str, str | None]:
    """`value` as stored (line ends as LF when multi-line) and the Danish reason to refuse it,
    or None. The one check of control characters for every text field: the kit's `text` reader
    (the exchange format: import, API, the citizen and employer forms; placements and meetings)
    and form fields stored elsewhere (web.forms.plain_text_field)."""
    if multiline:
        value = value.replace("\r\n", "\n")
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(value)
    if found is None:
        return value, None
    allowed = " (linjeskift og tabulator er tilladt)" if multiline else " (kun én linje, uden tabulator)"
    return value, f"indeholder et usynligt styretegn (U+{ord(found.group()):04X}), som ikke er tilladt{allowed}"


class Checker:
    def __init__(self, record_id, problems: list[Problem], kind: str = "", typed: bool = False,
                 sentences: bool = False):
        self.record_id, self.problems, self.kind = str(record_id or ""), problems, kind
        self.typed, self.sentences = typed, sentences

    def fail(self, field_name: str, reason: str) -> None:
        reason = as_sentence(reason) if self.sentences else reason
        self.problems.append(Problem(self.record_id, field_name, reason, self.kind))

    def failed(self, field_name: str) -> bool:
        return any(p.field == field_name and p.record_id == self.record_id for p in self.problems)

    def _absent(self, value) -> bool:
        return value is None or (self.typed and isinstance(value, str) and not value.strip())

    def _given(self, record: dict, name: str, default, missing: str | None):
        """The field's value, `default` when it is absent; None (with `missing` as the problem,
        when given) when there is neither."""
        value = record.get(name)
        if self._absent(value):
            value = default
        if value is None and missing:
            self.fail(name, missing)
        return value

    def text(self, record: dict, name: str, required: bool = False, max_len: int = MAX_TEXT,
             label: str | None = None, multiline: bool = False) -> str | None:
        # `label` names a nested field in problems (e.g. "contact.name", not the employer's "name").
        label = label or name
        value = record.get(name)
        if value is None:
            if required:
                self.fail(label, "mangler")
            return None if not required else ""
        if not isinstance(value, str):
            self.fail(label, "skal være tekst")
            return None
        too_long = len(value) > max_len  # as sent, so the API document's maxLength says the same
        value, control = plain_text(value, multiline)
        if control:
            self.fail(label, control)
        value = value.strip()
        if required and not value:
            self.fail(label, "må ikke være tom")
        if too_long:
            self.fail(label, f"er for lang (højst {max_len} tegn)")
        return value

    def integer(self, record: dict, name: str, low: int, high: int, default=None, missing: str | None = None,
                bad: str | None = None):
        return self._number(record, name, low, high, default, missing, bad, integer=True)

    def number(self, record: dict, name: str, low: float, high: float, default=None, missing: str | None = None,
               bad: str | None = None):
        return self._number(record, name, low, high, default, missing, bad, integer=False)

    def _number(self, record: dict, name: str, low, high, default, missing: str | None, bad: str | None,
                integer: bool):
        """`missing`: the reason when the value is absent and there is no default (required);
        `bad`: one reason for any bad value instead of the kit's own (not a number, out of range)."""
        found = len(self.problems)
        value = self._bounded_number(record, name, low, high, default, missing, integer)
        if bad and len(self.problems) > found and self.problems[-1].field == name:
            del self.problems[found:]
            self.fail(name, bad)
        return value

    def _bounded_number(self, record: dict, name: str, low, high, default, missing: str | None, integer: bool):
        value = self._given(record, name, default, missing)
        if value is None:
            return None
        value = self._parsed_number(name, value, integer)
        if value is None:
            return default
        if not low <= value <= high:
            self.fail(name, f"skal være mellem {low} og {high} (er {value})")
        return int(value) if integer else float(value)

    def _parsed_number(self, name: str, value, integer: bool):
        what = "et helt tal" if integer else "et tal"
        if self.typed and isinstance(value, str):
            try:
                value = float(value.strip().replace(",", "."))
            except ValueError:
                self.fail(name, f"'{value}' er ikke et tal")
                return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:  # NaN is no number
            self.fail(name, f"skal være {what}")
            return None
        if integer and not float(value).is_integer():
            self.fail(name, f"skal være {what}")
            return None
        return value

    def boolean(self, record: dict, name: str, default: bool) -> bool:
        value = record.get(name)
        if self._absent(value):
            return default
        if self.typed and isinstance(value, str) and value.strip().lower() in TYPED_BOOLEANS:
            value = TYPED_BOOLEANS[value.strip().lower()]
        if not isinstance(value, bool):
            self.fail(name, "skal være true eller false")
            return default
        return value

    def choice(self, record: dict, name: str, allowed, what: str, default=None, missing: str | None = None):
        """One of `allowed` (a tuple, or a dict whose keys are the codes)."""
        value = self._given(record, name, default, missing)
        if value is None:
            return None
        if not isinstance(value, str) or value not in allowed:  # a code is text, never a number or list
            self.fail(name, f"ukendt {what} '{value}' (tilladt: {', '.join(allowed)})")
            return None
        return value

    def codes(self, record: dict, name: str, allowed: tuple[str, ...], default: list[str],
              what: str, allow_empty: bool = True) -> list[str]:
        value = record.get(name)
        if value is None:
            value = default
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(name, "skal være en liste af tekstkoder")
            return list(default)
        unknown = [v for v in value if v not in allowed]
        for code in unknown:
            self.fail(name, f"ukendt {what} '{code}' (tilladt: {', '.join(allowed)})")
        if not value and not allow_empty:
            self.fail(name, "skal have mindst én værdi")
        # Keep the vocabulary's order so an export is stable whatever order the input used.
        return [code for code in allowed if code in value]

    def date(self, record: dict, name: str, missing: str | None = None) -> str | None:
        """An ISO date (ÅÅÅÅ-MM-DD) between the years 2000 and 2100, as ISO text."""
        value = record.get(name)
        if self._absent(value) or value == "":
            if missing:
                self.fail(name, missing)
            return None
        if isinstance(value, date):
            return value.isoformat()
        if not isinstance(value, str):
            self.fail(name, "skal være en dato (ÅÅÅÅ-MM-DD)")
            return None
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            self.fail(name, f"'{value}' er ikke en gyldig dato (ÅÅÅÅ-MM-DD)")
            return None
        if not YEARS[0] <= parsed.year <= YEARS[1]:
            self.fail(name, f"datoen skal ligge mellem år {YEARS[0]} og {YEARS[1]}")
            return None
        return parsed.isoformat()
