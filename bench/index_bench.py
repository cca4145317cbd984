"""The match index benchmark of issue 11: a persisted index, incremental changes, a quick CLI
and the web match page under load, on the synthetic registry (bench.synthetic).

    python -m bench.index_bench [--small] [--openings N] [--web-seconds S] [--scale]

1. generate and import the registry into bench/out/index.db (not timed);
2. `smajobs match ID --json` as a fresh process: the first (builds and persists the index),
   then the median of 5;
3. one employer changed through `smajobs import`, then `smajobs match` again (fresh process);
4. in this process: the persisted index loaded, one employer's change applied (median of 5);
5. the web figures from bench.web_load (smajobs serve on loopback, logged-in sessions);
6. with --scale: index build time, memory and one citizen's top 10 at 10k, 100k and 1M.
Prints PASS/FAIL per target and writes bench/out/index_results.json."""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import synthetic, web_load

ROOT = Path(__file__).resolve().parents[1]
TARGETS = (
    ("cli_match_median_s", "smajobs match ID --json, ny proces, median af 5", 1.0),
    ("cli_match_after_change_s", "det samme lige efter én virksomhed er ændret via smajobs import", 1.5),
    ("apply_change_ms", "én virksomheds ændring lagt i det indlæste indeks (median)", 100.0),
    ("first_request_ms", "matchsiden, første forespørgsel efter start (ms)", 2000.0),
    ("sequential_p95_ms", "matchsiden varm, sekventiel p95 (ms)", 30.0),
    ("concurrent_p95_ms", "matchsiden, 8 samtidige sessioner p95 (ms)", 150.0),
    ("with_sign_ups_p95_ms", "matchsiden p95 mens formularen postes 2 gange/s (ms)", 150.0),
)


def timed_cli(db: str, *args: str) -> float:
    start = time.perf_counter()
    done = web_load.smajobs(db, *args)
    took = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(done.stderr)
    return took


def changed_employer_file(db_path: str, out: Path) -> str:
    from data import registry
    from data.db import connect
    db = connect(db_path)
    employer_id = db.execute("SELECT employer_id FROM openings ORDER BY id LIMIT 1").fetchone()[0]
    [record] = [e for e in registry.export_document(db)["employers"] if e["id"] == employer_id]
    record["openings"][0]["title"] = f"Ændret titel {time.time():.0f}"
    path = out / "one_employer.json"
    path.write_text(json.dumps({"employers": [record]}, ensure_ascii=False), encoding="utf-8")
    return employer_id


def apply_change_ms(db_path: str, employer_id: str) -> float:
    from data import index_store
    from data.db import connect
    from data.matching import apply_changes
    db = connect(db_path)
    from data import registry
    index, _ = index_store.load(db_path, registry.registry_id(db), registry.registry_version(db))
    times = []
    for _ in range(5):
        start = time.perf_counter()
        apply_changes(db, index, [employer_id])
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def scale_figures(sizes: list[int]) -> list[dict]:
    """Build time, memory growth and one citizen's top 10 per size, each in its own process."""
    rows = []
    for size in sizes:
        code = (
            "import json, resource, statistics, time\n"
            "from bench import synthetic\n"
            "from matcher import Citizen, MatchIndex, Opening\n"
            f"doc = synthetic.generate({size}, 200, 1)\n"
            "ops = [Opening.from_exchange(o, e) for e in doc['employers'] for o in e['openings']]\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "t = time.perf_counter(); index = MatchIndex(ops); build = time.perf_counter() - t\n"
            "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "cits = [Citizen.from_exchange(c) for c in doc['citizens']]\n"
            "times = []\n"
            "for c in cits[:100]:\n"
            "    t = time.perf_counter(); index.match(c); times.append((time.perf_counter() - t) * 1000)\n"
            "print(json.dumps({'openings': len(ops), 'build_s': build, 'index_memory_mb': (after - before) / 1024,"
            " 'peak_memory_mb': after / 1024, 'top10_median_ms': statistics.median(times)}))\n"
        )
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        if done.returncode:
            raise RuntimeError(done.stderr)
        rows.append(json.loads(done.stdout))
        print(f"  skala {size}: {rows[-1]}", file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.index_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--openings", type=int, default=None, help="aktive småjobs (100000; --small 10000)")
    parser.add_argument("--small", action="store_true", help="hurtigt tjek: 10000 småjobs, korte webfaser")
    parser.add_argument("--web-seconds", type=float, default=None, help="sekunder pr. webfase (20; --small 5)")
    parser.add_argument("--scale", action="store_true", help="også 10k → 100k → 1M (bygning, hukommelse, top 10)")
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    options = parser.parse_args(argv)
    openings = options.openings or (10_000 if options.small else 100_000)
    seconds = options.web_seconds or (5.0 if options.small else 20.0)
    options.out.mkdir(parents=True, exist_ok=True)
    db = str((options.out / "index.db").resolve())
    for stale in Path(db).parent.glob("index.db*"):
        subprocess.run(["rm", "-rf", str(stale)])
    print(f"genererer og importerer {openings} småjobs …", file=sys.stderr)
    from data import registry
    from data.db import connect
    registry.import_document(connect(db), synthetic.generate(openings, 2000, 1))
    citizen = "cit-000001"

    results: dict = {"openings": openings, "load_average_start": os.getloadavg()}
    results["cli_first_match_s"] = timed_cli(db, "match", citizen, "--json")
    results["cli_match_median_s"] = statistics.median(timed_cli(db, "match", citizen, "--json") for _ in range(5))
    employer_id = changed_employer_file(db, options.out)
    timed_cli(db, "import", str(options.out / "one_employer.json"))
    results["cli_match_after_change_s"] = timed_cli(db, "match", citizen, "--json")
    results["apply_change_ms"] = apply_change_ms(db, employer_id)
    citizens = [row[0] for row in connect(db).execute("SELECT id FROM citizens ORDER BY id LIMIT 500")]
    print("webbelastning …", file=sys.stderr)
    results.update(web_load.run(db, citizens, seconds))
    if options.scale:
        results["scale"] = scale_figures([10_000, 100_000, 1_000_000])
    results["load_average_end"] = os.getloadavg()
    results["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    failed = 0
    print(f"\n{'mål':<70} {'målt':>10} {'grænse':>8}  resultat")
    for key, label, limit in TARGETS:
        value = results[key]
        ok = value <= limit
        failed += not ok
        print(f"{label:<70} {value:>10.3f} {limit:>8g}  {'PASS' if ok else 'FAIL'}")
    print(f"belastning (load average) ved start/slut: {results['load_average_start']} / {results['load_average_end']}")
    if openings != 100_000:
        print("Bemærk: målene gælder 100.000 småjobs; denne kørsel er mindre.")
    (options.out / "index_results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
