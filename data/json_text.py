"""Decoding JSON from outside (API bodies, `smajobs import` files) into plain Python safely.

Python's json module accepts what JSON cannot carry and breaks on what it cannot hold:
`NaN`/`Infinity` and `1e400` (an infinite float) come in fine but can never be written out as
JSON again, so an export would give a file the import refuses; a 5,000-digit integer raises
ValueError (the interpreter's digit limit) and 100,000 levels of nesting a RecursionError.
`decode` refuses all of these with a Danish reason, naming where in the document each bad
number is (`citizens[0].lat`), before any of it reaches validation or the database.
"""
from __future__ import annotations

import json
import math

# Deeper than any exchange document (six levels) with room for unknown fields that nest.
MAX_DEPTH = 64
# Far beyond any id or count; SQLite's own integers stop at 19 digits.
MAX_INTEGER_DIGITS = 100
NOT_A_JSON_NUMBER = ("er ikke et tal, JSON kan bære (NaN, Infinity og tal uden for JSON's talområde, "
                     "fx 1e400, er ikke tilladt)")


class JsonTextError(ValueError):
    """Text that is not usable JSON. `reason` is Danish; `problems` lists (path, reason) for
    values at a known place in the document (empty when the text itself does not parse)."""

    def __init__(self, reason: str, problems: list[tuple[str, str]] | None = None, syntax: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.problems = problems or []
        self.syntax = syntax  # the text is not JSON at all (rather than JSON we refuse)


class _Unfit:
    """Stands in, while decoding, for a number that must be refused; found again by its path."""

    def __init__(self, reason: str):
        self.reason = reason


def _float(text: str):
    value = float(text)
    return value if math.isfinite(value) else _Unfit(NOT_A_JSON_NUMBER)


def _integer(text: str):
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        return _Unfit(f"er et tal med for mange cifre (højst {MAX_INTEGER_DIGITS})")
    return int(text)


def decode(text: str):
    """The decoded document, or JsonTextError saying (in Danish) what is wrong and where."""
    try:
        value = json.loads(text, parse_float=_float, parse_int=_integer,
                           parse_constant=lambda name: _Unfit(NOT_A_JSON_NUMBER))
    except json.JSONDecodeError as error:
        raise JsonTextError(f"fejl i linje {error.lineno}, kolonne {error.colno}", syntax=True) from None
    except RecursionError:
        raise JsonTextError(_too_deep()) from None
    problems = list(_unfit_values(value))
    if problems:
        raise JsonTextError("; ".join(f"feltet '{path}' {reason}" for path, reason in problems[:10]), problems)
    return value


def _too_deep() -> str:
    return f"er indlejret for dybt (højst {MAX_DEPTH} niveauer af lister og objekter)"


def _unfit_values(value):
    """(path, reason) of every refused number, and of the first place nested too deep.
    Iterative: the walk must not itself run out of stack on a deep document."""
    stack = [(value, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, _Unfit):
            yield path or "(rod)", node.reason
        elif isinstance(node, (dict, list)):
            if depth >= MAX_DEPTH:
                raise JsonTextError(_too_deep(), [(path or "(rod)", _too_deep())])
            items = node.items() if isinstance(node, dict) else enumerate(node)
            children = [(child, _join(path, key), depth + 1) for key, child in items]
            stack.extend(reversed(children))


def _join(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)
