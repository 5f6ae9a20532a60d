"""The per-flow check: every row of a site's flows table through the rendered router.

For each flow: a source host in the flow's ``src`` and a destination host in its ``dst`` among
the lab's hosts (on different sides of the router), ports sampled from the flow's ranges (the
first, the last and one chosen at random inside with a seed made of the flow's name, so a run is
repeatable), and per sample a real probe (``flowprobe``): the request from the opener's address
and the reply back. A sample that fails names the direction and the chain that dropped it: the
request crosses the chain of the side it comes from, the reply the chain of the other side.

Then, per chain (WAN-IN and CONFERENCE-IN, forward and input), a TCP and a UDP sample that no
row allows (neither as a request nor as its reply) must be dropped.

The router's nftables: ``wan_in`` is jumped to for what arrives on the WAN interface,
``conference_in`` for what arrives on the conference VLAN, each from the ``input`` hook (to the
router's own addresses) and the ``forward`` hook (through it); the management VLAN and the
router's own output have no ACL (templates/linux_router/nftables.conf.j2).
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from rollout.netlab.flowprobe import End, Seen, probe

WAN_IN, CONFERENCE_IN = "WAN-IN", "CONFERENCE-IN"
NO_ACL = {"management": "no ACL (management VLAN)", "router": "no ACL (the router's own output)"}
SIDE_ACL = {"wan": WAN_IN, "conference": CONFERENCE_IN}
PROTOCOLS = ("tcp", "udp", "icmp")
# Ports tried, in order, for traffic no row allows (echo, telnet, tftp, http, msrpc, smb, ...).
UNLISTED_PORTS = (23, 69, 80, 135, 445, 1234, 2049, 3389, 8080, 9999, 31337, 40000)
DEFAULT_TIMEOUT = 1.5
WORKERS = 8  # probes at a time: each mostly waits for its packets


class FlowLike(Protocol):
    """What the check needs of a flow; ``rollout.flows.ResolvedFlow`` has it."""

    @property
    def name(self) -> str: ...
    @property
    def protocol(self) -> str: ...
    @property
    def src(self) -> str: ...
    @property
    def dst(self) -> str: ...
    @property
    def dst_ports(self) -> tuple[int, int] | None: ...
    @property
    def src_ports(self) -> tuple[int, int] | None: ...


@dataclass(frozen=True)
class Flow:
    """A flow record of our own (tests, and flows built from the ACL inputs)."""

    name: str
    protocol: str
    src: str
    dst: str
    dst_ports: tuple[int, int] | None = None
    src_ports: tuple[int, int] | None = None
    purpose: str = ""
    reply: bool = True  # False: one-way (syslog, traps): only the request must arrive


@dataclass(frozen=True)
class Host:
    """An address the lab has, the namespace it lives in and its side of the router:
    ``wan`` (hub, NOC, cloud), ``conference`` or ``management`` (the site's VLANs), ``router``."""

    address: str
    ns: str
    side: str


@dataclass(frozen=True)
class Sample:
    protocol: str
    src: Host
    dst: Host
    src_port: int  # 0: any (the kernel picks)
    dst_port: int

    def text(self) -> str:
        if self.protocol == "icmp":
            return f"icmp {self.src.address} -> {self.dst.address}"
        sport = f":{self.src_port}" if self.src_port else ""
        return f"{self.protocol} {self.src.address}{sport} -> {self.dst.address}:{self.dst_port}"


def chain(sender: Host, receiver: Host) -> str:
    """The ACL and hook a packet from sender to receiver crosses on the router."""
    if sender.side in NO_ACL:
        return NO_ACL[sender.side]
    hook = "input" if receiver.side == "router" else "forward"
    return f"{SIDE_ACL[sender.side]} ({hook})"


def label(flow: FlowLike) -> str:
    """A flow's name with what tells it from a row's other flows: protocol, destination, ports."""
    ports = flow.dst_ports
    span = (
        "" if ports is None else f":{ports[0]}" + (f"-{ports[1]}" if ports[1] != ports[0] else "")
    )
    return f"{flow.name} ({flow.protocol} {flow.src} -> {flow.dst}{span})"


@dataclass
class SampleResult:
    sample: Sample
    seen: Seen
    one_way: bool = False

    @property
    def ok(self) -> bool:
        return self.seen.arrived and (self.seen.returned or self.one_way)

    @property
    def direction(self) -> str:
        return "" if self.ok else ("reply" if self.seen.arrived else "request")

    @property
    def chain(self) -> str:
        s = self.sample
        if self.ok:
            return ""
        return chain(s.dst, s.src) if self.seen.arrived else chain(s.src, s.dst)

    def text(self) -> str:
        if self.ok:
            return self.sample.text()
        note = f"; {self.seen.note}" if self.seen.note else ""
        return f"{self.direction} dropped at {self.chain}: {self.sample.text()}{note}"


@dataclass
class FlowResult:
    name: str
    purpose: str
    samples: list[SampleResult] = field(default_factory=list)
    unplaced: str = ""  # why the lab could not place the flow (no host in src or dst)

    @property
    def ok(self) -> bool:
        return not self.unplaced and all(s.ok for s in self.samples)

    @property
    def failures(self) -> list[SampleResult]:
        return [s for s in self.samples if not s.ok]

    def detail(self) -> str:
        if self.unplaced:
            return f"not tested: {self.unplaced}"
        bad = self.failures
        if not bad:
            ways = "one way" if all(s.one_way for s in self.samples) else "both ways"
            return f"passed {ways} ({len(self.samples)} samples): " + "; ".join(
                s.text() for s in self.samples
            )
        first = bad[0]
        return (
            f"{first.direction} dropped at {first.chain} ({len(bad)} of {len(self.samples)} "
            "samples): " + "; ".join(s.text() for s in bad)
        )


@dataclass
class DropResult:
    chain: str
    sample: Sample
    seen: Seen

    @property
    def ok(self) -> bool:
        return not self.seen.arrived

    def text(self) -> str:
        verdict = "dropped" if self.ok else "PASSED, though no row allows it"
        return f"{self.sample.text()} {verdict}"


@dataclass
class FlowReport:
    flows: list[FlowResult] = field(default_factory=list)
    drops: list[DropResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.flows) and all(d.ok for d in self.drops)


# --- placing flows on the lab's hosts --------------------------------------------------------


def _net(text: str) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(text, strict=False)


def inside(hosts: Iterable[Host], network: str) -> list[Host]:
    """Hosts in a network, the router's own addresses last (a flow from a VLAN means its hosts,
    unless the network is the router's address)."""
    net = _net(network)
    found = [h for h in hosts if ipaddress.IPv4Address(h.address) in net]
    return sorted(found, key=lambda h: (h.side == "router", ipaddress.IPv4Address(h.address)))


def place(flow: FlowLike, hosts: Sequence[Host]) -> tuple[Host, Host] | str:
    """A source and a destination host for a flow, on different sides of the router."""
    sources = inside(hosts, flow.src)
    if not sources:
        return f"the lab has no host in {flow.src}"
    for src in sources:
        for dst in inside(hosts, flow.dst):
            if dst.ns != src.ns:
                return src, dst
    return f"the lab has no host in {flow.dst} across the router from {flow.src}"


def port_samples(ports: tuple[int, int] | None, seed: str) -> list[int]:
    """First, last and one random port inside (deterministic per seed); [0] for none."""
    if ports is None:
        return [0]
    first, last = ports
    inner = random.Random(seed).randint(first, last)
    return list(dict.fromkeys((first, last, inner)))


def samples(flow: FlowLike, src: Host, dst: Host) -> list[Sample]:
    if flow.protocol == "icmp":
        return [Sample("icmp", src, dst, 0, 0)]
    dports = port_samples(flow.dst_ports, f"{flow.name}/dst")
    sports = port_samples(flow.src_ports, f"{flow.name}/src")
    count = max(len(dports), len(sports))
    return [
        Sample(flow.protocol, src, dst, sports[i % len(sports)], dports[i % len(dports)])
        for i in range(count)
    ]


def _covers(ports: tuple[int, int] | None, port: int) -> bool:
    return ports is None or ports[0] <= port <= ports[1]


def allowed(flows: Iterable[FlowLike], s: Sample) -> bool:
    """Whether a row allows this sample as a request, or as the reply of its request."""
    src, dst = ipaddress.IPv4Address(s.src.address), ipaddress.IPv4Address(s.dst.address)
    for f in flows:
        if f.protocol != s.protocol:
            continue
        if (
            src in _net(f.src)
            and dst in _net(f.dst)
            and _covers(f.dst_ports, s.dst_port)
            and _covers(f.src_ports, s.src_port)
        ):
            return True
        if (
            dst in _net(f.src)
            and src in _net(f.dst)
            and _covers(f.dst_ports, s.src_port)
            and _covers(f.src_ports, s.dst_port)
        ):
            return True
    return False


def drop_samples(
    flows: Sequence[FlowLike], pairs: Sequence[tuple[Host, Host]]
) -> list[tuple[str, Sample]]:
    """Per (sender, receiver) pair, a TCP and a UDP sample no row allows, with its chain."""
    out: list[tuple[str, Sample]] = []
    for src, dst in pairs:
        for protocol in ("tcp", "udp"):
            for sport in UNLISTED_PORTS:
                found = next(
                    (
                        Sample(protocol, src, dst, sport, dport)
                        for dport in UNLISTED_PORTS
                        if dport != sport
                        and not allowed(flows, Sample(protocol, src, dst, sport, dport))
                    ),
                    None,
                )
                if found is not None:
                    out.append((chain(src, dst), found))
                    break
    return out


# --- running ---------------------------------------------------------------------------------

Prober = Callable[[str, End, End, float], Seen]


def _ends(s: Sample) -> tuple[End, End]:
    return End(s.src.ns, s.src.address, s.src_port), End(s.dst.ns, s.dst.address, s.dst_port)


def _keys(s: Sample) -> set[tuple[str, str, str, int]]:
    """The sockets a probe binds: no two probes of one wave share one."""
    keys = {(s.dst.ns, s.protocol, s.dst.address, s.dst_port)}
    if s.src_port:
        keys.add((s.src.ns, s.protocol, s.src.address, s.src_port))
    return keys


def waves(todo: Sequence[Sample], size: int) -> list[list[int]]:
    """The samples' indexes in waves of at most `size` probes that bind no common socket."""
    out: list[list[int]] = []
    left = list(range(len(todo)))
    while left:
        wave: list[int] = []
        taken: set[tuple[str, str, str, int]] = set()
        for i in list(left):
            keys = _keys(todo[i])
            if len(wave) < size and not keys & taken:
                wave.append(i)
                taken |= keys
                left.remove(i)
        out.append(wave)
    return out


def run_all(todo: Sequence[Sample], prober: Prober, timeout: float, workers: int) -> list[Seen]:
    """Every sample probed, up to `workers` at a time (each thread enters its own namespaces),
    the results in the samples' order."""
    seen: list[Seen | None] = [None] * len(todo)
    with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        for wave in waves(todo, max(workers, 1)):
            futures = {
                i: pool.submit(prober, todo[i].protocol, *_ends(todo[i]), timeout) for i in wave
            }
            for i, future in futures.items():
                seen[i] = future.result()
    return [x for x in seen if x is not None]


def check_flows(
    flows: Sequence[FlowLike],
    hosts: Sequence[Host],
    drop_pairs: Sequence[tuple[Host, Host]],
    timeout: float = DEFAULT_TIMEOUT,
    prober: Prober = probe,
    workers: int = WORKERS,
) -> FlowReport:
    report = FlowReport()
    todo: list[Sample] = []
    owners: list[tuple[FlowResult, bool]] = []
    for flow in flows:
        result = FlowResult(label(flow), getattr(flow, "purpose", ""))
        one_way = not getattr(flow, "reply", True)
        report.flows.append(result)
        if flow.protocol not in PROTOCOLS:
            result.unplaced = f"protocol {flow.protocol!r} is not one the lab can send"
            continue
        placed = place(flow, hosts)
        if isinstance(placed, str):
            result.unplaced = placed
            continue
        for sample in samples(flow, *placed):
            todo.append(sample)
            owners.append((result, one_way))
    drops = drop_samples(flows, drop_pairs)
    results = run_all([*todo, *(s for _c, s in drops)], prober, timeout, workers)
    for (result, one_way), sample, seen in zip(owners, todo, results, strict=False):
        result.samples.append(SampleResult(sample, seen, one_way))
    for (name, sample), seen in zip(drops, results[len(todo) :], strict=True):
        report.drops.append(DropResult(name, sample, seen))
    return report
