"""``show policy-map interface [IF] [input|output]``: the policies the running config
attaches, with per-class counters from the lab's traffic model.

Layout of IOS-XE (genieparser ``ShowPolicyMapInterface`` golden outputs, e.g. "show
policy-map interface gigabitEthernet 0/1/1 output class class-default": ``Service-policy
output: NAME``, ``Class-map: NAME (match-any)``, ``N packets, N bytes``, ``30 second offered
rate N bps, drop rate N bps``, ``Match: dscp ef (46)``, ``Queueing``, ``queue limit 64
packets``, ``(queue depth/total drops/no-buffer drops) 0/N/0``, ``(pkts output/bytes output)
N/N``, ``shape (average) cir N, bc N, be N`` with bc = be = 4 ms of the rate, ``target shape
rate N``, ``Priority: 10% (950 kbps), burst bytes N, b/w exceed drops: N``, ``bandwidth 52%
(4940 kbps)``); classic IOS says "5 minute offered rate". An interface without a policy
prints nothing for it. Unconfirmed: the ``Fair-queue: per-flow queue limit 16 packets`` line.
"""

from __future__ import annotations

from rollout.lab.conditions import DSCP_VALUES
from rollout.lab.ios import qos
from rollout.lab.ios.network import Sample
from rollout.lab.ios.state import DeviceState


def show_policy_map_interface(
    device: DeviceState, name: str | None = None, direction: str | None = None
) -> str | None:
    """None when ``name`` is not an interface of the device."""
    nodes = {n.tokens()[1]: n for n in device.tree.top("interface")}
    if name is not None and name not in nodes:
        return None
    sample = device.network.sample(device.tree)
    maps, every = qos.class_maps(device.tree), qos.policies(device.tree)
    interval = "30 second" if device.model.startswith("ISR4") else "5 minute"
    out: list[str] = []
    for iface, node in nodes.items():
        if name is not None and iface != name:
            continue
        block: list[str] = []
        for way in ("input", "output"):
            policy = qos.attached(node, way)
            if policy is None or (direction is not None and way != direction):
                continue
            block += ["", f"  Service-policy {way}: {policy}"]
            p = every.get(policy, qos.Policy(policy, ()))
            ctx = _Ctx(sample, f"pc:{iface}:{way}:", maps, every, interval)
            block += _policy(ctx, p, policy, 4, None)
        if block:
            out += [f" {iface} ", *block, ""]
    return "\n".join(out)


class _Ctx:
    def __init__(
        self,
        sample: Sample,
        prefix: str,
        maps: dict[str, qos.ClassMap],
        every: dict[str, qos.Policy],
        interval: str,
    ) -> None:
        self.sample, self.prefix, self.maps, self.every = sample, prefix, maps, every
        self.interval = interval

    def value(self, path: str, what: str) -> int:
        return int(self.sample.values.get(f"{self.prefix}{path}:{what}", 0.0))

    def rate(self, path: str, what: str) -> float:
        return self.sample.traffic.rates.get(f"{self.prefix}{path}:{what}", 0.0)


