"""Network conditions the lab imposes on a simulated device, as data.

A condition changes what the device's own commands print (``show interfaces``, ``show
policy-map interface``, ``show logging``, ``ping``, ``show access-lists``, ``show ip sla
statistics``; a codec's registration), never its SSH session: session faults are
`rollout.lab.faults`. Like a fault, a condition is a small frozen dataclass whose JSON form
is an object with a ``kind`` key and its fields, e.g.
``{"kind": "port_errors", "interface": "GigabitEthernet1/0/1", "crc_per_second": 5}``.

A device holds at most one condition per key: the kind, plus the interface for the kinds
that name one (two interfaces can have errors at once).

Kinds (IOS router or switch unless said otherwise):

``port_errors`` {interface, crc_per_second}
    Frames arrive damaged: CRC and input errors grow by ``crc_per_second``.
``duplex_mismatch`` {interface}
    The far end is hard-set to full duplex; this port failed to negotiate and runs
    ``Half-duplex, 100Mb/s``: collisions, late collisions, deferred and runts grow.
``link_flaps`` {interface, count, seconds}
    The link goes down and up ``count`` times over the next ``seconds``: ``%LINK-3-UPDOWN``
    and ``%LINEPROTO-5-UPDOWN`` messages in ``show logging``, lost carrier and interface
    resets in ``show interfaces``.
``load`` {interface, offered, contract_kbps}
    Traffic offered to the WAN ``interface`` in kbit/s per DSCP name (``ef``, ``af41``,
    ``cs3``, ``default``, ...); the attached output policy (shaper, priority, bandwidth)
    decides what is sent and what is dropped; the provider polices what is sent to
    ``contract_kbps`` (0: no policer).
``provider_drops`` {contract_kbps}
    The provider polices the access below what it sold: overrides the load's contract.
``unreachable`` {prefixes}
    Nothing answers in these prefixes (``ping`` prints dots, IP SLA operations time out);
    a prefix holding a route's next hop makes the whole route unreachable.
``media`` {flows}
    Calls in progress: flows (see :class:`Flow`) crossing the device, counted by the ACL
    lines and input policy classes they meet.
``bleach`` {sources}
    DSCP of packets from these source prefixes arrives as 0 (the provider re-marks):
    set on the hub router, it shows in the hub's input counters.
``registrar_down`` {} (codec)
    The codec's gatekeeper and SIP registrar stop answering: it loses its registration.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeAlias

from rollout.lab.faults import FaultSpecError

DSCP_VALUES: dict[str, int] = {
    "default": 0,
    "cs1": 8,
    "af11": 10,
    "af12": 12,
    "af13": 14,
    "cs2": 16,
    "af21": 18,
    "af22": 20,
    "af23": 22,
    "cs3": 24,
    "af31": 26,
    "af32": 28,
    "af33": 30,
    "cs4": 32,
    "af41": 34,
    "af42": 36,
    "af43": 38,
    "cs5": 40,
    "ef": 46,
    "cs6": 48,
    "cs7": 56,
}
"""DSCP names as IOS spells them in ``match dscp`` (RFC 2474, 2597, 3246; Cisco IOS QoS
Command Reference, "match dscp")."""


def _bad(kind: str, message: str) -> FaultSpecError:
    return FaultSpecError(f"{kind}: {message}")


def _check_interface(kind: str, name: str) -> None:
    if not name or not name[0].isalpha() or " " in name:
        raise _bad(kind, f"interface must be a full name like GigabitEthernet0/0/0, not {name!r}")


def _check_prefix(kind: str, text: str) -> None:
    try:
        ipaddress.IPv4Network(text, strict=False)
    except ValueError as exc:
        raise _bad(kind, f"{text!r} is not an IPv4 prefix ({exc})") from exc


@dataclass(frozen=True, slots=True)
class PortErrors:
    kind: ClassVar[str] = "port_errors"
    interface: str
    crc_per_second: float = 5.0

    def __post_init__(self) -> None:
        _check_interface(self.kind, self.interface)
        if not 0 < self.crc_per_second <= 100000:
            raise _bad(self.kind, "crc_per_second must be within 0..100000 (not 0)")


@dataclass(frozen=True, slots=True)
class DuplexMismatch:
    kind: ClassVar[str] = "duplex_mismatch"
    interface: str

    def __post_init__(self) -> None:
        _check_interface(self.kind, self.interface)


@dataclass(frozen=True, slots=True)
class LinkFlaps:
    kind: ClassVar[str] = "link_flaps"
    interface: str
    count: int = 3
    seconds: float = 30.0

    def __post_init__(self) -> None:
        _check_interface(self.kind, self.interface)
        if not 1 <= self.count <= 1000:
            raise _bad(self.kind, "count must be within 1..1000")
        if not 1 <= self.seconds <= 86400:
            raise _bad(self.kind, "seconds must be within 1..86400")


@dataclass(frozen=True, slots=True)
class Load:
    kind: ClassVar[str] = "load"
    interface: str
    offered: Mapping[str, float] = field(default_factory=dict)
    contract_kbps: int = 0

    def __post_init__(self) -> None:
        _check_interface(self.kind, self.interface)
        for name, kbps in self.offered.items():
            if name not in DSCP_VALUES:
                raise _bad(self.kind, f"unknown DSCP {name!r}; use one of {', '.join(DSCP_VALUES)}")
            if not 0 <= kbps <= 10_000_000:
                raise _bad(self.kind, f"offered {name} must be within 0..10000000 kbit/s")
        if not 0 <= self.contract_kbps <= 10_000_000:
            raise _bad(self.kind, "contract_kbps must be within 0..10000000 (0: no policer)")


@dataclass(frozen=True, slots=True)
class ProviderDrops:
    kind: ClassVar[str] = "provider_drops"
    contract_kbps: int

    def __post_init__(self) -> None:
        if not 1 <= self.contract_kbps <= 10_000_000:
            raise _bad(self.kind, "contract_kbps must be within 1..10000000")


@dataclass(frozen=True, slots=True)
class Unreachable:
    kind: ClassVar[str] = "unreachable"
    prefixes: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.prefixes:
            raise _bad(self.kind, "give at least one prefix")
        for p in self.prefixes:
            _check_prefix(self.kind, p)


@dataclass(frozen=True, slots=True)
class Flow:
    """One direction of a call's traffic: what an ACL line or a class map looks at."""

    proto: str
    src: str
    sport: int
    dst: str
    dport: int
    dscp: int
    kbps: float
    packet_bytes: int = 1000

    def __post_init__(self) -> None:
        if self.proto not in ("udp", "tcp", "icmp"):
            raise _bad("media", f"flow proto must be udp, tcp or icmp, not {self.proto!r}")
        for a in (self.src, self.dst):
            _check_prefix("media", a)
        if not (0 <= self.sport <= 65535 and 0 <= self.dport <= 65535):
            raise _bad("media", "flow ports must be within 0..65535")
        if not 0 <= self.dscp <= 63 or not 0 < self.kbps <= 10_000_000:
            raise _bad("media", "flow dscp must be 0..63 and kbps > 0")
        if not 64 <= self.packet_bytes <= 9000:
            raise _bad("media", "flow packet_bytes must be within 64..9000")


