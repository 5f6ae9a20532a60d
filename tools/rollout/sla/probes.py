"""The WAN router's IP SLA probes, one check per conference class.

Each udp-jitter operation the site's intent configures (EF with ``codec g711alaw``, AF41) is
read from ``show ip sla statistics`` through our TextFSM template and judged like the network
lab's timestamped probes: one-way delay (the one-way figures when the clocks are in sync,
else RTT / 2), jitter, loss and the E-model MOS of `rollout.quality`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rollout.intent import sla as sla_intent
from rollout.inventory.model import DSCP_NAMES, Thresholds
from rollout.parsers.ip_sla import SlaOperation, parse_ip_sla_statistics
from rollout.quality import Check, judge, mos, r_factor

COMMAND = "show ip sla statistics"
_DSCP_BY_VALUE = {value: name for name, value in DSCP_NAMES.items()}


@dataclass(frozen=True, slots=True)
class Probe:
    """One IP SLA operation the intent configures on the router."""

    operation: int
    class_name: str
    """The conference class it measures, by its DSCP name in capitals (EF, AF41)."""
    codec: bool

    @classmethod
    def from_intent(cls, op: sla_intent.SlaOperation) -> Probe:
        name = _DSCP_BY_VALUE.get(op.tos >> 2, f"tos {op.tos}")
        return cls(op.id, name.upper(), op.codec)


def figures(op: SlaOperation) -> dict[str, Any]:
    """The measured figures of one operation, in the shape `rollout.quality.judge` reads."""
    delay, jitter, loss = op.delay_ms, op.jitter_ms, op.loss_percent
    return {
        "delay_ms": round(delay, 2),
        "jitter_ms": round(jitter, 2),
        "loss_percent": round(loss, 3),
        "mos": round(mos(r_factor(delay, loss, jitter)), 2),
        "rtt_ms": op.rtt.avg if op.rtt is not None else op.latest_rtt_ms,
        "one_way": bool(op.one_way_samples),
        "router_mos": op.mos or None,
        "router_icpif": op.icpif if op.mos else None,
        "source": f"ip sla {op.operation_id}",
    }


def check_probe(
    probe: Probe, found: dict[int, SlaOperation], t: Thresholds
) -> tuple[Check, dict[str, Any] | None]:
    """The check of one probe and its figures (None when it has none to judge)."""
    title = f"class {probe.class_name}: WAN to the hub (IP SLA {probe.operation})"
    op = found.get(probe.operation)
    if op is None:
        return (
            Check(
                title,
                False,
                f"operation {probe.operation} is not in `{COMMAND}` (not configured or not "
                "scheduled): roll the site out (rollout site SITE)",
            ),
            None,
        )
    if not op.ok or not op.has_jitter_figures or not op.rtt_count:
        return (
            Check(
                title,
                False,
                f"the probe failed: return code {op.return_code}, {op.rtt_count or 0} "
                "packets answered (is the hub's `ip sla responder` reachable?)",
            ),
            None,
        )
    r = figures(op)
    check = judge(probe.class_name, r, t)
    detail = check.detail
    if r["one_way"]:
        detail += ", one-way figures (clocks in sync)"
    else:
        detail += ", delay from RTT / 2 (no one-way samples)"
    if r["router_mos"]:
        detail += f"; the router scores MOS {r['router_mos']:.2f}, ICPIF {r['router_icpif']}"
    return Check(title, check.ok, detail), r


def check_router(
    output: str, probes: list[Probe], t: Thresholds
) -> tuple[list[Check], dict[str, dict[str, Any]]]:
    """Checks per probe from the text of ``show ip sla statistics``, and figures per class."""
    found = {op.operation_id: op for op in parse_ip_sla_statistics(output)}
    checks, classes = [], {}
    for probe in probes:
        check, r = check_probe(probe, found, t)
        checks.append(check)
        if r is not None:
            classes[probe.class_name] = r
    return checks, classes
