"""Access-control entries in IOS terms, and a first-match evaluator of a list of them.

The templates render an ``Ace`` verbatim (``Ace.line()``); ``rollout validate`` asks the same
entries, in the same order, whether a packet passes (``permits``), so what is proved is what
the router is given. Port names are the ones IOS shows in its running configuration.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

IPv4Net = ipaddress.IPv4Network
Span = tuple[int, int]

# How IOS shows well-known ports in an extended ACL (it shows `eq 123` as `eq ntp`): public IOS
# lists write `eq snmp`, `eq snmptrap`, `eq syslog` (DISA Cisco router STIG, CISC-RT-000390,
# check text of SV-221099) and `eq ntp` (the pilot's lists before this table); port 53 is
# `domain` for both protocols (Cisco IOS Security Command Reference, permit (IP): TCP and UDP
# port names, "domain (53)"; public IOS lists write `permit udp any any eq domain`). Unnamed
# ports (22, 443, 1719, 1720, 5060...) are shown as numbers.
IOS_PORT_NAMES: dict[str, dict[int, str]] = {
    "udp": {53: "domain", 123: "ntp", 161: "snmp", 162: "snmptrap", 514: "syslog"},
    "tcp": {53: "domain"},
}
PORT_BY_NAME: dict[str, int] = {
    name: port for names in IOS_PORT_NAMES.values() for port, name in names.items()
}
# ICMP message types an entry may name (IOS keywords `echo`, `echo-reply`; RFC 792 types).
ICMP_TYPES: dict[str, int] = {"echo": 8, "echo-reply": 0}


@dataclass(frozen=True)
class Ace:
    """One access-control entry in IOS terms (rendered verbatim by the templates)."""

    action: str
    protocol: str
    source: str
    destination: str
    port: str = ""
    extra: str = ""

    def line(self) -> str:
        parts = [self.action, self.protocol, self.source, self.destination, self.port, self.extra]
        return " ".join(p for p in parts if p)


def parse_ace(line: str) -> Ace:
    """An entry read back from a rendered or running list ('permit udp host A eq ntp any')."""
    words = line.split()
    if len(words) < 3 or words[0] not in ("permit", "deny"):
        raise ValueError(f"not an extended access-list entry: {line!r}")
    return Ace(words[0], words[1], " ".join(words[2:]), "")


def extended_acls(config: str) -> dict[str, list[Ace]]:
    """The extended access lists of an IOS configuration, entries in order (remarks left out)."""
    acls: dict[str, list[Ace]] = {}
    current: list[Ace] | None = None
    for line in config.splitlines():
        if line.startswith("ip access-list extended "):
            current = acls.setdefault(line.split()[3], [])
        elif (
            current is not None
            and line.startswith(" ")
            and line.split()[0]
            in (
                "permit",
                "deny",
            )
        ):
            current.append(parse_ace(line.strip()))
        elif not line.startswith(" "):
            current = None
    return acls


@functools.lru_cache(maxsize=1 << 16)
def ios_net(net: str | IPv4Net) -> str:
    """An IOS ACL operand: 'host A', 'any' or 'A wildcard' (cached: a fleet repeats them)."""
    n = IPv4Net(net)
    if n.prefixlen == 32:
        return f"host {n.network_address}"
    if n.prefixlen == 0:
        return "any"
    return f"{n.network_address} {n.hostmask}"


def ios_span(protocol: str, span: Span) -> str:
    """A port operand: 'eq ntp', 'eq 1720' or 'range 3230 3329'."""
    first, last = span
    if first == last:
        return f"eq {IOS_PORT_NAMES.get(protocol, {}).get(first, first)}"
    return f"range {first} {last}"


# --- evaluation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Packet:
    """One representative packet: enough of its header for an extended ACL to decide."""

    protocol: Literal["tcp", "udp", "icmp"]
    src: ipaddress.IPv4Address
    dst: ipaddress.IPv4Address
    sport: int = 0
    dport: int = 0
    ack: bool = False  # a TCP segment of an open connection (what `established` matches)
    icmp_type: int | None = None

    def describe(self) -> str:
        if self.protocol == "icmp":
            kind = {v: k for k, v in ICMP_TYPES.items()}.get(self.icmp_type or 0, "icmp")
            return f"icmp {kind} {self.src} -> {self.dst}"
        flags = " (ack)" if self.ack else ""
        return f"{self.protocol} {self.src}:{self.sport} -> {self.dst}:{self.dport}{flags}"


@dataclass(frozen=True)
class _Match:
    permit: bool
    protocol: str
    src: Span  # first and last address, as integers
    sport: Span | None
    dst: Span
    dport: Span | None
    established: bool
    icmp_type: int | None

    def matches(self, p: Packet, src: int, dst: int) -> bool:
        if self.protocol not in ("ip", p.protocol):
            return False
        if not (self.src[0] <= src <= self.src[1] and self.dst[0] <= dst <= self.dst[1]):
            return False
        if self.sport is not None and not self.sport[0] <= p.sport <= self.sport[1]:
            return False
        if self.dport is not None and not self.dport[0] <= p.dport <= self.dport[1]:
            return False
        if self.established and not p.ack:
            return False
        return self.icmp_type is None or self.icmp_type == p.icmp_type


def _span(net: IPv4Net) -> Span:
    return int(net.network_address), int(net.broadcast_address)


def _operand(tokens: list[str]) -> tuple[IPv4Net, list[str]]:
    if tokens[0] == "any":
        return IPv4Net("0.0.0.0/0"), tokens[1:]
    if tokens[0] == "host":
        return IPv4Net(f"{tokens[1]}/32"), tokens[2:]
    return IPv4Net(f"{tokens[0]}/{tokens[1]}"), tokens[2:]


def _port_value(word: str) -> int:
    return int(word) if word.isdigit() else PORT_BY_NAME[word]


def _ports(tokens: list[str]) -> tuple[Span | None, list[str]]:
    if tokens and tokens[0] == "eq":
        port = _port_value(tokens[1])
        return (port, port), tokens[2:]
    if tokens and tokens[0] == "range":
        return (_port_value(tokens[1]), _port_value(tokens[2])), tokens[3:]
    return None, tokens


@functools.lru_cache(maxsize=1 << 14)
def _compile(ace: Ace) -> _Match:
    tokens = " ".join(p for p in (ace.source, ace.destination, ace.port, ace.extra) if p).split()
    src, tokens = _operand(tokens)
    sport, tokens = _ports(tokens)
    dst, tokens = _operand(tokens)
    dport, tokens = _ports(tokens)
    icmp = next((ICMP_TYPES[t] for t in tokens if t in ICMP_TYPES), None)
    return _Match(
        ace.action == "permit",
        ace.protocol,
        _span(src),
        sport,
        _span(dst),
        dport,
        "established" in tokens,
        icmp,
    )


@dataclass(frozen=True)
class CompiledAcl:
    """A list read once, to evaluate many packets against it."""

    aces: tuple[Ace, ...]
    matches: tuple[_Match, ...]

    def first_match(self, packet: Packet) -> int | None:
        src, dst = int(packet.src), int(packet.dst)
        return next((i for i, m in enumerate(self.matches) if m.matches(packet, src, dst)), None)

    def permits(self, packet: Packet) -> bool:
        index = self.first_match(packet)
        return index is not None and self.matches[index].permit


def compile_acl(aces: Sequence[Ace]) -> CompiledAcl:
    return CompiledAcl(tuple(aces), tuple(_compile(a) for a in aces))


def first_match(aces: Sequence[Ace], packet: Packet) -> Ace | None:
    """The entry that decides the packet (first match), or None: the implicit deny."""
    compiled = compile_acl(aces)
    index = compiled.first_match(packet)
    return None if index is None else compiled.aces[index]


def permits(aces: Sequence[Ace] | CompiledAcl, packet: Packet) -> bool:
    """Whether the list lets the packet through (first match; no match is the implicit deny)."""
    compiled = aces if isinstance(aces, CompiledAcl) else compile_acl(aces)
    return compiled.permits(packet)
