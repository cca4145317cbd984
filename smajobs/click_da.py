"""Danish for click's own words: "Brug:", "Tilvalg:", "Fejl: Mangler argumentet ...", "--help".

click marks every message it prints with `gettext` (`from gettext import gettext as _` and
`ngettext` at the top of each of its modules). Those are the standard library's module-level
functions, which read the process-wide default domain ("messages") from .mo files. Installing a
Danish catalogue there would also change argparse and anything else using that domain, and would
depend on LANGUAGE/LANG. So `install()` rebinds the two names inside click's modules only, to a
catalogue kept here as a dict: no .mo file, no environment, and no library outside click changes.
Any click program in the same process does speak Danish afterwards (Flask's own CLI would), which
is harmless here: `smajobs` is the only click program we run.
click looks the names up at call time, so one rebinding covers every message, including the
type conversion errors (integer, range, path, choice, datetime) and plural forms.

Two kinds of English in click are not gettext messages and are set here too:
- the type names that show up as option metavars and inside errors ("INTEGER", "'x' is not a
  valid integer"): class attributes of click's types, see TYPE_NAMES;
- the usage placeholders "[OPTIONS]" and "COMMAND [ARGS]...": constructor defaults of each
  command, replaced by `DanishGroup` for the group and for every command added to it.

Call `install()` before any command is defined: `click.Path` takes its name ("file") through
gettext when it is created. smajobs/cli.py does that first thing.

The catalogue is checked against click's source by tests/test_cli_danish.py: a click upgrade that
adds a message fails that test instead of printing English.
"""
from __future__ import annotations

import gettext
import importlib
import sys

import click
import click.types

# click's message id -> Danish. Placeholders ({name}, {value!r}, %(prog)s) are kept; a Danish
# text may leave one out (the English type word "option" in a deprecation warning, say).
MESSAGES: dict[str, str] = {
    # Help pages (core.py, decorators.py, formatting.py)
    "Usage:": "Brug:",
    "Options": "Tilvalg",
    "Positional arguments": "Argumenter",
    "Commands": "Kommandoer",
    "Show this message and exit.": "Vis denne hjælp og afslut.",
    "Show the version and exit.": "Vis versionen og afslut.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "Do you want to continue?": "Vil du fortsætte?",
    "Confirm the action without prompting.": "Bekræft handlingen uden at spørge.",
    "env var: {var}": "miljøvariabel: {var}",
    "default: {default}": "standard: {default}",
    "(dynamic)": "(beregnes)",
    "required": "påkrævet",
    "deprecated": "udgår",
    # Errors (exceptions.py)
    "Error: {message}": "Fejl: {message}",
    "Try '{command} {option}' for help.": "Se '{command} {option}' for hjælp.",
    "Missing argument": "Mangler argumentet",
    "Missing option": "Mangler tilvalget",
    "Missing parameter": "Mangler parameteren",
    "Missing {param_type}": "Mangler {param_type}",
    "Missing parameter: {param_name}": "Mangler parameteren: {param_name}",
    "Invalid value: {message}": "Ugyldig værdi: {message}",
    "Invalid value for {param_hint}: {message}": "Ugyldig værdi for {param_hint}: {message}",
    "No such option {name!r}.": "Tilvalget {name!r} findes ikke.",
    "No such command {name!r}.": "Kommandoen {name!r} findes ikke.",
    "Could not open file {filename!r}: {message}": "Kan ikke åbne filen {filename!r}: {message}",
    "unknown error": "ukendt fejl",
    "Aborted!": "Afbrudt!",
    "Missing command.": "Mangler en kommando.",
    "Value must be an iterable.": "Værdien skal være en liste af værdier.",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "Advarsel: kommandoen {name!r} udgår.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "Advarsel: {name!r} udgår.{extra_message}",
    # Parsing (parser.py)
    "Invalid start character for option ({option})": "Ugyldigt første tegn i tilvalget ({option})",
    "Option {name!r} does not take a value.": "Tilvalget {name!r} tager ingen værdi.",
    "Argument {name!r} takes {nargs} values.": "Argumentet {name!r} tager {nargs} værdier.",
    # Type conversion (types.py); {name} is the Path's kind below ("Fil", "Mappe", "Sti").
    "{value!r} is not a valid {number_type}.": "{value!r} er ikke et gyldigt {number_type}.",
    "{value} is not in the range {range}.": "{value} er ikke i intervallet {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} er ikke en gyldig ja/nej-værdi. Gyldige værdier: {states}",
    "{value!r} is not a valid UUID.": "{value!r} er ikke et gyldigt UUID.",
    "Choose from:\n\t{choices}": "Vælg mellem:\n\t{choices}",
    "Choice({choices})": "Valg({choices})",
    "file": "fil",
    "directory": "mappe",
    "path": "sti",
    "{name} {filename!r} does not exist.": "{name} {filename!r} findes ikke.",
    "{name} {filename!r} is a file.": "{name} {filename!r} er en fil.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} er en mappe.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} kan ikke læses.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} kan ikke skrives.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} kan ikke køres.",
    # Prompts and terminal (termui.py, _termui_impl.py, utils.py)
    "Repeat for confirmation": "Gentag for at bekræfte",
    "Error: The two entered values do not match.": "Fejl: De to indtastninger er ikke ens.",
    "Error: invalid input": "Fejl: ugyldig indtastning",
    "Press any key to continue...": "Tryk på en tast for at fortsætte ...",
    "Unknown color {colour!r}": "Ukendt farve {colour!r}",
    "Unknown standard stream '{name}'": "Ukendt standardstrøm '{name}'",
    "{editor}: Editing failed": "{editor}: Redigeringen mislykkedes",
    "{editor}: Editing failed: {e}": "{editor}: Redigeringen mislykkedes: {e}",
    "d": "d",  # days in a progress bar's time left: "2d 03:04:05"
    "Windows error: {error}": "Windows-fejl: {error}",
    # Shell completion (shell_completion.py)
    "Shell completion is not supported for Bash versions older than 4.4.":
        "Færdiggørelse i skallen virker ikke med Bash ældre end version 4.4.",
    "Couldn't detect Bash version, shell completion is not supported.":
        "Kan ikke se Bash-versionen; færdiggørelse i skallen virker ikke.",
    # Mistakes in a command's definition (a programmer sees these, but they are still click's)
    "Could not determine name for option with declarations {decls!r}":
        "Kan ikke finde navnet på tilvalget ud fra {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument "
    "instead? Did you mean to pass '--{name}'?":
        "Ingen tilvalg angivet, men et navn ({name}). Skulle det være et argument? "
        "Eller mente du '--{name}'?",
    "Name '{name}' defined twice": "Navnet '{name}' er angivet to gange",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.":
        "Et argument har præcis én angivelse, men fik {length}: {decls}.",
    "Boolean option {decl!r} cannot use the same flag for true/false.":
        "Ja/nej-tilvalget {decl!r} kan ikke bruge samme flag til ja og nej.",
}

