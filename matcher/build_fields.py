"""Build matcher/fields.csv and matcher/occupations.csv from their sources (run by hand when a
source changes; the matcher only reads the two output files):

    python -m matcher.build_fields [--shared ../shared]

Sources (see matcher/README.md, "The vocabulary"):
* fields_hand.csv   - everyday Danish words per field of work, written by hand;
* fields_db07.csv   - which DB07 code prefixes belong to which field, written by hand;
* DB07 v3 industry names (shared/data/db07_branchekoder.csv, Danmarks Statistik);
* ESCO's Danish occupation labels, preferred and alternative (shared/eval/melo_da_dev/
  corpus_elements.tsv + concept_mapping.tsv, © European Union, CC BY 4.0).

Method:
1. Every hand word becomes a row (kind "hverdag").
2. Every DB07 six-digit industry name is cut into content words (function and filler words
   dropped). A word found in more than DB07_MAX_NAMES names says nothing particular
   ("detailhandel", "fremstilling") and is left out. Where fields_db07.csv maps the code, the
   rest become rows of that field (kind "branche"). (Rows for each industry's own 4-digit group
   were tried: the extra tags diluted real field links and broke generated cases.)
3. ESCO occupations (not the ISCO groups) keep all their Danish labels as one synonym set in
   occupations.csv. An occupation gets a field when at least a third of its labels carry that
   field in their head word (the last word before a preposition, as a whole or through its
   compound parts) through the words of steps 1-2; its one-word labels become rows of that field (kind
   "stilling").
"""
from __future__ import annotations

import argparse
import csv
import math
import re
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DB07_MAX_NAMES = 3
# Giving one-word labels the occupation's fields as field words was tried: it pulled unrelated
# words into fields ("træ" into production) and broke 7 of the generated unseen cases.
PROPAGATE_TO_ONE_WORD_LABELS = False
# DB07 rows (fields_db07.csv) are built but not yet used: with them 3 generated unseen cases fail
# on words an industry name shares with another field ("Arkiver" -> culture meets "arkivere" in an
# office job; "spil og legetøj" makes "spille kort" a toy link). Next step: a stop list per field.
USE_DB07_ROWS = False
# Adjectives and qualifiers of DB07 names that say how, not what ("tekniske tekstiler").
DB07_STOP_WORDS = frozenset("""
    teknisk tekniske anden andet andre øvrige lignende primært specialiserede ikke-specialiserede
    lign diverse egne eget private offentlige generelle særlige specielle almindelig almindelige
    kombinerede blandet blandede ydre brugte nye sortering
""".split())
TOKEN_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _find_shared() -> Path:
    for folder in HERE.parents:
        if (folder / "shared" / "data" / "db07_branchekoder.csv").is_file():
            return folder / "shared"
    raise SystemExit("Fandt ikke shared/data/db07_branchekoder.csv; brug --shared")


def _content_words(text: str, skip) -> list[str]:
    words = []
    for token in re.findall(r"[^\W\d_]+", text.lower()):
        if len(token) >= 3 and not skip(token) and token not in DB07_STOP_WORDS:
            words.append(token)
    return words


def hand_rows() -> list[tuple[str, str, str, str]]:
    with (HERE / "fields_hand.csv").open(encoding="utf-8", newline="") as handle:
        return [(row["field"], word, "hverdag", "hånd") for row in csv.DictReader(handle)
                for word in row["words"].split()]


