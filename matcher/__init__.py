"""småjobs matcher: pure ranking of openings for a citizen, with Danish reasons.

Plain data in (Citizen, Opening), ranked matches out (MatchResult); no I/O at match time."""
from .index import MatchIndex, match_openings
from .models import Citizen, Match, MatchResult, Opening, Reason
from .vocabulary import NEED_EXPLANATIONS, NEEDS, PAID_HOURS_LABELS, SHIFT_LABELS

__all__ = [
    "Citizen", "Opening", "Match", "Reason", "MatchResult", "MatchIndex", "match_openings",
    "NEEDS", "NEED_EXPLANATIONS", "SHIFT_LABELS", "PAID_HOURS_LABELS",
]
