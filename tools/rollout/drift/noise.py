"""Drift noise as data: lines that change on their own and are never drift.

Time stamps, `Last configuration change`, `ntp clock-period`, certificate blobs and the
codec's read-only status keys, built from the drivers' own tables (each cites its source).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rollout.inventory.model import Platform


@dataclass(frozen=True)
class NoiseRule:
    platform: Platform
    pattern: str
    why: str


def _noise_table() -> tuple[NoiseRule, ...]:
    from rollout.drivers import ios_rules, polycom_api

    ios = [NoiseRule(Platform.CISCO_IOS, p, why) for p, why in ios_rules.NOISE_RULES]
    ios.append(NoiseRule(Platform.CISCO_IOS, r"\s+certificate\s.*", "certificate blob (to 'quit')"))
    codec = [
        NoiseRule(
            Platform.POLYCOM,
            re.escape(key),
            "read-only status of the codec"
            if key in polycom_api.STATUS_KEYS
            else "write-only key (never read back)",
        )
        for key in sorted(polycom_api.DRIFT_IGNORED_KEYS)
    ]
    return (*ios, *codec)


NOISE: tuple[NoiseRule, ...] = _noise_table()


def filter_noise(platform: Platform | None, text: str) -> str:
    """The configuration text without the lines the noise table names (for history diffs)."""
    if platform is Platform.CISCO_IOS:
        from rollout.drivers import ios_rules

        return ios_rules.clean(text)
    if platform is Platform.POLYCOM:
        from rollout.drivers.polycom import parse_commands

        rules = [re.compile(f"^{r.pattern}$") for r in NOISE if r.platform is Platform.POLYCOM]
        kept = []
        for line in text.splitlines():
            keys = list(parse_commands(line))
            if not line.strip() or (keys and all(any(r.match(k) for r in rules) for k in keys)):
                continue
            kept.append(f"{line}\n")
        return "".join(kept)
    return text
