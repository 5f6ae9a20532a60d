"""The rules table and the ranking: from a site's evidence to its diagnosis.

Each rule is one function ``(SiteEvidence, Expectations) -> list[Cause]`` (rollout.diagnose.
rules_lan, rules_wan, rules_services); docs/diagnose.md lists every cause code with its runbook.
After the rules, two more steps:

- a drift line a cause already quotes is explained (absorbed into that cause's evidence); the
  remaining drift is listed as ``config.drift``, a weak cause of its own;
- causes are ranked by likelihood (ties: the segment nearer the site first), a device that
  could not be read is itself a cause of the segment it points to, and a weak symptom-only
  cause (``endpoint.call_impaired``) is dropped when a real cause is found.
"""

from __future__ import annotations

import time
from dataclasses import replace

from rollout.diagnose import rules_lan, rules_services, rules_wan
from rollout.diagnose.expect import Expectations
from rollout.diagnose.model import SEGMENTS, Cause, Diagnosis, SiteEvidence
from rollout.diagnose.rulebase import Rule, cause

RULES: tuple[Rule, ...] = (*rules_lan.RULES, *rules_wan.RULES, *rules_services.RULES)
"""Every rule, in no particular order (the ranking orders their causes)."""

SYMPTOMS = frozenset({"endpoint.call_impaired"})
"""Codes that only say "bad, cause not found here": dropped when a real cause is found."""

UNREACHED_FIX = {
    "lan": "the switch does not answer: check its power and the uplink from the router; "
    "from the router, ping its management address",
    "wan": "the router does not answer over the WAN: check the access link with the provider "
    "and the router's power (a site-side visit if the provider sees the CPE up)",
    "endpoint": "the codec does not answer: check its power and its switch port; "
    "a codec rebooting after a power cut answers within minutes",
    "hub": "a hub device does not answer: check it at the hub",
    "cloud": "the cloud service does not answer",
    "config": "the device cannot be read: check its login in the vault",
}


def unreached(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    """A device that could not be read points at its segment (itself evidence)."""
    return [
        cause(
            u.segment,
            f"{u.segment}.device_unreachable",
            f"{u.device} could not be read ({u.kind or 'error'}): the fault points to the "
            f"{u.segment} segment",
            [u.error if u.error.startswith(f"{u.device}:") else f"{u.device}: {u.error}"],
            UNREACHED_FIX.get(u.segment, "check the device"),
            0.9 if u.kind in ("unreachable", "timeout", "session_lost") else 0.5,
        )
        for u in ev.unreached
    ]


def leftover_drift(ev: SiteEvidence, causes: list[Cause]) -> list[Cause]:
    """Drift lines no cause quotes, as one weak cause per device."""
    quoted = {line for c in causes for line in c.evidence}
    out = []
    for f in ev.of("drift"):
        left = [f"{f.device}: {line}" for line in f.lines if f"{f.device}: {line}" not in quoted]
        if not left:
            continue
        out.append(
            cause(
                "config",
                "config.drift",
                f"{f.device} was changed by hand ({len(left)} lines differ from the repository)",
                left[:20],
                f"review the change (rollout drift {ev.site}); if it is wrong, "
                f"rollout site {ev.site}; if it is right, put it in the repository",
                0.35,
            )
        )
    return out


def rank(causes: list[Cause]) -> tuple[Cause, ...]:
    """Most likely first; one cause per code (two rules reaching the same conclusion from
    different evidence: the likelier one, with the other's evidence added)."""
    real = [c for c in causes if c.code not in SYMPTOMS]
    kept = real if real else causes
    ordered = sorted(kept, key=lambda c: (-c.likelihood, SEGMENTS.index(c.segment), c.code))
    merged: dict[str, Cause] = {}
    for c in ordered:
        first = merged.get(c.code)
        if first is None:
            merged[c.code] = c
        else:
            more = tuple(line for line in c.evidence if line not in first.evidence)
            merged[c.code] = replace(first, evidence=first.evidence + more)
    return tuple(merged.values())


def diagnose(ev: SiteEvidence, x: Expectations, *, at: str | None = None) -> Diagnosis:
    """The ranked causes of one site's evidence (none: healthy)."""
    start = time.monotonic()
    causes: list[Cause] = unreached(ev, x)
    for rule in RULES:
        causes += rule(ev, x)
    causes += leftover_drift(ev, causes)
    return Diagnosis(ev.site, rank(causes), ev.seconds + time.monotonic() - start, at)
