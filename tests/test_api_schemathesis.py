"""Schemathesis against a live server: the API and its OpenAPI document must agree.

Schemathesis (pinned in requirements.txt) reads /api/v1/openapi.json from a real HTTP server
(tests.conftest.live_server, on the demo registry) and sends requests generated from it with a
consultant's token: schema-valid ones (positive) and ones that break the schema (negative),
then follows the document's links from each POST to the ids it created (stateful phase). Every
check it has runs: no 5xx, every status and header documented, every answer valid against its
schema, invalid input refused, valid input accepted, a deleted record gone, and so on.

The number of cases is bounded (MAX_EXAMPLES per operation and phase, a fixed seed, no
shrinking), so the run takes well under a minute on two busy cores.

What JSON Schema cannot say is refused with 422 (or 400 for a cursor that is well formed but was
not made for this list): a CVR number's check digit, a postcode that does not exist, lat and lon
given one without the other as null, min above max, dates out of order, an opening that is closed
or not approved, a consultant naming another consultant. tests/schemathesis.toml lets positive
cases have those statuses; the problems they carry must then name one of those rules
(SEMANTIC_RULES, checked by the hook in tests/schemathesis_hooks.py), so a document that allows
what the API refuses for any other reason still fails.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from data.accounts import create_consultant
from tests.api_contract import make_token

HERE = Path(__file__).resolve().parent
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
MAX_EXAMPLES = 4
SEED = 20261123


def test_the_api_agrees_with_its_document(live_server, demo_db, tmp_path):
    consultant_id = create_consultant(demo_db, email="konsulent@example.dk", name="Karen", password_hash=None)
    token = make_token(demo_db, consultant_id)
    command = [
        str(SCHEMATHESIS), "--config-file", str(HERE / "schemathesis.toml"),
        "run", f"{live_server}/api/v1/openapi.json",
        "--header", f"Authorization: Bearer {token}",
        "--checks", "all", "--phases", "examples,fuzzing,stateful", "--mode", "all",
        "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED), "--no-shrink", "--workers", "1",
        "--request-timeout", "30", "--warnings", "off",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks", "NO_COLOR": "1",
           "PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(command, capture_output=True, text=True, timeout=150, cwd=tmp_path, env=env)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-20000:]
    assert "Stateful" in report and "failures" not in report.split("SUMMARY")[-1].lower(), report[-5000:]
