"""click's own words in `smajobs ...` are Danish: help pages, usage errors, type conversion
errors, prompts. Through click's runner on the real command group, through the installed
`smajobs` script as a shell runs it, and against click's source (every message it can print has
a Danish text with the same placeholders)."""
from __future__ import annotations

import argparse
import ast
import gettext
import importlib
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from smajobs import click_da
from smajobs.cli import main

SMAJOBS = Path(sys.executable).parent / "smajobs"
CLICK_SOURCE = Path(click.__file__).parent

# Phrases click prints in English. None may reach an operator.
ENGLISH = ["Usage:", "Options:", "Commands:", "Positional arguments", "Show this message",
           "Error:", "Missing argument", "Missing option", "No such option", "No such command",
           "Invalid value", "is not a valid", "is not in the range", "Try '", "for help.",
           "Did you mean", "does not exist", "is a directory", "is not one of", "is not ",
           "does not match the format", "[OPTIONS]", "COMMAND [ARGS]", "INTEGER", "FLOAT",
           "TEXT", "BOOLEAN", "default:", "required]", "Aborted!", "Repeat for confirmation",
           "do not match", "Got unexpected extra", "requires an argument"]


def assert_danish(text: str) -> None:
    found = [phrase for phrase in ENGLISH if phrase in text]
    assert not found, f"English click text {found} in:\n{text}"


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, ["--db", str(tmp_path / "cli.db"), *args], input=input,
                             prog_name="smajobs", catch_exceptions=False)
    return invoke


# --- the catalogue against click's source ----------------------------------------------------

def click_message_ids() -> tuple[set[str], set[tuple[str, str]]]:
    """Every literal message id click passes to `_()` or `ngettext()` in its installed source."""
    singles, plurals = set(), set()
    for path in CLICK_SOURCE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            literals = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.id == "_" and literals:
                singles.add(literals[0])
            elif node.func.id == "ngettext" and len(literals) >= 2:
                plurals.add((literals[0], literals[1]))
    return singles, plurals


def test_every_click_message_has_a_danish_text():
    singles, plurals = click_message_ids()
    assert len(singles) > 50 and len(plurals) >= 5, "the scan of click's source found too little"
    singles.add("required")  # passed as `_(extra["required"])`, not as a literal
    assert sorted(singles - click_da.MESSAGES.keys()) == []
    assert sorted(plurals - click_da.PLURALS.keys()) == []


def placeholders(text: str) -> set[str]:
    fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return fields | set(re.findall(r"%\((\w+)\)s", text))


@pytest.mark.parametrize("english, danish", [
    *click_da.MESSAGES.items(),
    *((e, d) for pair in click_da.PLURALS.items() for e, d in zip(*pair)),
])
def test_danish_text_uses_only_click_placeholders(english, danish):
    # A placeholder click does not pass would raise KeyError while printing an error.
    assert placeholders(danish) <= placeholders(english)
    if english not in {"d", "%(prog)s, version %(version)s"}:  # the same in Danish
        assert danish != english


def test_install_reaches_every_click_module_that_translates():
    using_gettext = {path.stem for path in CLICK_SOURCE.glob("*.py")
                     if "from gettext import" in path.read_text(encoding="utf-8")}
    if sys.platform != "win32":
        using_gettext.discard("_winconsole")  # refuses to import elsewhere
    assert {name.removeprefix("click.") for name in click_da.CLICK_MODULES} >= using_gettext
    for name in using_gettext:
        module = importlib.import_module(f"click.{name}")
        assert getattr(module, "_", click_da.CATALOGUE.gettext) == click_da.CATALOGUE.gettext, name
        assert getattr(module, "ngettext", click_da.CATALOGUE.ngettext) == click_da.CATALOGUE.ngettext, name


def test_other_gettext_users_keep_their_language():
    # The standard library's default domain is not touched: argparse (bench/) stays as it was.
    assert gettext.gettext.__module__ == "gettext" and click.core._ is not gettext.gettext
    assert gettext.gettext("Usage:") == "Usage:"
    assert argparse.ArgumentParser(prog="bench").format_usage().startswith("usage: bench")


# --- the real smajobs commands -----------------------------------------------------------------

def test_group_help(run):
    result = run("--help")
    assert result.exit_code == 0
    assert result.output.startswith("Brug: smajobs [TILVALG] KOMMANDO [ARGUMENTER]...\n")
    assert "\nTilvalg:\n" in result.output and "\nKommandoer:\n" in result.output
    assert "-h, --help  Vis denne hjælp og afslut." in result.output
    assert "--db FIL " in result.output
    assert_danish(result.output)


