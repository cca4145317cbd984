"""småjobs matcher: pure ranking of openings for a citizen, with Danish reasons.

Plain data in (Citizen, Opening), ranked matches out (MatchResult); no I/O at match time."""
import functools
import hashlib
import pathlib

from .models import Citizen, Match, MatchResult, Opening, Reason
from .vocabulary import NEED_EXPLANATIONS, NEEDS, PAID_HOURS_LABELS, SHIFT_LABELS

__all__ = [
    "Citizen", "Opening", "Match", "Reason", "MatchResult", "MatchIndex", "match_openings",
    "NEEDS", "NEED_EXPLANATIONS", "SHIFT_LABELS", "PAID_HOURS_LABELS", "version",
]


@functools.lru_cache(maxsize=1)
def version() -> str:
    """The matcher's own version: a digest of its source. Any change to how openings are
    analysed, weighted or packed changes it, so an index persisted by another version of the
    code is never used."""
    digest = hashlib.sha256()
    for source in sorted(pathlib.Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:16]


def __getattr__(name: str):
    # The index pulls in scikit-learn (about a second); pages that only need the vocabulary
    # should not pay for it at start-up.
    if name in ("MatchIndex", "match_openings"):
        from . import index
        return getattr(index, name)
    raise AttributeError(f"module 'matcher' has no attribute {name!r}")
