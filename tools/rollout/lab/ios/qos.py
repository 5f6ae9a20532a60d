"""The QoS the device's configuration holds, and what it does to the traffic offered.

Read from the running config only (class maps, policy maps, ``service-policy`` on the
interface), never from what a template meant: a policy removed by hand shapes nothing.

The scheduler is the lab's own small model of IOS CBWFQ/LLQ under a parent shaper
(Cisco IOS QoS Configuration Guide, "Configuring Weighted Fair Queueing" and "Low Latency
Queueing"): without congestion nothing drops; under congestion a priority class is policed
to its rate, each bandwidth class gets its guarantee and the rest of the link is shared by
the classes that want more, in proportion to their bandwidth (class-default: the percent
left over). Flat policies on a port are limited by the port speed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rollout.lab.conditions import DSCP_VALUES, Flow
from rollout.lab.ios.config import ConfigTree, Node

CLASS_DEFAULT = "class-default"
AclCheck = Callable[[str, Flow], bool]
"""Does ACL ``name`` permit ``flow`` (rollout.lab.ios.acl_match)."""


@dataclass(frozen=True, slots=True)
class ClassMap:
    name: str
    match_all: bool
    matches: tuple[tuple[str, ...], ...]
    """Each ``match`` line's words after ``match`` (``("dscp", "ef")``)."""


@dataclass(frozen=True, slots=True)
class PolicyClass:
    name: str
    priority: tuple[str, float] | None = None
    """("percent", N) or ("kbps", N)."""
    bandwidth: tuple[str, float] | None = None
    """("percent", N), ("kbps", N) or ("remaining", N)."""
    shape_bps: int | None = None
    child: str | None = None
    fair_queue: bool = False
    set_dscp: str | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    classes: tuple[PolicyClass, ...]


@dataclass(slots=True)
class ClassLoad:
    """One class of a policy under the current traffic (kbit/s)."""

    name: str
    offered: float = 0.0
    sent: float = 0.0
    packet_bytes: int = 1000
    priority_kbps: float | None = None
    bandwidth_kbps: float | None = None
    child: PolicyLoad | None = None

    @property
    def dropped(self) -> float:
        return max(self.offered - self.sent, 0.0)


@dataclass(slots=True)
class PolicyLoad:
    name: str
    capacity_kbps: float
    classes: list[ClassLoad] = field(default_factory=list)


def class_maps(tree: ConfigTree) -> dict[str, ClassMap]:
    out: dict[str, ClassMap] = {}
    for node in tree.top("class-map"):
        toks = node.tokens()
        match_all = "match-all" in toks or "match-any" not in toks
        matches = tuple(
            tuple(c.tokens()[1:]) for c in node.children or () if c.tokens()[0] == "match"
        )
        out[toks[-1]] = ClassMap(toks[-1], match_all, matches)
    return out


def policies(tree: ConfigTree) -> dict[str, Policy]:
    out: dict[str, Policy] = {}
    for node in tree.top("policy-map"):
        name = node.tokens()[-1]
        out[name] = Policy(name, tuple(_policy_class(c) for c in node.children or ()))
    return out


def _policy_class(node: Node) -> PolicyClass:
    kwargs: dict[str, object] = {}
    for child in node.children or ():
        t = child.tokens()
        if t[0] == "priority":
            if len(t) >= 3 and t[1] == "percent":
                kwargs["priority"] = ("percent", float(t[2]))
            elif len(t) >= 2 and t[1].isdigit():
                kwargs["priority"] = ("kbps", float(t[1]))
            else:
                kwargs["priority"] = ("percent", 100.0)
        elif t[0] == "bandwidth" and len(t) >= 3 and t[1] == "percent":
            kwargs["bandwidth"] = ("percent", float(t[2]))
        elif t[0] == "bandwidth" and len(t) >= 4 and t[1] == "remaining":
            kwargs["bandwidth"] = ("remaining", float(t[3]))
        elif t[0] == "bandwidth" and len(t) >= 2 and t[1].isdigit():
            kwargs["bandwidth"] = ("kbps", float(t[1]))
        elif t[:2] == ["shape", "average"] and len(t) >= 3 and t[2].isdigit():
            kwargs["shape_bps"] = int(t[2])
        elif t[0] == "service-policy" and len(t) >= 2:
            kwargs["child"] = t[-1]
        elif t[0] == "fair-queue":
            kwargs["fair_queue"] = True
        elif t[:2] == ["set", "dscp"] and len(t) >= 3:
            kwargs["set_dscp"] = t[2]
    return PolicyClass(node.tokens()[-1], **kwargs)  # type: ignore[arg-type]


def attached(node: Node | None, direction: str) -> str | None:
    """The policy ``service-policy <direction> NAME`` on an interface node, if any."""
    for child in (node.children or ()) if node is not None else ():
        t = child.tokens()
        if t[:2] == ["service-policy", direction] and len(t) == 3:
            return t[2]
    return None


def dscp_name(value: int) -> str:
    return next((n for n, v in DSCP_VALUES.items() if v == value and n != "default"), str(value))