@pytest.mark.parametrize("command", sorted(main.commands))
def test_help_of_every_command(run, command):
    result = run(command, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Brug: smajobs {command} [TILVALG]")
    assert "Vis denne hjælp og afslut." in result.output
    assert_danish(result.output)


def test_match_help_shows_danish_types_and_defaults(run):
    result = run("match", "-h")
    assert "--top HELTAL" in result.output and "[standard: 10; 1<=x<=1000]" in result.output
    assert "--radius DECIMALTAL" in result.output
    assert_danish(result.output)


def test_missing_argument(run):
    result = run("match")
    assert result.exit_code == 2
    assert result.stderr == ("Brug: smajobs match [TILVALG] BORGER_ID\n"
                             "Se 'smajobs match --help' for hjælp.\n\n"
                             "Fejl: Mangler argumentet 'BORGER_ID'.\n")
    assert result.stdout == ""


def test_unknown_option_with_suggestion(run):
    result = run("match", "b1", "--radus", "3")
    assert result.exit_code == 2
    assert "Fejl: Tilvalget '--radus' findes ikke. Mente du '--radius'?" in result.stderr
    several = run("match", "b1", "--to", "3")
    assert "Fejl: Tilvalget '--to' findes ikke. (Mente du en af: '--json', '--top'?)" in several.stderr
    assert_danish(result.output + several.output)


def test_unknown_command_with_suggestion(run):
    result = run("mach", "b1")
    assert result.exit_code == 2
    assert result.stderr.startswith("Brug: smajobs [TILVALG] KOMMANDO [ARGUMENTER]...\n"
                                    "Se 'smajobs --help' for hjælp.\n")
    assert "Fejl: Kommandoen 'mach' findes ikke. Mente du 'match'?" in result.stderr
    assert_danish(result.output)


def test_bad_integer(run):
    result = run("match", "b1", "--top", "x")
    assert result.exit_code == 2
    assert "Fejl: Ugyldig værdi for '--top': 'x' er ikke et gyldigt heltal.\n" in result.stderr
    assert_danish(result.output)


def test_number_out_of_range(run):
    result = run("match", "b1", "--radius", "0")
    assert result.exit_code == 2
    assert "Fejl: Ugyldig værdi for '--radius': 0.0 er ikke i intervallet 0.1<=x<=500.\n" in result.stderr
    result = run("match", "b1", "--radius", "1,5")
    assert "'1,5' er ikke et gyldigt decimaltal." in result.stderr
    assert_danish(result.output)


def test_option_without_its_value(run):
    result = run("match", "b1", "--top")
    assert result.exit_code == 2
    assert "Fejl: Tilvalget '--top' skal have en værdi." in result.stderr
    assert_danish(result.output)


def test_extra_argument(run):
    result = run("match", "b1", "b2")
    assert result.exit_code == 2
    assert "Fejl: Uventet ekstra argument (b2)" in result.stderr
    assert_danish(result.output)


def test_import_of_a_missing_file(run, tmp_path):
    result = run("import", str(tmp_path / "mangler.json"))
    assert result.exit_code == 1  # our own error, as before
    assert result.stderr == f"Fejl: Filen {tmp_path / 'mangler.json'} findes ikke.\n"


def test_import_of_a_directory_is_a_path_error(run, tmp_path):
    result = run("import", str(tmp_path))
    assert result.exit_code == 2
    assert f"Fejl: Ugyldig værdi for 'FIL': Fil '{tmp_path}' er en mappe.\n" in result.stderr
    assert_danish(result.output)


def test_click_exception_from_a_command_module(run):
    result = run("create-token", "ingen@example.dk")
    assert result.exit_code == 1
    assert result.stderr == "Fejl: Ingen aktiv konsulent med e-mail ingen@example.dk.\n"


def test_prompt_mismatch_and_abort(run):
    result = run("create-consultant", "ny@example.dk", "--name", "Ny",
                 input="hemmelig1\nhemmelig2\nhemmelig1\nhemmelig1\n")
    assert result.exit_code == 0, result.output
    assert "Fejl: De to indtastninger er ikke ens." in result.output
    assert_danish(result.output)
    aborted = run("create-consultant", "anden@example.dk", "--name", "Anden", input="")
    assert aborted.exit_code == 1
    assert "Afbrudt!" in aborted.stderr
    assert_danish(aborted.output)


# --- click's types that smajobs does not use yet, on a DanishGroup ------------------------------

@click.group(cls=click_da.DanishGroup)
def sample():
    """Prøvegruppe."""


@sample.command("plan")
@click.option("--kind", type=click.Choice(["praktik", "småjob"]), required=True)
@click.option("--single", type=click.Choice(["praktik"]))
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--active", type=bool)
@click.option("--pair", type=(int, int))
@click.argument("source", type=click.Path(exists=True), required=False)
def plan(**kwargs):
    click.echo("ok")


@sample.group("nested")
def nested():
    """Under-gruppe."""


def run_sample(*args):
    return CliRunner().invoke(sample, list(args), prog_name="smajobs", catch_exceptions=False)


def test_bad_choice():
    result = run_sample("plan", "--kind", "job")
    assert result.exit_code == 2
    assert "Fejl: Ugyldig værdi for '--kind': 'job' er ikke en af 'praktik', 'småjob'." in result.stderr
    single = run_sample("plan", "--kind", "praktik", "--single", "x")
    assert "'x' er ikke 'praktik'." in single.stderr
    assert_danish(result.output + single.output)


def test_missing_required_option():
    result = run_sample("plan")
    assert result.exit_code == 2
    assert "Fejl: Mangler tilvalget '--kind'. Vælg mellem:\n\tpraktik,\n\tsmåjob" in result.stderr


def test_bad_datetime_boolean_and_tuple():
    date = run_sample("plan", "--kind", "praktik", "--start", "29/3")
    assert "'29/3' passer ikke til formatet '%Y-%m-%d'." in date.stderr
    boolean = run_sample("plan", "--kind", "praktik", "--active", "måske")
    assert "'måske' er ikke en gyldig ja/nej-værdi. Gyldige værdier:" in boolean.stderr
    pair = run_sample("plan", "--kind", "praktik", "--pair", "1")
    assert "Tilvalget '--pair' skal have 2 værdier." in pair.stderr
    for result in (date, boolean, pair):
        assert result.exit_code == 2
        assert_danish(result.output)


def test_path_that_must_exist(tmp_path):
    result = run_sample("plan", "--kind", "praktik", str(tmp_path / "nej.json"))
    assert result.exit_code == 2
    assert f"Fejl: Ugyldig værdi for '[SOURCE]': Sti '{tmp_path / 'nej.json'}' findes ikke." in result.stderr


def test_sample_help_and_nested_group():
    result = run_sample("plan", "--help")
    assert "[påkrævet]" in result.output and "--start [%Y-%m-%d]" in result.output
    assert "--active JA/NEJ" in result.output and "--pair <HELTAL HELTAL>..." in result.output
    assert_danish(result.output)
    assert isinstance(nested, click_da.DanishGroup)
    help_nested = run_sample("nested", "--help")
    assert help_nested.output.startswith("Brug: smajobs nested [TILVALG] KOMMANDO [ARGUMENTER]...")
    assert_danish(help_nested.output)


# --- the installed script, as a shell runs it ----------------------------------------------------

def smajobs(*args, tmp_path, **env_overrides):
    env = {**os.environ, "SMAJOBS_DB": str(tmp_path / "cli.db"), **env_overrides}
    return subprocess.run([str(SMAJOBS), *args], capture_output=True, text=True, env=env, timeout=60)


def test_script_usage_error_is_danish_whatever_the_locale(tmp_path):
    # gettext's own lookup reads LANGUAGE/LANG; ours must not depend on them.
    for language in ("en_US", "de_DE", "da_DK"):
        process = smajobs("match", tmp_path=tmp_path, LANGUAGE=language, LANG=f"{language}.UTF-8")
        assert process.returncode == 2
        assert process.stdout == ""
        assert process.stderr.endswith("Fejl: Mangler argumentet 'BORGER_ID'.\n")
        assert_danish(process.stderr)


def test_script_help_and_errors(tmp_path):
    help_page = smajobs("--help", tmp_path=tmp_path)
    assert help_page.returncode == 0 and help_page.stdout.startswith("Brug: smajobs [TILVALG]")
    assert_danish(help_page.stdout)
    bad = smajobs("match", "b1", "--top", "x", tmp_path=tmp_path)
    assert bad.returncode == 2
    assert "'x' er ikke et gyldigt heltal." in bad.stderr
    unknown = smajobs("match", "b1", "--x", tmp_path=tmp_path)
    assert unknown.returncode == 2 and "Tilvalget '--x' findes ikke." in unknown.stderr
    missing = smajobs("import", str(tmp_path / "mangler.json"), tmp_path=tmp_path)
    assert missing.returncode == 1 and "Fejl: Filen" in missing.stderr
    for process in (bad, unknown, missing):
        assert_danish(process.stderr)
