"""The matcher stems with snowballstemmer, which uses PyStemmer's C code when it is installed.
Both must give the same stems, or an index persisted by one would not match the other's words:
checked over every word of the vocabulary, the demo and the title benchmark."""
from __future__ import annotations

import re
from pathlib import Path

import Stemmer
from snowballstemmer.danish_stemmer import DanishStemmer

from matcher import text

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*ROOT.glob("matcher/*.csv"), *ROOT.glob("../shared/demo/*.json"),
           *ROOT.glob("../shared/eval/melo_da_dev/*.tsv")]


def _words() -> set[str]:
    words: set[str] = set()
    for source in SOURCES:
        words |= set(re.findall(r"[a-zæøåéü]+", source.read_text(encoding="utf-8").lower()))
    return words


def test_the_c_stemmer_and_the_python_one_agree():
    words = _words()
    assert len(words) > 5000  # the vocabulary alone has about 7,800
    python, c = DanishStemmer(), Stemmer.Stemmer("danish")
    assert [w for w in sorted(words) if python.stemWord(w) != c.stemWord(w)] == []


def test_the_matcher_uses_the_c_stemmer():
    assert isinstance(text._stemmer, Stemmer.Stemmer)