def db07_rows(shared: Path, skip) -> list[tuple[str, str, str, str]]:
    with (HERE / "fields_db07.csv").open(encoding="utf-8", newline="") as handle:
        prefixes = {row["db07_prefix"]: row["field"] for row in csv.DictReader(handle)}
    with (shared / "data" / "db07_branchekoder.csv").open(encoding="utf-8", newline="") as handle:
        industries = [(row["branchekode_punktum"], row["undergruppe_kode"], row["branche"])
                      for row in csv.DictReader(handle)]
    names_with = Counter(word for _, _, name in industries for word in set(_content_words(name, skip)))
    rows = []
    for code, group, name in industries:
        mapped = [prefixes[p] for p in sorted(prefixes, key=len, reverse=True) if code.startswith(p)][:1]
        for word in dict.fromkeys(_content_words(name, skip)):
            if names_with[word] > DB07_MAX_NAMES:
                continue
            for field in mapped:
                rows.append((field, word, "branche", f"DB07 {code}"))
    return rows


def esco_occupations(shared: Path) -> dict[str, list[str]]:
    folder = shared / "eval" / "melo_da_dev"
    with (folder / "concept_mapping.tsv").open(encoding="utf-8") as handle:
        occupation_ids = {line.split("\t")[0].split("_da_")[0] for line in handle
                          if "/esco/occupation/" in line}
    labels: dict[str, list[str]] = defaultdict(list)
    with (folder / "corpus_elements.tsv").open(encoding="utf-8") as handle:
        for line in handle:
            label_id, label = line.rstrip("\n").split("\t")
            occupation = label_id.split("_da_")[0]
            if occupation in occupation_ids and label.strip().lower() not in labels[occupation]:
                labels[occupation].append(label.strip().lower())
    return dict(labels)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Byg matcher/fields.csv og matcher/occupations.csv")
    parser.add_argument("--shared", type=Path, default=None)
    args = parser.parse_args(argv)
    shared = args.shared or _find_shared()
    from . import text   # the matcher's own stemmer and compound splitter

    def skip(token: str) -> bool:
        return token in text.FUNCTION_WORDS or text.stem(token) in text.NO_EVIDENCE_STEMS

    rows = hand_rows() + (db07_rows(shared, skip) if USE_DB07_ROWS else [])
    fields_by_stem: dict[str, set[str]] = defaultdict(set)
    for field, word, _, _ in rows:
        if not field.startswith("db07:"):
            fields_by_stem[text.stem(word)].add(field)
    occupations = esco_occupations(shared)
    analyzer = text.DanishAnalyzer({t for labels in occupations.values() for label in labels
                                    for t in text.surface_tokens(label)} | {w for _, w, _, _ in rows})

    def label_fields(label: str) -> set[str]:
        """Fields of the label's head: Danish noun phrases and compounds are right-headed, so
        the last word before a preposition ("maskinarbejder på mejeri"), and of that word the
        whole and its compound parts ("køkken|chef"); "teknisk tegner" is a tegner."""
        head_words = re.split(r"\b(?:på|i|inden|for|til|af|med|hos|ved|og|eller)\b", label)[0]
        infos = analyzer.analyse(head_words)
        if not infos:
            return set()
        head = infos[-1]
        return set().union(*(fields_by_stem.get(key, set()) for key in (head.stem, *head.parts)))

    occupation_rows = []
    for occupation, labels in sorted(occupations.items()):
        counts = Counter(f for label in labels for f in label_fields(label))
        fields = sorted(f for f, n in counts.items() if n >= max(1, math.ceil(len(labels) / 3)))
        occupation_rows.append((occupation, " ".join(fields), " | ".join(labels)))
        for field in fields if PROPAGATE_TO_ONE_WORD_LABELS else ():
            for label in labels:
                if len(label.split()) == 1 and not skip(label):
                    rows.append((field, label, "stilling", f"ESCO {occupation}"))

    seen = set()
    with (HERE / "fields.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["field", "word", "kind", "source"])
        for row in rows:
            if (row[0], row[1]) not in seen:
                seen.add((row[0], row[1]))
                out.writerow(row)
    with (HERE / "occupations.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["occupation", "fields", "labels"])
        out.writerows(occupation_rows)
    print(f"fields.csv: {len(seen)} rækker; occupations.csv: {len(occupation_rows)} stillinger")


if __name__ == "__main__":
    main()
