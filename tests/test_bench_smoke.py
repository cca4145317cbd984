"""The benchmark's generator and harness on a tiny registry. Correctness only: no assertion here
looks at a time (speed targets are checked by running the benchmark, see README "Performance")."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from stdnum.dk import cvr

from bench import matcher_bench, synthetic
from data import registry
from data.db import connect
from data.postcodes import lookup


@pytest.fixture(scope="module")
def small_document():
    return synthetic.generate(openings=600, citizens=60, seed=7)


def test_same_seed_same_document_other_seed_other_document():
    first = json.dumps(synthetic.generate(openings=50, citizens=5, seed=3), sort_keys=True)
    again = json.dumps(synthetic.generate(openings=50, citizens=5, seed=3), sort_keys=True)
    other = json.dumps(synthetic.generate(openings=50, citizens=5, seed=4), sort_keys=True)
    assert first == again
    assert first != other


def test_document_has_the_asked_shape(small_document):
    employers, citizens = small_document["employers"], small_document["citizens"]
    openings = [o for e in employers for o in e["openings"]]
    assert len(openings) == 600
    assert len({o["id"] for o in openings}) == 600
    assert all(1 <= len(e["openings"]) <= 3 for e in employers)
    assert all(o["active"] for o in openings)
    assert all(cvr.is_valid(e["cvr"]) for e in employers)
    in_copenhagen = [synthetic.is_greater_copenhagen(lookup(e["postcode"]))
                     for e in employers for _ in e["openings"]]
    # A fifth of the openings in Greater Copenhagen (binomial, n=600: well within 0.12-0.28).
    assert 0.12 < sum(in_copenhagen) / len(in_copenhagen) < 0.28
    assert len(citizens) == 60
    assert all(synthetic.is_greater_copenhagen(lookup(c["postcode"])) for c in citizens)
    assert all(2 <= c["max_travel_km"] <= 15 for c in citizens)
    for opening in openings:
        assert not set(opening["can_meet"]) & set(opening["cannot_meet"])


def test_document_imports_cleanly(small_document, tmp_path):
    db = connect(tmp_path / "bench.db")
    summary = registry.import_document(db, small_document)
    assert summary.created["openings"] == 600
    assert summary.created["citizens"] == 60
    employers = registry.matchable_employers(db)
    assert sum(len(e["openings"]) for e in employers) == 600


def test_tiny_benchmark_writes_results_and_agrees_with_baseline(tmp_path):
    options = matcher_bench.parse_args([
        "--openings", "500", "--citizens", "50", "--single-sample", "20",
        "--baseline-sample", "6", "--seed", "2", "--out", str(tmp_path), "--quiet", "--workers", "1",
    ])
    returned = matcher_bench.run(options)
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results == json.loads(json.dumps(returned, ensure_ascii=False))
    assert set(results) == {"command", "settings", "full_size", "machine", "figures", "targets"}
    figures = results["figures"]
    for key in ("generate_s", "import_total_s", "import_parse_s", "import_store_s", "index_load_s",
                "index_build_s", "single_median_ms", "single_p95_ms", "all_citizens_total_s",
                "all_citizens_match_s", "baseline_median_s", "baseline_ratio",
                "baseline_identical_share", "baseline_mean_overlap", "peak_memory_mb"):
        assert isinstance(figures[key], (int, float)), key
    assert figures["openings_loaded"] == 500
    assert figures["all_citizens_n"] == 50
    assert results["full_size"] is False
    assert {t["key"] for t in results["targets"]} == {t[0] for t in matcher_bench.TARGETS}

    # The index and the baseline give the same top 10 for every sampled citizen, and the sample
    # is not trivially empty.
    sampled = figures["baseline_per_citizen"]
    assert len(sampled) == 6
    assert any(entry["matches"] > 0 for entry in sampled)
    for entry in sampled:
        assert entry["fast_top"] == entry["baseline_top"], entry["citizen"]
    assert figures["baseline_identical_share"] == 1.0
    table = matcher_bench.report(results)
    for target in results["targets"]:
        assert f"{'PASS' if target['pass'] else 'FAIL'}  {target['label']}" in table


def test_command_line_with_two_forked_workers(tmp_path):
    """`python -m bench.matcher_bench` as make bench runs it, with the matching split over two
    forked processes; run in its own process so nothing is forked from the test runner."""
    root = Path(__file__).resolve().parent.parent
    finished = subprocess.run(
        [sys.executable, "-m", "bench.matcher_bench", "--openings", "300", "--citizens", "40",
         "--single-sample", "10", "--baseline-sample", "2", "--workers", "2", "--out", str(tmp_path)],
        cwd=root, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert "Alle borgeres top 10 i alt" in finished.stdout
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["settings"]["workers"] == 2
    assert results["figures"]["all_citizens_n"] == 40
    assert results["figures"]["peak_memory_children_mb"] > 0
    assert results["command"].endswith(f"--workers 2 --out {tmp_path}")


def test_bad_sizes_are_refused_in_danish(capsys):
    with pytest.raises(SystemExit):
        matcher_bench.parse_args(["--openings", "0"])
    assert "mindst 1" in capsys.readouterr().err