@dataclass(frozen=True, slots=True)
class Media:
    kind: ClassVar[str] = "media"
    flows: tuple[Flow, ...]

    def __post_init__(self) -> None:
        if not self.flows:
            raise _bad(self.kind, "give at least one flow")


@dataclass(frozen=True, slots=True)
class Bleach:
    kind: ClassVar[str] = "bleach"
    sources: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.sources:
            raise _bad(self.kind, "give at least one source prefix")
        for p in self.sources:
            _check_prefix(self.kind, p)


@dataclass(frozen=True, slots=True)
class RegistrarDown:
    kind: ClassVar[str] = "registrar_down"


Condition: TypeAlias = (
    PortErrors
    | DuplexMismatch
    | LinkFlaps
    | Load
    | ProviderDrops
    | Unreachable
    | Media
    | Bleach
    | RegistrarDown
)
CONDITION_KINDS: dict[str, type[Condition]] = {
    c.kind: c
    for c in (
        PortErrors,
        DuplexMismatch,
        LinkFlaps,
        Load,
        ProviderDrops,
        Unreachable,
        Media,
        Bleach,
        RegistrarDown,
    )
}
"""Condition classes by their JSON ``kind``."""


def condition_key(cond: Condition) -> str:
    """What a new condition replaces: its kind, with the interface for per-port kinds."""
    interface = getattr(cond, "interface", None)
    return f"{cond.kind}:{interface}" if interface and cond.kind != "load" else cond.kind