# (singular, plural) message ids -> (Danish singular, Danish plural). Danish, like English,
# uses the singular for exactly one and the plural otherwise.
PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Mente du {possibility}?", "(Mente du en af: {possibilities}?)"),
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Uventet ekstra argument ({args})", "Uventede ekstra argumenter ({args})"),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Tager {nargs} værdier, men fik 1.", "Tager {nargs} værdier, men fik {len}."),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("Tilvalget {name!r} skal have en værdi.", "Tilvalget {name!r} skal have {nargs} værdier."),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} er ikke {choice}.", "{value!r} er ikke en af {choices}."),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        ("{value!r} passer ikke til formatet {format}.",
         "{value!r} passer ikke til nogen af formaterne {formats}."),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        ("Der skal være {len_type} værdier, men der er {len_value}.",
         "Der skal være {len_type} værdier, men der er {len_value}."),
}

# click's type names: shown upper-case as an option's metavar ("--top HELTAL") and inside
# "{value!r} er ikke et gyldigt {number_type}." The ranges print their bounds themselves.
TYPE_NAMES: dict[type, str] = {
    click.types.StringParamType: "tekst",
    click.types.UnprocessedParamType: "tekst",
    click.types.IntParamType: "heltal",
    click.types.IntRange: "heltal",
    click.types.FloatParamType: "decimaltal",
    click.types.FloatRange: "decimaltal",
    click.types.BoolParamType: "ja/nej",
    click.types.DateTime: "tidspunkt",
    click.types.Choice: "valg",
    click.types.File: "filnavn",
}

# Usage-line placeholders: click's defaults -> Danish.
METAVARS: dict[str, str] = {
    "[OPTIONS]": "[TILVALG]",
    "COMMAND [ARGS]...": "KOMMANDO [ARGUMENTER]...",
    "[COMMAND] [ARGS]...": "[KOMMANDO] [ARGUMENTER]...",
    "COMMAND1 [ARGS]... [COMMAND2 [ARGS]...]...": "KOMMANDO1 [ARGUMENTER]... [KOMMANDO2 [ARGUMENTER]...]...",
    "[COMMAND1] [ARGS]... [COMMAND2 [ARGS]...]...":
        "[KOMMANDO1] [ARGUMENTER]... [KOMMANDO2 [ARGUMENTER]...]...",
}

# click's modules that call `_`/`ngettext`. _winconsole exists (and imports) only on Windows.
CLICK_MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting",
                 "click.parser", "click.shell_completion", "click.termui", "click._termui_impl",
                 "click.types", "click.utils") + (("click._winconsole",) if sys.platform == "win32" else ())


class ClickDanish(gettext.NullTranslations):
    """The Danish catalogue for click's message ids; anything else passes through unchanged."""

    def gettext(self, message: str) -> str:
        return MESSAGES.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        danish = PLURALS.get((singular, plural))
        if danish is None:
            return singular if n == 1 else plural
        return danish[0] if n == 1 else danish[1]


CATALOGUE = ClickDanish()


def install() -> None:
    """Make click speak Danish in this process (idempotent); other gettext users are untouched."""
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = CATALOGUE.gettext
        if hasattr(module, "ngettext"):
            module.ngettext = CATALOGUE.ngettext
    for type_class, danish in TYPE_NAMES.items():
        type_class.name = danish


def danish_metavars(command: click.Command) -> None:
    """Replace click's English usage placeholders on `command` (and a group's subcommands)."""
    command.options_metavar = METAVARS.get(command.options_metavar, command.options_metavar)
    if isinstance(command, click.Group):
        command.subcommand_metavar = METAVARS.get(command.subcommand_metavar, command.subcommand_metavar)
        for subcommand in command.commands.values():
            danish_metavars(subcommand)


class DanishGroup(click.Group):
    """A click group whose usage lines, and those of every command added to it, are Danish."""

    group_class = type  # `@group.group()` makes a DanishGroup too

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        danish_metavars(self)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        danish_metavars(cmd)
        super().add_command(cmd, name)
