"""småjobs matcher: pure ranking of openings for a citizen, with Danish reasons.

Plain data in (Citizen, Opening), ranked matches out (MatchResult); no I/O at match time."""
from .models import Citizen, Match, MatchResult, Opening, Reason
from .vocabulary import NEED_EXPLANATIONS, NEEDS, PAID_HOURS_LABELS, SHIFT_LABELS

# Bumped whenever what a built index holds changes (vocabulary, features, weights), so that a
# persisted index built by an older matcher is rebuilt. 2: the sourced vocabulary (issue 13);
# 3: names are not content, character-only hits capped (issue 13, second increment).
MATCHER_VERSION = 3

__all__ = [
    "MATCHER_VERSION", "Citizen", "Opening", "Match", "Reason", "MatchResult", "MatchIndex", "match_openings",
    "NEEDS", "NEED_EXPLANATIONS", "SHIFT_LABELS", "PAID_HOURS_LABELS",
]


def __getattr__(name: str):
    # The index pulls in scikit-learn (about a second); pages that only need the vocabulary
    # should not pay for it at start-up.
    if name in ("MatchIndex", "match_openings"):
        from . import index
        return getattr(index, name)
    raise AttributeError(f"module 'matcher' has no attribute {name!r}")
