"""The reminder rules' settings: one set of defaults, overridable per target group.

`Config.rules` holds JSON (so it can come from SMAJOBS_RULES); `rules_config(config)` parses it
once into a `RulesConfig`. A target group's overrides are merged over the defaults, so a group
only lists what differs. Unknown keys or wrong types are refused with a Danish message, since a
misspelt setting silently ignored would mean reminders that never come.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache

# The socialt frikort ceiling for years `data/reference/socialt_frikort_satser.csv` has no figure
# for. 2026: the 2025 figure (42,766 kr.). The real 2026 figure is regulated upwards by the
# satsreguleringsprocent, so using the lower 2025 one warns a little early rather than too late.
DEFAULT_FRIKORT_FALLBACK = {2026: 42_766}


@dataclass(frozen=True)
class RuleSettings:
    trial_weeks: int = 4                   # rule 1: a trial placement still unpaid after this
    unpaid_escalation_weeks: int = 8       # rule 1: ... and after this: consider another workplace
    first_follow_up_days: int = 7          # rule 2: first follow-up after start
    follow_up_every_days: int = 14         # rule 2: then every so many days
    report_notice_working_days: int = 5    # rule 3: notice before a report is due
    stalled_weeks: int = 4                 # rule 4: no meeting and no change for this long
    checkin_every_weeks: int = 4           # rule 6: employer check-in e-mail interval
    checkin_link_days: int = 21            # rule 6: how long a check-in link stays valid
    thank_within_days: int = 30            # rule 5: only placements ended this recently are thanked
    frikort_warn: float = 0.8              # rule 7: first reminder at this share of the ceiling
    frikort_alert: float = 0.95            # rule 7: second reminder


@dataclass(frozen=True)
class RulesConfig:
    default: RuleSettings = field(default_factory=RuleSettings)
    target_groups: dict = field(default_factory=dict)  # target group -> RuleSettings
    frikort_ceiling_fallback: dict = field(default_factory=lambda: dict(DEFAULT_FRIKORT_FALLBACK))

    def for_group(self, target_group: str | None) -> RuleSettings:
        return self.target_groups.get((target_group or "").strip(), self.default)


class RulesConfigError(ValueError):
    pass


_SETTING_TYPES = {f.name: f.type for f in fields(RuleSettings)}


def _settings(base: RuleSettings, overrides, where: str) -> RuleSettings:
    if not isinstance(overrides, dict):
        raise RulesConfigError(f"{where}: skal være et objekt med indstillinger")
    changes = {}
    for name, value in overrides.items():
        if name not in _SETTING_TYPES:
            raise RulesConfigError(f"{where}: ukendt indstilling {name!r} "
                                   f"(kendte: {', '.join(_SETTING_TYPES)})")
        wanted = _SETTING_TYPES[name]
        ok = (isinstance(value, (int, float)) and not isinstance(value, bool)) if wanted == "float" \
            else (isinstance(value, int) and not isinstance(value, bool))
        if not ok or value < 0 or (wanted == "float" and value > 1):
            raise RulesConfigError(f"{where}.{name}: {value!r} er ikke en gyldig værdi")
        changes[name] = value
    return replace(base, **changes)


def parse_rules(text: str) -> RulesConfig:
    if not text or not text.strip():
        return RulesConfig()
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise RulesConfigError(f"rules er ikke gyldig JSON: {error}")
    if not isinstance(raw, dict):
        raise RulesConfigError("rules skal være et JSON-objekt")
    unknown = set(raw) - {"default", "target_groups", "frikort_ceiling_fallback"}
    if unknown:
        raise RulesConfigError(f"rules: ukendt nøgle {sorted(unknown)[0]!r}")
    default = _settings(RuleSettings(), raw.get("default", {}), "rules.default")
    groups = {name.strip(): _settings(default, values, f"rules.target_groups[{name!r}]")
              for name, values in (raw.get("target_groups") or {}).items()}
    fallback = dict(DEFAULT_FRIKORT_FALLBACK)
    for year, amount in (raw.get("frikort_ceiling_fallback") or {}).items():
        if not str(year).isdigit() or not isinstance(amount, (int, float)) or amount <= 0:
            raise RulesConfigError(f"rules.frikort_ceiling_fallback: {year!r}: {amount!r} er ugyldig")
        fallback[int(year)] = amount
    return RulesConfig(default=default, target_groups=groups, frikort_ceiling_fallback=fallback)


@lru_cache(maxsize=16)
def _cached(text: str) -> RulesConfig:
    return parse_rules(text)


def rules_config(config) -> RulesConfig:
    rules = getattr(config, "rules", "")
    if isinstance(rules, RulesConfig):
        return rules
    return _cached(rules or "")
