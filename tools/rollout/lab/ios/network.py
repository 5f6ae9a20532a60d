"""The lab's network as one IOS device lives it: conditions, counters over time, paths.

Counters are integrated from the rates of :mod:`rollout.lab.ios.traffic` on the device's
clock: whenever they are read or a condition changes, each counter grows by its rate times
the time since the last reading, then the rates are computed again from the running config
and the conditions (so a QoS policy removed by hand changes the next interval). Link flaps
are a schedule of events, read back as the port's state, its lost-carrier and reset
counters and the log messages (rollout.lab.ios.show_logging).
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from rollout.lab.conditions import Condition, LinkFlaps, Unreachable, condition_key
from rollout.lab.ios.config import ConfigTree
from rollout.lab.ios.paths import egress, owns, static_routes
from rollout.lab.ios.traffic import Traffic, compute

NEXT_HOP_RTT_MS = 1
BEYOND_RTT_MS = 12
"""Round trip to the provider's next hop and to the hub on a clean path (lab figures; the
hub figure is the clean IP SLA result, rollout.lab.ios.state.SlaResult)."""


@dataclass(frozen=True, slots=True)
class PathQuality:
    """What `rollout lab impair` did to the path: on the ``access`` link (the next hop and
    everything beyond it) or in the ``backbone`` (only beyond the next hop)."""

    segment: str
    rtt_ms: int
    jitter_ms: int
    loss_percent: float
    timeout: bool = False


@dataclass(frozen=True, slots=True)
class FlapEvent:
    at: datetime
    interface: str
    facility: str
    """``LINK`` or ``LINEPROTO``."""
    up: bool


@dataclass(frozen=True, slots=True)
class Reach:
    """What a probe to one address meets."""

    reachable: bool
    loss_percent: float
    rtt_ms: int
    jitter_ms: int
    interface: str | None


@dataclass(frozen=True, slots=True)
class Sample:
    at: datetime
    values: dict[str, float]
    traffic: Traffic


class NetworkModel:
    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self.lock = threading.RLock()
        self.conditions: dict[str, Condition] = {}
        self.flaps: list[tuple[datetime, LinkFlaps, datetime | None]] = []
        self.path: PathQuality | None = None
        self.cabled: frozenset[str] | None = None
        """Ports with a cable (the lab's spec); None: a port is cabled when its config uses
        it (a description, an address, a switchport mode)."""
        self.cleared: dict[str, datetime] = {}
        """When ``clear counters`` last zeroed an interface's counters."""
        self.log_cleared: datetime | None = None
        self._downs_seen: dict[str, int] = {}
        self._values: dict[str, float] = {}
        self._rates: dict[str, float] = {}
        self._last: datetime | None = None
        self._debt = 0.0

    # ---------------------------------------------------------------- conditions

    def set(self, tree: ConfigTree, cond: Condition) -> None:
        with self.lock:
            self.sample(tree)
            key = condition_key(cond)
            if isinstance(cond, LinkFlaps):
                self._end_flaps(cond.interface)
                self.flaps.append((self.now(), cond, None))
            self.conditions[key] = cond
            self.sample(tree)

    def clear(self, tree: ConfigTree, kind: str | None = None) -> list[str]:
        """Remove the conditions of ``kind`` (all when None); returns the keys removed."""
        with self.lock:
            self.sample(tree)
            gone = [k for k in self.conditions if kind is None or k.split(":")[0] == kind]
            for key in gone:
                cond = self.conditions.pop(key)
                if isinstance(cond, LinkFlaps):
                    self._end_flaps(cond.interface)
            self.sample(tree)
            return gone

    def _end_flaps(self, interface: str) -> None:
        now = self.now()
        self.flaps = [
            (t0, c, end if end is not None or c.interface != interface else now)
            for t0, c, end in self.flaps
        ]

    # ---------------------------------------------------------------- counters

    def sample(self, tree: ConfigTree) -> Sample:
        """Advance every counter to now and return them with the current traffic."""
        with self.lock:
            now = self.now()
            if self._last is not None:
                dt = max((now - self._last).total_seconds(), 0.0)
                for key, rate in self._rates.items():
                    self._values[key] = self._values.get(key, 0.0) + rate * dt
            self._last = now
            traffic = compute(tree, list(self.conditions.values()), self.cabled)
            self._rates = dict(traffic.rates)
            return Sample(now, dict(self._values), traffic)

    def clear_counters(self, tree: ConfigTree, names: list[str]) -> None:
        """``clear counters``: zero the interfaces' counters (link losses included)."""
        with self.lock:
            self.sample(tree)
            now = self.now()
            for name in names:
                for key in [k for k in self._values if k.startswith(f"if:{name}:")]:
                    self._values[key] = 0.0
                self.cleared[name] = now
                self._downs_seen[name] = self._downs(name)

    def clear_log(self) -> None:
        """``clear logging``: the buffer starts empty again."""
        with self.lock:
            self.log_cleared = self.now()

    # ---------------------------------------------------------------- link flaps

    def flap_events(self, until: datetime | None = None) -> list[FlapEvent]:
        """Every link event of the flap schedules up to ``until`` (now), oldest first."""
        until = until or self.now()
        out: list[FlapEvent] = []
        for t0, cond, end in self.flaps:
            period = cond.seconds / cond.count
            down_for = min(period / 2, 3.0)
            lag = min(1.0, down_for / 4)
            for i in range(cond.count):
                start = t0 + timedelta(seconds=period * i + min(0.2 * period, 1.0))
                if end is not None and start > end:
                    break
                back = start + timedelta(seconds=down_for)
                for at, fac, up in (
                    (start, "LINK", False),
                    (start + timedelta(seconds=lag), "LINEPROTO", False),
                    (back, "LINK", True),
                    (back + timedelta(seconds=lag), "LINEPROTO", True),
                ):
                    if at <= until:
                        out.append(FlapEvent(at, cond.interface, fac, up))
        return sorted(out, key=lambda e: e.at)

    def link_state(self, interface: str) -> tuple[bool, bool, int]:
        """(link up, line protocol up, link losses since the counters were cleared) of
        ``interface`` now."""
        link = proto = True
        for e in self.flap_events():
            if e.interface != interface:
                continue
            if e.facility == "LINK":
                link = e.up
            else:
                proto = e.up
        return link, proto, self._downs(interface) - self._downs_seen.get(interface, 0)

    def _downs(self, interface: str) -> int:
        return sum(
            1
            for e in self.flap_events()
            if e.interface == interface and e.facility == "LINK" and not e.up
        )

    # ---------------------------------------------------------------- paths

    def reach(
        self, tree: ConfigTree, address: str, dscp: int = 0, *, with_path: bool = True
    ) -> Reach:
        """What a ping or an IP SLA probe to ``address`` meets on the lab's network;
        ``with_path=False`` leaves the impairment out (IP SLA results carry it already)."""
        with self.lock:
            if owns(tree, address):
                return Reach(True, 0.0, 1, 0, owns(tree, address))
            out = egress(tree, address)
            if out.interface is None:
                return Reach(False, 100.0, 0, 0, None)
            traffic = self.sample(tree).traffic
            link, proto, _downs = self.link_state(out.interface.split(".")[0])
            info = traffic.ports.get(out.interface.split(".")[0]) or traffic.ports.get(
                out.interface
            )
            blocked = self._blocked(address) or (out.next_hop and self._blocked(out.next_hop))
            if not (link and proto) or blocked or (info is not None and info.shutdown):
                return Reach(False, 100.0, 0, 0, out.interface)
            wan = traffic.wan or self._wan(tree)
            rtt = NEXT_HOP_RTT_MS if out.connected else BEYOND_RTT_MS
            jitter = 0
            keep = 1.0
            if out.interface == wan:
                keep *= 1 - traffic.provider_loss / 100
                keep *= 1 - traffic.class_loss.get(dscp, 0.0) / 100
                p = self.path if with_path else None
                if p is not None and (p.segment == "access" or not out.connected):
                    if p.timeout:
                        return Reach(False, 100.0, 0, 0, out.interface)
                    keep *= 1 - p.loss_percent / 100
                    rtt = rtt + p.rtt_ms if out.connected else max(p.rtt_ms, rtt)
                    jitter = p.jitter_ms
            return Reach(True, round(100 * (1 - keep), 3), rtt, jitter, out.interface)

    def _blocked(self, address: str) -> bool:
        ip = ipaddress.IPv4Address(address)
        return any(
            ip in ipaddress.IPv4Network(p, strict=False)
            for c in self.conditions.values()
            if isinstance(c, Unreachable)
            for p in c.prefixes
        )

    @staticmethod
    def _wan(tree: ConfigTree) -> str | None:
        """The interface of the static routes' next hops (the provider side)."""
        for _net, hop in static_routes(tree):
            via = egress(tree, hop).interface
            if via is not None:
                return via
        return None

    def lose(self, loss_percent: float) -> bool:
        """Whether the next probe packet is lost, spreading losses evenly over time."""
        with self.lock:
            self._debt += loss_percent / 100
            if self._debt >= 1 - 1e-9:
                self._debt -= 1
                return True
            return False
