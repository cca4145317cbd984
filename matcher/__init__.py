"""småjobs matcher: pure ranking of openings for a citizen, with Danish reasons.

Plain data in (Citizen, Opening), ranked matches out (MatchResult); no I/O at match time."""
import functools
import hashlib
import pathlib

from .models import Citizen, Match, MatchResult, Opening, Reason
from .vocabulary import NEED_EXPLANATIONS, NEEDS, PAID_HOURS_LABELS, SHIFT_LABELS

# Bumped whenever what a built index holds changes (vocabulary, features, weights), so that a
# persisted index built by an older matcher is rebuilt. 2: the sourced vocabulary (issue 13);
# 3: names are not content, character-only hits capped (issue 13, second increment);
# 4: first parts of compounds learnt from the openings' own compounds.
MATCHER_VERSION = 4

__all__ = [
    "MATCHER_VERSION", "Citizen", "Opening", "Match", "Reason", "MatchResult", "MatchIndex", "match_openings",
    "NEEDS", "NEED_EXPLANATIONS", "SHIFT_LABELS", "PAID_HOURS_LABELS", "version",
]


@functools.lru_cache(maxsize=1)
def version() -> str:
    """The matcher's own version: a digest of its source and its vocabulary files. Any change to
    how openings are analysed, weighted or packed changes it, so an index persisted by another
    version of the code or the vocabulary is never used."""
    digest = hashlib.sha256(str(MATCHER_VERSION).encode())
    here = pathlib.Path(__file__).parent
    for source in sorted([*here.glob("*.py"), *here.glob("*.csv"), *here.glob("*.json"), *here.glob("*.txt")]):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:16]


def __getattr__(name: str):
    # The index pulls in scikit-learn (about a second); pages that only need the vocabulary
    # should not pay for it at start-up.
    if name in ("MatchIndex", "match_openings"):
        from . import index
        return getattr(index, name)
    raise AttributeError(f"module 'matcher' has no attribute {name!r}")