def _policy(ctx: _Ctx, p: qos.Policy, path: str, pad: int, parent_kbps: float | None) -> list[str]:
    sp = " " * pad
    names = [c.name for c in p.classes]
    specs = {c.name: c for c in p.classes}
    if qos.CLASS_DEFAULT not in names:
        names.append(qos.CLASS_DEFAULT)
    lines: list[str] = []
    if any(c.priority for c in p.classes):
        prio = [f"{path}/{c.name}" for c in p.classes if c.priority]
        lines += [
            "",
            f"{sp}queue stats for all priority classes:",
            f"{sp}  Queueing",
            f"{sp}  queue limit 512 packets",
            f"{sp}  (queue depth/total drops/"
            f"no-buffer drops) 0/{sum(ctx.value(x, 'drops') for x in prio)}/0",
            f"{sp}  (pkts output/bytes output) {sum(ctx.value(x, 'out_pkts') for x in prio)}"
            f"/{sum(ctx.value(x, 'out_bytes') for x in prio)}",
        ]
    for cname in names:
        spec = specs.get(cname, qos.PolicyClass(cname))
        cpath = f"{path}/{cname}"
        cmap = ctx.maps.get(cname)
        kind = "match-all" if cmap is not None and cmap.match_all else "match-any"
        offered = ctx.rate(cpath, "bytes") * 8
        dropped = ctx.rate(cpath, "drop_bytes") * 8
        lines += [
            "",
            f"{sp}Class-map: {cname} ({kind})  ",
            f"{sp}  {ctx.value(cpath, 'pkts')} packets, {ctx.value(cpath, 'bytes')} bytes",
            f"{sp}  {ctx.interval} offered rate {round(offered)} bps, "
            f"drop rate {round(dropped)} bps",
        ]
        lines += [f"{sp}  Match: {m}" for m in _matches(cmap, cname)]
        lines += _actions(ctx, spec, cpath, sp + "  ", parent_kbps)
        if spec.child is not None:
            child = ctx.every.get(spec.child, qos.Policy(spec.child, ()))
            rate = spec.shape_bps / 1000 if spec.shape_bps else parent_kbps
            lines += ["", f"{sp}  Service-policy : {spec.child}"]
            lines += _policy(ctx, child, f"{cpath}/{spec.child}", pad + 4, rate)
    return lines


def _matches(cmap: qos.ClassMap | None, name: str) -> list[str]:
    if cmap is None:
        return ["any "] if name == qos.CLASS_DEFAULT else []
    out = []
    for m in cmap.matches:
        if m[0] == "dscp":
            shown = " ".join(f"{w} ({DSCP_VALUES[w]})" if w in DSCP_VALUES else w for w in m[1:])
            out.append(f" dscp {shown}")
        else:
            out.append(" ".join(m))
    return out


def _actions(
    ctx: _Ctx, spec: qos.PolicyClass, path: str, sp: str, parent_kbps: float | None
) -> list[str]:
    drops, out_p, out_b = (ctx.value(path, k) for k in ("drops", "out_pkts", "out_bytes"))
    queue = [
        f"{sp}Queueing",
        f"{sp}queue limit 64 packets",
        f"{sp}(queue depth/total drops/no-buffer drops) 0/{drops}/0",
        f"{sp}(pkts output/bytes output) {out_p}/{out_b}",
    ]
    link = parent_kbps or 1_000_000.0
    if spec.priority is not None:
        kind, v = spec.priority
        kbps = round(link * v / 100) if kind == "percent" else round(v)
        pct = f"{v:g}% ({kbps} kbps)" if kind == "percent" else f"{kbps} (kbps)"
        return [f"{sp}Priority: {pct}, burst bytes {kbps * 25}, b/w exceed drops: {drops}"]
    if spec.shape_bps is not None:
        bc = spec.shape_bps * 4 // 1000
        return [
            *queue,
            f"{sp}shape (average) cir {spec.shape_bps}, bc {bc}, be {bc}",
            f"{sp}target shape rate {spec.shape_bps}",
        ]
    if spec.bandwidth is not None:
        kind, v = spec.bandwidth
        if kind == "percent":
            return [*queue, f"{sp}bandwidth {v:g}% ({round(link * v / 100)} kbps)"]
        if kind == "remaining":
            return [*queue, f"{sp}bandwidth remaining {v:g}%"]
        return [*queue, f"{sp}bandwidth {round(v)} kbps"]
    if spec.set_dscp is not None:
        return [
            f"{sp}QoS Set",
            f"{sp}  dscp {spec.set_dscp}",
            f"{sp}    Marker statistics: Disabled",
        ]
    if spec.fair_queue:
        return [*queue, f"{sp}Fair-queue: per-flow queue limit 16 packets"]
    return queue if spec.name == qos.CLASS_DEFAULT and parent_kbps is not None else []
