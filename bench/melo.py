"""Score the matcher on the Danish MELO title benchmark (../shared/eval/melo_da_dev/README.md).

Each ESCO label becomes one opening (title = tasks = label) at one place; each query is a citizen
whose goal is the title; the matcher's own top 20 is compared with the annotations:
success@1/@5/@10 (a right label in the top k) and MRR (1 / rank of the first right label, 0 past 20).

    python -m bench.melo [--data DIR] [--limit N]
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

from matcher import Citizen, MatchIndex, Opening

BENCHMARK_DIR = Path("shared") / "eval" / "melo_da_dev"


def default_data() -> Path:
    """../shared/eval/melo_da_dev seen from the repository, or from a folder above it (worktrees)."""
    for folder in Path(__file__).resolve().parents[1:]:
        if (folder / BENCHMARK_DIR / "queries.tsv").is_file():
            return folder / BENCHMARK_DIR
    return Path(__file__).resolve().parents[1].parent / BENCHMARK_DIR
TOP = 20
CUTOFFS = (1, 5, 10)
PLACE = (55.6761, 12.5683)


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE) if row]


def load(data: Path) -> tuple[dict[str, str], dict[str, str], dict[str, set[str]]]:
    """(label id -> label, query id -> title, query id -> right label ids)."""
    labels = {label_id: label for label_id, label in _rows(data / "corpus_elements.tsv")}
    queries = {query_id: title for query_id, title in _rows(data / "queries.tsv")}
    right: dict[str, set[str]] = defaultdict(set)
    for query_id, _, label_id, relevance in _rows(data / "annotations.tsv"):
        if int(relevance) > 0:
            right[query_id].add(label_id)
    return labels, queries, right


def label_openings(labels: dict[str, str]) -> list[Opening]:
    return [Opening(id=label_id, employer_id="e", employer_name="", title=label, tasks=label,
                    lat=PLACE[0], lon=PLACE[1]) for label_id, label in labels.items()]


def score(index: MatchIndex, queries: dict[str, str], right: dict[str, set[str]]) -> dict[str, float]:
    hits = {k: 0 for k in CUTOFFS}
    reciprocal = 0.0
    for query_id, title in queries.items():
        citizen = Citizen(id=query_id, first_name="", lat=PLACE[0], lon=PLACE[1], goal=title)
        ranked = [m.opening_id for m in index.match(citizen, top=TOP).matches]
        rank = next((i + 1 for i, label_id in enumerate(ranked) if label_id in right[query_id]), None)
        if rank is not None:
            reciprocal += 1.0 / rank
            for k in CUTOFFS:
                hits[k] += rank <= k
    n = len(queries)
    return {"queries": n, "mrr": reciprocal / n, **{f"success@{k}": hits[k] / n for k in CUTOFFS}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="folder with the four .tsv files")
    parser.add_argument("--limit", type=int, default=None, help="only the first N queries")
    args = parser.parse_args(argv)
    args.data = args.data or default_data()
    if not (args.data / "queries.tsv").is_file():
        print(f"Fandt ikke queries.tsv i {args.data}", file=sys.stderr)
        return 2
    labels, queries, right = load(args.data)
    queries = {q: t for q, t in queries.items() if q in right}
    if args.limit:
        queries = dict(list(queries.items())[: args.limit])
    started = time.perf_counter()
    index = MatchIndex(label_openings(labels))
    built = time.perf_counter()
    result = score(index, queries, right)
    done = time.perf_counter()
    print(f"queries {result['queries']}  labels {len(labels)}")
    print(f"MRR {result['mrr']:.3f}  " + "  ".join(f"success@{k} {result[f'success@{k}']:.3f}" for k in CUTOFFS))
    print(f"index {built - started:.1f} s, queries {1000 * (done - built) / max(result['queries'], 1):.1f} ms each",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
