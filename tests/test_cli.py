"""`smajobs import`, `export`, `match` and `demo` on real SQLite files, through click's runner
and (for exit codes and streams as a shell sees them) the installed `smajobs` script."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from data import registry
from data.db import connect
from smajobs.cli import main
from tests.records import citizen, employer

SMAJOBS = Path(sys.executable).parent / "smajobs"
ROOT = Path(__file__).resolve().parent.parent
DEMO_FILE = ROOT / "data" / "demo" / "demo.json"


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "cli.db"


@pytest.fixture
def run(db_path):
    runner = CliRunner()

    def invoke(*args, input=None, env=None, db=True):
        prefix = ["--db", str(db_path)] if db else []
        return runner.invoke(main, [*prefix, *args], input=input, env=env, catch_exceptions=False)
    return invoke


def write_json(path: Path, document) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def table_rows(path: Path) -> dict[str, list[tuple]]:
    db = connect(path)
    try:
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in ("employers", "openings", "citizens")}
    finally:
        db.close()


# --- import --------------------------------------------------------------------------------------

def test_import_demo_then_again_changes_nothing(run, db_path):
    document = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    first = run("import", str(DEMO_FILE))
    assert first.exit_code == 0, first.output
    assert f"virksomheder: {len(document['employers'])} nye" in first.output
    assert f"borgere: {len(document['citizens'])} nye" in first.output
    rows = table_rows(db_path)
    assert len(rows["employers"]) == len(document["employers"])
    second = run("import", str(DEMO_FILE))
    assert second.exit_code == 0
    assert "virksomheder: 0 nye, 0 opdateret" in second.output and "borgere: 0 nye, 0 opdateret" in second.output
    assert f"{len(document['citizens'])} uændret" in second.output
    assert table_rows(db_path) == rows  # updated_at included


def test_import_from_stdin(run, db_path):
    result = run("import", "-", input=json.dumps({"citizens": [citizen()]}))
    assert result.exit_code == 0 and result.output.startswith("Indlæst standard input: ")
    assert "borgere: 1 nye" in result.output
    assert len(table_rows(db_path)["citizens"]) == 1


def test_import_accepts_utf8_with_byte_order_mark(run, tmp_path, db_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"citizens": [citizen(first_name="Søren")]}).encode())
    assert run("import", str(path)).exit_code == 0
    assert registry_of(db_path)["citizens"][0]["first_name"] == "Søren"


def registry_of(path: Path) -> dict:
    db = connect(path)
    try:
        return registry.export_document(db)
    finally:
        db.close()


@pytest.mark.parametrize("bad_record, record_id, field, reason", [
    (citizen(id="cit-bad", needs=["telepathy"]), "cit-bad", "needs", "ukendt skånehensyn 'telepathy'"),
    (citizen(id="cit-bad", postcode="9999"), "cit-bad", "postcode", "ukendt postnummer 9999"),
    (citizen(id="cit-bad", hours_per_week={"min": 9, "max": 2}), "cit-bad", "hours_per_week", "min (9) er større end max (2)"),
    (citizen(id="cit-bad", first_name=None), "cit-bad", "first_name", "mangler"),
    (citizen(id="cit-bad", age="ni"), "cit-bad", "age", "skal være et helt tal"),
    (citizen(id="cit-bad", lat=55.7), "cit-bad", "lon", "lat og lon skal angives sammen"),
    (citizen(id="cit-2"), "cit-2", "id", "optræder mere end én gang i filen"),
])
def test_invalid_citizen_rejects_the_whole_file(run, tmp_path, db_path, bad_record, record_id, field, reason):
    path = write_json(tmp_path / "bad.json", {"employers": [employer()],
                                              "citizens": [citizen(), citizen(id="cit-2"), bad_record]})
    result = run("import", str(path))
    assert result.exit_code != 0
    assert f"borger '{record_id}', felt '{field}': {reason}" in result.output
    assert "Fejl:" in result.output and "intet er gemt" in result.output
    assert not db_path.exists()  # the file is checked before the database is even opened


def test_invalid_employer_rejects_the_whole_file_and_keeps_existing_rows(run, tmp_path, db_path):
    assert run("import", str(write_json(tmp_path / "ok.json", {"citizens": [citizen(id="cit-0")]}))).exit_code == 0
    before = table_rows(db_path)
    path = write_json(tmp_path / "bad.json", {"citizens": [citizen()], "employers": [
        employer(), employer(id="emp-bad", cvr="13585627", openings=[{"id": "opn-9", "title": "T", "tasks": "x"}])]})
    result = run("import", str(path))
    assert result.exit_code != 0
    assert "virksomhed 'emp-bad', felt 'cvr': '13585627': forkert kontrolciffer" in result.output
    assert table_rows(db_path) == before


def test_import_conflicting_with_stored_data_is_a_danish_error(run, tmp_path, db_path):
    assert run("import", str(write_json(tmp_path / "a.json", {"employers": [employer()]}))).exit_code == 0
    before = table_rows(db_path)
    moved = employer(id="emp-2", openings=[{"id": "opn-1", "title": "T", "tasks": "x"}])
    result = run("import", str(write_json(tmp_path / "b.json", {"employers": [moved], "citizens": [citizen()]})))
    assert result.exit_code == 1
    assert "Fejl: " in result.output and "småjob 'opn-1', felt 'id': tilhører virksomhed 'emp-1'" in result.output
    assert table_rows(db_path) == before


@pytest.mark.parametrize("content, message", [
    (b"", "er tom"),
    (b"   \n", "er tom"),
    (b"ikke json", "er ikke gyldig JSON: fejl i linje 1, kolonne 1"),
    (b'{"citizens": [\n  {"id": "cit-1",}\n]}', "er ikke gyldig JSON: fejl i linje 2"),
    (b'{"citizens": [{"id": "c", "first_name": "A", "postcode": "2200", "age": NaN}]}',
     "feltet 'citizens[0].age' er ikke et tal, JSON kan bære"),
    (b"\xff\xfe{}", "ikke UTF-8"),
    (b"[]", "skal være et JSON-objekt med 'employers' og/eller 'citizens'"),
    (b'[{"id": "cit-1"}]', "skal være et JSON-objekt"),
    (b'"tekst"', "skal være et JSON-objekt"),
    (b'{"borgere": []}', "felt 'borgere': ukendt nøgle"),
])
def test_not_an_exchange_document_is_a_danish_error(run, tmp_path, db_path, content, message):
    path = tmp_path / "file.json"
    path.write_bytes(content)
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.output.startswith("Fejl: ") and message in result.output, result.output
    assert "Error" not in result.output and "Traceback" not in result.output
    assert not db_path.exists()


def test_import_of_missing_file(run, tmp_path, db_path):
    result = run("import", str(tmp_path / "findes-ikke.json"))
    assert result.exit_code == 1 and "Fejl: Filen" in result.output and "findes ikke" in result.output
    assert not db_path.exists()


# --- export --------------------------------------------------------------------------------------

def test_export_of_fresh_database(run):
    result = run("export")
    assert result.exit_code == 0
    assert json.loads(result.output) == {"employers": [], "citizens": []}


def test_export_to_stdout_and_file_round_trip_through_a_fresh_database(run, tmp_path, db_path):
    document = {"employers": [employer(kommune="Aarhus", contact={"name": "Ali", "rolle": "ejer"})],
                "citizens": [citizen(max_travel_km=3.0, consultant="Karen@Example.DK"), citizen(id="cit-2", lat=55.7, lon=12.5)]}
    assert run("import", str(write_json(tmp_path / "in.json", document))).exit_code == 0
    stdout = run("export")
    assert stdout.exit_code == 0
    exported = json.loads(stdout.output)
    assert exported == registry_of(db_path)
    assert exported["employers"][0]["kommune"] == "Aarhus"
    assert exported["employers"][0]["contact"] == {"name": "Ali", "rolle": "ejer"}
    assert exported["citizens"][0]["max_travel_km"] == 3 and exported["citizens"][0]["consultant"] == "karen@example.dk"
    assert "lat" not in exported["citizens"][0] and exported["citizens"][1]["lat"] == 55.7

    target = tmp_path / "out.json"
    to_file = run("export", str(target))
    assert to_file.exit_code == 0 and "Eksporteret til" in to_file.output
    assert json.loads(target.read_text(encoding="utf-8")) == exported
    assert not list(tmp_path.glob(".out.json.tmp"))

    fresh = tmp_path / "fresh.db"
    assert run("--db", str(fresh), "import", str(target), db=False).exit_code == 0
    assert json.loads(run("--db", str(fresh), "export", db=False).output) == exported


def test_export_to_a_missing_folder_is_a_danish_error(run, tmp_path):
    result = run("export", str(tmp_path / "findes-ikke" / "ud.json"))
    assert result.exit_code == 1 and result.output.startswith("Fejl: Kan ikke skrive ")
    assert not (tmp_path / "findes-ikke").exists()


def test_demo_data_round_trips(run, tmp_path):
    assert run("import", str(DEMO_FILE)).exit_code == 0
    first = tmp_path / "first.json"
    run("export", str(first))
    fresh = tmp_path / "fresh.db"
    assert run("--db", str(fresh), "import", str(first), db=False).exit_code == 0
    assert run("--db", str(fresh), "export", db=False).output == first.read_text(encoding="utf-8")


# --- choosing the database --------------------------------------------------------------------------

def test_smajobs_db_environment_variable_chooses_the_database(run, tmp_path):
    from_env = tmp_path / "env.db"
    result = run("import", str(write_json(tmp_path / "in.json", {"citizens": [citizen()]})),
                 env={"SMAJOBS_DB": str(from_env)}, db=False)
    assert result.exit_code == 0 and from_env.exists()
    assert len(table_rows(from_env)["citizens"]) == 1
    # --db wins over the environment.
    flag = tmp_path / "flag.db"
    run("--db", str(flag), "import", str(tmp_path / "in.json"), env={"SMAJOBS_DB": str(from_env)}, db=False)
    assert len(table_rows(flag)["citizens"]) == 1
    exported = run("export", env={"SMAJOBS_DB": str(from_env)}, db=False)
    assert [c["id"] for c in json.loads(exported.output)["citizens"]] == ["cit-1"]


def test_db_that_is_not_a_database_is_a_danish_error(run, tmp_path):
    not_sqlite = tmp_path / "noter.txt"
    not_sqlite.write_text("ikke en database\n" * 100)
    result = run("--db", str(not_sqlite), "export", db=False)
    assert result.exit_code == 1 and result.output.startswith(f"Fejl: Databasen {not_sqlite} kan ikke åbnes")
    assert not_sqlite.read_text() == "ikke en database\n" * 100


# --- match ---------------------------------------------------------------------------------------

def test_match_json_lists_best_openings_first_with_danish_reasons(run):
    run("import", str(DEMO_FILE))
    result = run("match", "cit-fatma", "--top", "5", "--json")
    assert result.exit_code == 0, result.output
    matches = json.loads(result.output)
    assert isinstance(matches, list) and 1 <= len(matches) <= 5
    for match in matches:
        assert {"opening_id", "employer_id", "score", "reasons"} <= match.keys()
        assert match["reasons"] and all(isinstance(r, str) and r.strip() for r in match["reasons"])
    assert [m["score"] for m in matches] == sorted((m["score"] for m in matches), reverse=True)
    document = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    owner = {o["id"]: e["id"] for e in document["employers"] for o in e["openings"]}
    assert all(owner[m["opening_id"]] == m["employer_id"] for m in matches)
    assert len(json.loads(run("match", "cit-fatma", "--top", "2", "--json").output)) == min(2, len(matches))


def test_match_hard_rules_hold_for_demo_citizens(run):
    # The format's rules: no opening that cannot meet a need, shares no shift or is inactive.
    run("import", str(DEMO_FILE))
    document = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    openings = {o["id"]: o for e in document["employers"] for o in e["openings"]}
    for person in document["citizens"]:
        for match in json.loads(run("match", person["id"], "--json").output):
            opening = openings[match["opening_id"]]
            assert not set(opening.get("cannot_meet", [])) & set(person.get("needs", []))
            assert opening.get("active", True)
            if person.get("shifts"):
                assert set(opening.get("shifts", ["day"])) & set(person["shifts"])


def test_match_text_output(run):
    run("import", str(DEMO_FILE))
    result = run("match", "cit-fatma", "--top", "3")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    first = next(line for line in lines if line.startswith(" 1. "))
    assert "score" in first and "[opn-" in first
    assert any(line.strip().startswith(("+", "-")) for line in lines)


def test_match_with_no_openings_says_so(run):
    result = run("import", "-", input=json.dumps({"citizens": [citizen()]}))
    assert result.exit_code == 0
    result = run("match", "cit-1")
    assert result.exit_code == 0 and "Ingen småjobs passer til cit-1" in result.output
    assert json.loads(run("match", "cit-1", "--json").output) == []


@pytest.mark.parametrize("prepare", [False, True])
def test_match_unknown_citizen_is_a_danish_error(run, prepare):
    if prepare:
        run("import", str(DEMO_FILE))
    result = run("match", "cit-findes-ikke", "--json")
    assert result.exit_code == 1
    assert result.output == "Fejl: Ingen borger med id 'cit-findes-ikke'.\n"


def test_match_uses_the_database_it_is_given(run, tmp_path):
    # Two databases whose registries have the same version number but different openings:
    # the match index of one must never answer for the other.
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    for path, opening_id in ((one, "opn-one"), (two, "opn-two")):
        document = {"employers": [employer(openings=[{"id": opening_id, "title": "Køkkenhjælp", "tasks": "Opvask"}])],
                    "citizens": [citizen()]}
        assert run("--db", str(path), "import", "-", input=json.dumps(document), db=False).exit_code == 0
    for path, opening_id in ((one, "opn-one"), (two, "opn-two"), (one, "opn-one")):
        matches = json.loads(run("--db", str(path), "match", "cit-1", "--json", db=False).output)
        assert [m["opening_id"] for m in matches] == [opening_id]


# --- demo ----------------------------------------------------------------------------------------

def test_demo_on_a_fresh_database_twice(run, db_path):
    first = run("demo", "--top", "2")
    assert first.exit_code == 0, first.output
    document = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    for person in document["citizens"]:
        assert f"== {person['first_name']} ({person['id']})" in first.output
    assert " 1. " in first.output
    assert len(table_rows(db_path)["citizens"]) == len(document["citizens"])
    second = run("demo", "--top", "2")
    assert second.exit_code == 0 and "borgere: 0 nye, 0 opdateret" in second.output


# --- the installed script --------------------------------------------------------------------------

def test_installed_script_exit_codes_and_streams(tmp_path):
    env = {**os.environ, "SMAJOBS_DB": str(tmp_path / "script.db")}
    bad = write_json(tmp_path / "bad.json", {"citizens": [citizen(), citizen(id="cit-x", needs=["flyve"])]})
    result = subprocess.run([str(SMAJOBS), "import", str(bad)], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert "borger 'cit-x', felt 'needs': ukendt skånehensyn 'flyve'" in result.stderr
    assert not (tmp_path / "script.db").exists()
    good = write_json(tmp_path / "good.json", {"citizens": [citizen()]})
    result = subprocess.run([str(SMAJOBS), "import", str(good)], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0 and "borgere: 1 nye" in result.stdout
    result = subprocess.run([str(SMAJOBS), "export"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0 and json.loads(result.stdout)["citizens"][0]["id"] == "cit-1"
    result = subprocess.run([str(SMAJOBS), "match", "ukendt"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1 and result.stderr == "Fejl: Ingen borger med id 'ukendt'.\n"
