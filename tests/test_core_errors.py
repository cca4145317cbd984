"""The one validation-error shape (core.errors), the one validator kit (core.checks), the one
parser of match filters (data.match_filters) and its use at every boundary, and the rule that
no module uses another module's private names."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.checks import Checker
from core.errors import Invalid, Problem
from data.match_filters import RADIUS_KM, RADIUS_REASON, parse_match_filters
from smajobs.context import invalid_error
from tests.test_api import api  # noqa: F401  (fixture)
from tests.test_cli_danish import run  # noqa: F401  (fixture)
from tests.test_web_pages import owner, password_hash, people  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "data", "jobs", "web", "smajobs", "matcher")


def test_invalid_lists_every_problem_as_the_exchange_import_prints_it():
    error = Invalid([Problem("cit-7", "needs", "ukendt skånehensyn 'x'", "borger"),
                     Problem("", "(rod)", "skal være et JSON-objekt", "fil")], "Filen")
    assert isinstance(error, ValueError)
    assert str(error) == ("Filen blev afvist (2 fejl), intet er gemt:\n"
                          "  - borger 'cit-7', felt 'needs': ukendt skånehensyn 'x'\n"
                          "  - fil, felt '(rod)': skal være et JSON-objekt")
    many = Invalid([Problem(f"c{i}", "age", "mangler", "borger") for i in range(53)])
    assert str(many).endswith("… og 3 fejl mere") and str(many).startswith("Data blev afvist (53 fejl)")


def test_a_reason_becomes_a_sentence_once():
    assert Problem("", "age", "skal være et tal").sentence == "Skal være et tal."
    assert Problem("", "", "admin@example.dk er den eneste.").sentence == "admin@example.dk er den eneste."


def test_the_cli_adapter_lists_a_files_problems_and_says_a_commands_reasons():
    error = Invalid.one("cit-1", "age", "skal være et helt tal", "borger")
    assert invalid_error(error, "fil.json").format_message().startswith(
        "fil.json: Data blev afvist (1 fejl), intet er gemt:\n  - borger 'cit-1', felt 'age'")
    assert invalid_error(Invalid.one("3", "", "Konsulenten findes ikke.", "konsulent")).format_message() == \
        "Konsulenten findes ikke."


@pytest.mark.parametrize("value, typed, expected, reason", [
    ("12,5", True, 12.5, None),
    ("", True, None, None),
    ("", False, None, "skal være et tal"),
    ("12,5", False, None, "skal være et tal"),
    ("mange", True, None, "'mange' er ikke et tal"),
    (float("nan"), True, None, "skal være et tal"),
    (True, True, None, "skal være et tal"),
    (40, True, 40.0, "skal være mellem 0 og 37 (er 40)"),
])
def test_the_kit_reads_numbers_strictly_from_json_and_as_typed_from_forms(value, typed, expected, reason):
    problems: list[Problem] = []
    found = Checker("p-1", problems, "forløb", typed=typed).number({"hours": value}, "hours", 0, 37)
    assert found == expected
    assert [p.reason for p in problems] == ([reason] if reason else [])
    assert all((p.record_id, p.field, p.kind) == ("p-1", "hours", "forløb") for p in problems)


def test_the_kit_reads_dates_and_choices_with_its_own_or_the_callers_reasons():
    problems: list[Problem] = []
    check = Checker("", problems, typed=True, sentences=True)
    assert check.date({"on": " 2026-11-23 "}, "on") == "2026-11-23"
    assert check.date({"on": ""}, "on", missing="angiv en dato") is None
    assert check.date({"on": "11/1"}, "on") is None
    assert check.date({"on": "1999-12-31"}, "on") is None
    assert check.choice({"kind": "x"}, "kind", ("a", "b"), "type") is None
    assert check.choice({}, "kind", ("a", "b"), "type", default="a") == "a"
    assert [p.reason for p in problems] == [
        "Angiv en dato.", "'11/1' er ikke en gyldig dato (ÅÅÅÅ-MM-DD).",
        "Datoen skal ligge mellem år 2000 og 2100.", "Ukendt type 'x' (tilladt: a, b)."]


def test_match_filters_parse_text_lists_and_booleans():
    assert parse_match_filters({"radius_km": "12,5", "shifts": "night,day", "paid_only": "true", "top": "5"}) == \
        {"radius_km": 12.5, "shifts": ["day", "night"], "paid_only": True, "top": 5}
    assert parse_match_filters({"radius_km": "", "shifts": [], "require_known_needs": False}) == \
        {"require_known_needs": False}


def test_bad_match_filters_are_one_invalid_with_the_same_radius_reason_for_every_bad_radius():
    for radius in ("langt", "0", "500,5"):
        with pytest.raises(Invalid) as caught:
            parse_match_filters({"radius_km": radius, "shifts": ["moon"], "paid_only": "måske", "navn": "x"},
                                "cit-1")
        assert {(p.field, p.reason) for p in caught.value.problems if p.field == "radius_km"} == \
            {("radius_km", RADIUS_REASON)}
        assert caught.value.fields() == {"radius_km", "shifts", "paid_only", "navn"}
        assert {(p.record_id, p.kind) for p in caught.value.problems} == {("cit-1", "søgning")}


def test_match_filters_as_the_api_sends_them_are_read_exactly_as_its_document_says():
    values = {"top": "5,0", "radius_km": "", "paid_only": " TRUE", "require_known_needs": "ja"}
    assert parse_match_filters(dict(values, require_known_needs="0")) == \
        {"top": 5, "paid_only": True, "require_known_needs": False}  # a form is forgiving
    with pytest.raises(Invalid) as caught:
        parse_match_filters(values, "cit-1", exact=True)
    assert sorted((p.field, p.reason) for p in caught.value.problems) == [
        ("paid_only", "skal være true eller false"), ("radius_km", RADIUS_REASON),
        ("require_known_needs", "skal være true eller false"), ("top", "skal være et helt tal")]
    assert parse_match_filters({"top": "5", "radius_km": "12.5", "paid_only": "1"}, exact=True) == \
        {"top": 5, "radius_km": 12.5, "paid_only": True}


def test_the_kits_text_reader_refuses_control_characters_and_counts_length_as_sent():
    problems: list[Problem] = []
    check = Checker("m-1", problems, "møde", sentences=True)
    record = {"one": "a\tb", "many": "a\r\nb\tc", "long": " " * 5 + "x"}
    assert check.text(record, "many", multiline=True) == "a\nb\tc"
    check.text(record, "one")
    check.text(record, "long", max_len=5)
    assert check.choice({"kind": ["a"]}, "kind", {"a": "A"}, "type") is None  # a list is no code
    assert [(p.field, p.reason[:30]) for p in problems] == [
        ("one", "Indeholder et usynligt styrete"), ("long", "Er for lang (højst 5 tegn)."),
        ("kind", "Ukendt type '['a']' (tilladt: ")]


def test_the_match_page_refuses_a_bad_radius_with_the_parsers_reason(owner):
    page = owner.get("/borgere/cit-fatma/match?filtre=1&radius=600&shifts=moon")
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and RADIUS_REASON in html
    assert 'id="shifts-error">Ukendt vagttype &#39;moon&#39;' in html


def test_the_api_refuses_a_bad_radius_with_the_same_reason(api):
    answer = api.call("GET", "/api/v1/citizens/cit-fatma/matches?radius_km=600", token=api.owner)
    assert answer.status_code == 422
    assert answer.get_json()["problems"] == [
        {"id": "cit-fatma", "field": "radius_km", "reason": RADIUS_REASON, "kind": "søgning"}]


def test_the_cli_radius_has_the_same_limits(run):
    assert RADIUS_KM == (0.1, 500)
    result = run("match", "b1", "--radius", "500.5")
    assert result.exit_code == 2 and "0.1<=x<=500" in result.stderr


def _private_names_used_across_modules() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            modules = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
                    for alias in node.names:
                        modules.add(alias.asname or alias.name)
                        if alias.name.startswith("_") and not alias.name.startswith("__"):
                            found.append(f"{path.relative_to(ROOT)}: from {node.module} import {alias.name}")
                elif isinstance(node, ast.Import):
                    modules.update((alias.asname or alias.name).split(".")[0] for alias in node.names
                                   if alias.name.split(".")[0] in PACKAGES)
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                        and node.value.id in modules and node.attr.startswith("_") and not node.attr.startswith("__"):
                    found.append(f"{path.relative_to(ROOT)}: {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names():
    assert _private_names_used_across_modules() == []