def _dscp_matches(words: tuple[str, ...], dscp: int) -> bool:
    for w in words:
        value = DSCP_VALUES.get(w, int(w) if w.isdigit() else -1)
        if value == dscp:
            return True
    return False


def class_matches(
    cmap: ClassMap, dscp: int, flow: Flow | None, acl_permits: AclCheck | None
) -> bool:
    results = []
    for m in cmap.matches:
        if m[:1] == ("any",):
            results.append(True)
        elif m[:1] == ("dscp",) or m[:2] == ("ip", "dscp"):
            results.append(_dscp_matches(m[1:] if m[0] == "dscp" else m[2:], dscp))
        elif m[:2] == ("access-group", "name") and len(m) == 3:
            results.append(bool(flow and acl_permits and acl_permits(m[2], flow)))
        else:
            results.append(False)
    if not results:
        return False
    return all(results) if cmap.match_all else any(results)


def classify(
    policy: Policy,
    maps: dict[str, ClassMap],
    dscp: int,
    flow: Flow | None = None,
    acl: AclCheck | None = None,
) -> str:
    """The class of ``policy`` a packet falls in (first match, else class-default)."""
    for pc in policy.classes:
        if pc.name == CLASS_DEFAULT:
            continue
        cmap = maps.get(pc.name)
        if cmap is not None and class_matches(cmap, dscp, flow, acl):
            return pc.name
    return CLASS_DEFAULT


def load_policy(
    name: str,
    every: dict[str, Policy],
    maps: dict[str, ClassMap],
    offered: dict[int, float],
    capacity_kbps: float,
) -> PolicyLoad:
    """Schedule ``offered`` (kbit/s by DSCP) through policy ``name`` on a link of
    ``capacity_kbps``; nested policies under a shaper get the shaped rate."""
    policy = every.get(name) or Policy(name, ())
    names = [pc.name for pc in policy.classes]
    if CLASS_DEFAULT not in names:
        names.append(CLASS_DEFAULT)
    spec = {pc.name: pc for pc in policy.classes}
    loads = {n: ClassLoad(n) for n in names}
    per_class: dict[str, dict[int, float]] = {n: {} for n in names}
    for dscp, kbps in offered.items():
        cls = classify(policy, maps, dscp)
        per_class[cls][dscp] = per_class[cls].get(dscp, 0.0) + kbps
        loads[cls].offered += kbps
        if dscp == DSCP_VALUES["ef"]:
            loads[cls].packet_bytes = 214
    result = PolicyLoad(name, capacity_kbps, [loads[n] for n in names])
    for n in names:
        pc = spec.get(n)
        if pc is not None and pc.child is not None:
            shaped = pc.shape_bps / 1000 if pc.shape_bps else capacity_kbps
            child = load_policy(pc.child, every, maps, per_class[n], shaped)
            loads[n].child = child
            loads[n].offered = sum(c.offered for c in child.classes)
            loads[n].sent = sum(c.sent for c in child.classes)
            continue
        if pc is not None and pc.shape_bps:
            loads[n].sent = min(loads[n].offered, pc.shape_bps / 1000)
    _schedule(result, spec, capacity_kbps)
    return result


def _schedule(result: PolicyLoad, spec: dict[str, PolicyClass], capacity: float) -> None:
    todo = [c for c in result.classes if c.child is None and not _shaped(spec.get(c.name))]
    fixed = sum(c.sent for c in result.classes if c not in todo)
    for c in todo:
        pc = spec.get(c.name)
        if pc is not None and pc.priority is not None:
            kind, v = pc.priority
            c.priority_kbps = capacity * v / 100 if kind == "percent" else v
        if pc is not None and pc.bandwidth is not None and pc.bandwidth[0] != "remaining":
            kind, v = pc.bandwidth
            c.bandwidth_kbps = capacity * v / 100 if kind == "percent" else v
    room = max(capacity - fixed, 0.0)
    if sum(c.offered for c in todo) <= room:
        for c in todo:
            c.sent = c.offered
        return
    for c in todo:  # guarantees first; a priority class is policed to its rate
        if c.priority_kbps is not None:
            c.sent = min(c.offered, c.priority_kbps)
        else:
            c.sent = min(c.offered, c.bandwidth_kbps or 0.0)
    left = max(room - sum(c.sent for c in todo), 0.0)
    used = sum((c.priority_kbps or 0) + (c.bandwidth_kbps or 0) for c in todo)
    rest = max(capacity - used, capacity * 0.01)
    for _ in range(len(todo) + 1):
        hungry = [c for c in todo if c.priority_kbps is None and c.offered > c.sent + 1e-9]
        if left <= 1e-9 or not hungry:
            break
        weights = {c.name: c.bandwidth_kbps or rest for c in hungry}
        total = sum(weights.values())
        given = 0.0
        for c in hungry:
            share = min(left * weights[c.name] / total, c.offered - c.sent)
            c.sent += share
            given += share
        left -= given


def _shaped(pc: PolicyClass | None) -> bool:
    return pc is not None and pc.shape_bps is not None