_SCALARS: dict[str, tuple[type, ...]] = {
    "interface": (str,),
    "crc_per_second": (int, float),
    "count": (int,),
    "seconds": (int, float),
    "contract_kbps": (int,),
}


def parse_condition(data: Mapping[str, Any]) -> Condition:
    """Build a condition from its JSON form; :class:`FaultSpecError` names what is wrong."""
    if not isinstance(data, Mapping):
        raise FaultSpecError(f"a condition must be a JSON object with a 'kind', not {data!r}")
    kind = data.get("kind")
    cls = CONDITION_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise FaultSpecError(
            f"unknown condition kind {kind!r}; use one of: {', '.join(CONDITION_KINDS)}"
        )
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields) - {"kind"})
    if unknown:
        raise FaultSpecError(
            f"{kind}: unknown field(s) {', '.join(unknown)}; accepted: {', '.join(fields) or '-'}"
        )
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        if name not in data:
            no_default = f.default is dataclasses.MISSING
            if no_default and f.default_factory is dataclasses.MISSING:
                raise FaultSpecError(f"{kind}: missing field {name!r}")
            continue
        kwargs[name] = _field(str(kind), name, data[name])
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise FaultSpecError(f"{kind}: {exc}") from exc


def _field(kind: str, name: str, value: Any) -> Any:
    if name in _SCALARS:
        if isinstance(value, bool) or not isinstance(value, _SCALARS[name]):
            raise FaultSpecError(f"{kind}: field {name!r} has the wrong type: {value!r}")
        number: Any = value
        return float(number) if name in ("crc_per_second", "seconds") else value
    if name == "offered":
        if not isinstance(value, Mapping) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()
        ):
            raise FaultSpecError(f"{kind}: 'offered' must map DSCP names to kbit/s")
        return {str(k): float(v) for k, v in dict[Any, Any](value).items()}
    if name in ("prefixes", "sources"):
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise FaultSpecError(f"{kind}: {name!r} must be a list of prefixes")
        return tuple(value)
    if name == "flows":
        if not isinstance(value, list | tuple) or not all(isinstance(v, Mapping) for v in value):
            raise FaultSpecError(f"{kind}: 'flows' must be a list of objects")
        try:
            return tuple(Flow(**dict(v)) for v in value)
        except TypeError as exc:
            raise FaultSpecError(f"{kind}: bad flow ({exc})") from exc
    raise FaultSpecError(f"{kind}: field {name!r} is not supported")


def condition_to_json(cond: Condition) -> dict[str, Any]:
    """The JSON form (inverse of :func:`parse_condition`)."""
    out: dict[str, Any] = {"kind": cond.kind}
    for f in dataclasses.fields(cond):
        value = getattr(cond, f.name)
        if f.name == "flows":
            value = [dataclasses.asdict(x) for x in value]
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Mapping):
            value = dict(value)
        out[f.name] = value
    return out
