"""What every rule shares: the rule's type, the thresholds that are not the province's, and
small readers of facts.

The province's own limits (``thresholds:`` in inventory/province.yml: loss, jitter, the same
figures `rollout.quality` judges a path by) come through `Expectations`; the constants below
are the ones the province does not set, each with why it has its value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeGuard

from rollout.diagnose.expect import Expectations
from rollout.diagnose.model import Cause, Fact, Segment, SiteEvidence, Value

Rule = Callable[[SiteEvidence, Expectations], list[Cause]]

ERRORS_DELTA_MIN = 5
"""New input errors (CRC, runts ...) within the two readings (a few seconds) that make a port
faulty: a sound cable counts none; one or two may be a single burst of noise."""
ERROR_RATIO = 0.001
"""Without two readings (history): errors above 1 in 1000 packets received since the counters
were cleared (unconfirmed rule of thumb; small old counts stay below it)."""
ERRORS_MIN = 100
"""...and at least this many errors, so a port that received little traffic is not judged."""
LATE_DELTA_MIN = 1
"""Late collisions: "a properly designed and configured network should never have late
collisions" (Cisco Networking Academy, SRWE 1.2.7): any new one counts."""
FLAPS_MIN = 2
"""Link-down events within the log's window (rollout.diagnose.ios_facts.FLAP_WINDOW_S) that
make a link flapping: one may be a planned restart, two in 15 minutes is not."""
PING_LOST_MIN = 2
"""Echoes lost out of a probe before it counts as loss: a provider edge may drop one under its
control-plane rate limit (ICMP to the router itself is policed)."""
NEAR_SHAPER = 0.85
"""Offered load at or above this share of the shaper's rate is a full link."""
FLAP_RECENT_S = 120
"""A link whose last flap is older than this is stable now: its flaps are history (reported,
ranked below what fails at this moment)."""
PROVIDER_GAP = 0.10
"""Share of what the router sends that may go missing before the hub before the provider is
said to drop it (counter windows of the two ends differ by a few seconds)."""
PROVIDER_MIN_KBPS = 500
"""Below this sending rate the gap between the two ends is noise."""
DSCP_MIN_PERCENT = 90.0
"""Share of a class's packets that must arrive at the hub still marked."""
HUB_LOAD_MAX = 90.0
"""The hub link's load above which every site's calls share its queue."""


def num(f: Fact, key: str, default: float = 0.0) -> float:
    value: Value | None = f.values.get(key)
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value)
    except ValueError:
        return default


def text(f: Fact, key: str) -> str:
    value = f.values.get(key)
    return "" if value is None else str(value)


def has(f: Fact, key: str) -> bool:
    return key in f.values


def where(f: Fact) -> str:
    return f"{f.device} {f.subject}" if f.subject != f.device else f.device


def quoted(facts: Iterable[Fact], limit: int = 4) -> list[str]:
    """The devices' own lines behind the facts, each prefixed with its device."""
    out: list[str] = []
    for f in facts:
        out += [f"{f.device}: {line}" for line in f.lines[:limit]]
    return out


def cause(
    segment: Segment,
    code: str,
    what: str,
    evidence: Iterable[str],
    fix: str,
    likelihood: float,
) -> Cause:
    return Cause(segment, code, what, tuple(dict.fromkeys(evidence)), fix, likelihood)


def lossy_sla(ev: SiteEvidence, x: Expectations) -> list[Fact]:
    """SLA operations whose last run lost packets, jittered or got no answer beyond limits."""
    return [
        f
        for f in ev.of("sla")
        if num(f, "loss_percent") > x.loss_percent
        or num(f, "jitter_ms") > x.jitter_ms
        or text(f, "return_code") not in ("OK", "")
    ]


def reach(ev: SiteEvidence, what: str) -> Fact | None:
    """The probe of ``what``; where several devices probed it (the router's echoes, the hub
    monitor's SIP request), the worst answer: a registrar host that answers pings but not SIP
    is down for the codecs, an MCU the site's router cannot reach is unreachable for the site
    whatever the hub sees."""
    found = [f for f in ev.of("reach") if f.subject == what]
    if not found:
        return None
    return min(
        found,
        key=lambda f: (num(f, "success_percent", 100.0), not text(f, "probe").startswith("sip")),
    )


def lossy_reach(f: Fact | None) -> TypeGuard[Fact]:
    """A probe that lost at least `PING_LOST_MIN` echoes (of ``sent``; 20 when not said)."""
    if f is None:
        return False
    sent = num(f, "sent", 20.0) or 20.0
    lost = sent * (100.0 - num(f, "success_percent", 100.0)) / 100.0
    return lost >= PING_LOST_MIN - 1e-9


def jittery_reach(f: Fact | None, x: Expectations) -> TypeGuard[Fact]:
    """A probe whose echoes jittered beyond the province's limit (collectors that measure it:
    the linux_router's echo probe gives ``jitter_ms``; IOS's ping gives none)."""
    return f is not None and num(f, "jitter_ms", 0.0) > x.jitter_ms


def dead(f: Fact | None) -> TypeGuard[Fact]:
    return f is not None and num(f, "success_percent", 100.0) == 0


def sla_summary(f: Fact) -> str:
    return (
        f"{where(f)} ({text(f, 'cls')}): loss {num(f, 'loss_percent'):g} %, "
        f"jitter {num(f, 'jitter_ms'):g} ms, return code {text(f, 'return_code') or '?'}"
    )


def reach_summary(f: Fact) -> str:
    jitter = f", jitter {num(f, 'jitter_ms'):g} ms" if "jitter_ms" in f.values else ""
    return (
        f"{f.device} ping {f.subject} {text(f, 'target')}: "
        f"{num(f, 'success_percent'):g} % answered{jitter}"
    )
