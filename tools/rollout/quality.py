"""The quality verdict of a conference path: checks, the province's limits, the E-model.

One judgement for every way a path is measured: the router's IP SLA probes and the codec's
call statistics (`rollout.sla`) and the network lab's timestamped probes (`rollout.netlab`).
A measurement is a mapping with ``delay_ms`` (one-way), ``jitter_ms``, ``loss_percent`` and
``mos``; the limits are the province's ``thresholds:`` (`rollout.inventory.model.Thresholds`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from rollout.inventory.model import Thresholds


@dataclass
class Check:
    """One verdict: what was checked, whether it passed, and why (figures or the cause).

    A check that is not ``judged`` is shown but does not decide the outcome (a flow the lab
    cannot place, a class the QoS proof only reports)."""

    name: str
    ok: bool
    detail: str
    judged: bool = True


@dataclass
class Outcome:
    """The verdicts of one site, with the figures they were judged from."""

    site: str
    checks: list[Check] = field(default_factory=list)
    classes: dict[str, dict[str, Any]] = field(default_factory=dict)
    flows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks if c.judged)

    def as_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "ok": self.ok,
            "checks": [c.__dict__ for c in self.checks],
            "classes": self.classes,
            "flows": self.flows,
        }


# --- the limits: one row per figure a class is judged by --------------------------------------


@dataclass(frozen=True)
class Limit:
    """One figure of a measurement and the province threshold it is judged against."""

    figure: str  # key of the measurement
    threshold: str  # attribute of Thresholds
    label: str  # how a breach names it
    short: str  # how the figures line names it
    unit: str
    digits: int  # decimals shown
    worse: Literal["above", "below"]  # the figure fails when it is above / below the threshold
    source: str


# fmt: off
LIMITS: tuple[Limit, ...] = (
    Limit(
        "delay_ms", "one_way_delay_ms", "one-way delay", "delay", " ms", 1, "above",
        "ITU-T G.114 (05/2003): one-way delay up to 150 ms acceptable for most "
        "interactive applications, https://www.itu.int/rec/T-REC-G.114",
    ),
    Limit(
        "jitter_ms", "jitter_ms", "jitter", "jitter", " ms", 1, "above",
        "ITU-T Y.1541 class 0 (IP packet delay variation), tightened for interactive video: "
        "the province's thresholds, https://www.itu.int/rec/T-REC-Y.1541",
    ),
    Limit(
        "loss_percent", "loss_percent", "loss", "loss", " %", 2, "above",
        "ITU-T Y.1541 class 0 (IP packet loss ratio): the province's thresholds, "
        "https://www.itu.int/rec/T-REC-Y.1541",
    ),
    Limit(
        "mos", "mos_min", "MOS", "MOS", "", 2, "below",
        "ITU-T G.107 Annex B (MOS from R; R 70, MOS 3.6: some users dissatisfied), "
        "https://www.itu.int/rec/T-REC-G.107",
    ),
)
# fmt: on


def _shown(limit: Limit, value: float) -> str:
    return f"{limit.short} {value:.{limit.digits}f}{limit.unit}"


def breaches(r: Mapping[str, Any], t: Thresholds, limits: tuple[Limit, ...] = LIMITS) -> list[str]:
    """The limits a measurement breaches, each as "<figure> <value> > <threshold>"; a figure
    equal to its threshold passes."""
    out = []
    for limit in limits:
        value, bound = float(r[limit.figure]), float(getattr(t, limit.threshold))
        bad = value > bound if limit.worse == "above" else value < bound
        if bad:
            sign = ">" if limit.worse == "above" else "<"
            shown = f"{value:.{limit.digits}f}{limit.unit}"
            out.append(f"{limit.label} {shown} {sign} {bound:g}")
    return out


def judge(name: str, r: Mapping[str, Any], t: Thresholds) -> Check:
    """The check of one class: its figures, and the limits it breaches first when it fails."""
    bad = breaches(r, t)
    figures = ", ".join(_shown(limit, float(r[limit.figure])) for limit in LIMITS)
    return Check(f"class {name}", not bad, "; ".join(bad) + f" ({figures})" if bad else figures)


# --- the E-model --------------------------------------------------------------------------------

R_DEFAULT = 93.2
"""R with every G.107 parameter at its default (Ro - Is; ITU-T G.107 section 7.7)."""
BPL_G711_PLC = 25.1
"""Packet-loss robustness of G.711 with its Appendix I concealment, random loss (Ie = 0):
ITU-T G.113 Appendix I, provisional planning values of Bpl (https://www.itu.int/rec/T-REC-G.113)."""
ID_KNEE_MS = 177.3
"""Where the delay impairment steepens: the linear fit of G.107's Id for the default echo
conditions (R. G. Cole, J. H. Rosenbluth, "Voice over IP performance monitoring", ACM SIGCOMM
Computer Communication Review 31(2), 2001)."""


def delay_impairment(d_ms: float) -> float:
    """Id = 0.024 d + 0.11 (d - 177.3) H(d - 177.3), d the mouth-to-ear delay (Cole and
    Rosenbluth's fit of ITU-T G.107 section 7.4)."""
    return 0.024 * d_ms + (0.11 * (d_ms - ID_KNEE_MS) if d_ms > ID_KNEE_MS else 0.0)


def loss_impairment(loss_percent: float, ie: float = 0.0, bpl: float = BPL_G711_PLC) -> float:
    """Ie,eff = Ie + (95 - Ie) Ppl / (Ppl + Bpl): ITU-T G.107 section 7.5 for random loss
    (BurstR = 1)."""
    return ie + (95 - ie) * loss_percent / (loss_percent + bpl)


def r_factor(delay_ms: float, loss_percent: float, jitter_ms: float = 0.0) -> float:
    """E-model (ITU-T G.107, simplified): R = 93.2 - Id - Ie,eff for G.711 with PLC.

    The mouth-to-ear delay is the one-way network delay plus a jitter buffer of twice the
    jitter; Ie,eff = 95 Ppl / (Ppl + 25.1) (G.711, random loss, Ie = 0, Bpl = 25.1).
    """
    d = delay_ms + 2 * jitter_ms
    return R_DEFAULT - delay_impairment(d) - loss_impairment(loss_percent)


def mos(r: float) -> float:
    """MOS = 1 + 0.035 R + R (R - 60)(100 - R) 7e-6, for 0 < R < 100 (ITU-T G.107 Annex B,
    equation B-4); 1 below, 4.5 above."""
    if r <= 0:
        return 1.0
    if r >= 100:
        return 4.5
    return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6
