"""The Cisco IOS collector (WAN router and LAN switch): read-only show commands and pings over
one session, mapped into `Fact`s (rollout.diagnose.ios_facts), plus the configuration drift
through the drift engine when the check is not light.

Interface counters are read twice, at least `MIN_INTERVAL` seconds apart, so the rules judge
what is increasing now rather than what accumulated since the counters were last cleared.
A command the device does not know (``% Invalid input``) gives no fact; a lost session is the
device's failure (`DeviceError`).
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from rollout.diagnose import ios_facts
from rollout.diagnose.context import CollectContext
from rollout.diagnose.model import FULL, Fact, Segment
from rollout.drivers.session import open_session, session_lost
from rollout.inventory.model import Role
from rollout.targets import Managed

MIN_INTERVAL = 3.0
"""Seconds between the two readings of the interface counters: long enough for a port with a
duplex mismatch under a call's load (hundreds of packets a second) to count new errors."""
PING_REPEAT = 20
"""Echoes per probe: 20 resolve 5 % loss; the next hop and the hub use them."""
SERVICE_REPEAT = 5
"""Echoes to the hub's services (up or down is what matters there)."""
PING_TIMEOUT = 1
"""Seconds to wait for each echo (IOS's default is 2)."""
REJECTED = ("% Invalid", "% Incomplete", "% Ambiguous", "% Unknown command")


class IosReader:
    """One session; each command's output, or '' when the device does not know the command."""

    def __init__(self, m: Managed) -> None:
        self.m = m
        self.conn: Any = open_session(m.target, "cisco_ios")

    def close(self) -> None:
        with contextlib.suppress(OSError, EOFError):
            self.conn.disconnect()

    def __call__(self, command: str, timeout: float | None = None) -> str:
        from netmiko.exceptions import NetmikoBaseException

        try:
            out: str = self.conn.send_command(
                command, read_timeout=timeout or 3 * self.m.target.timeout
            )
        except (NetmikoBaseException, OSError, EOFError) as exc:
            raise session_lost(self.m.device.hostname, "diagnose", exc) from None
        return "" if any(r in out for r in REJECTED) else out


def ping_command(address: str, repeat: int, source: str = "") -> str:
    """``ping ADDRESS repeat N [source IF] timeout S``, the options in the order of Cisco's
    syntax (``ping [protocol] destination [repeat count] [size bytes] [source interface]
    [timeout seconds]``: Cisco IOS Configuration Fundamentals Command Reference, ping,
    https://www.cisco.com/c/en/us/td/docs/ios-xml/ios/fundamentals/command/cf_command_ref/n_through_r.html)."""
    tail = f" source {source}" if source else ""
    return f"ping {address} repeat {repeat}{tail} timeout {PING_TIMEOUT}"


def _probes(ctx: CollectContext, read: IosReader, device: str) -> list[Fact]:
    """Reach of the next hop, the hub and its services, the cloud (FULL: they send traffic)."""
    out: list[Fact] = []
    probes = ctx.expect.probes
    order = ("next_hop", "hub", "mcu", "registrar", "cloud")
    for what in order:
        address = probes.get(what)
        if not address:
            continue
        repeat = PING_REPEAT if what in ("next_hop", "hub") else SERVICE_REPEAT
        # The next hop answers from the link; the rest see the router's loopback (routed back
        # to the site by the hub, as the IP SLA probes are: templates/cisco_ios/wan_router.j2).
        source = "" if what == "next_hop" else "Loopback0"
        wait = repeat * PING_TIMEOUT + 15
        text = read(ping_command(address, repeat, source), timeout=wait)
        if not text:  # a device that does not take the options: the plain form
            text = read(f"ping {address}", timeout=wait)
        fact = ios_facts.reach_fact(device, what, address, text)
        if fact is None:
            continue
        out.append(fact)
        if what == "next_hop" and fact.values.get("success_percent") == 0:
            break  # nothing beyond a dead access link answers: the link is the finding
    return out


def _drift(ctx: CollectContext, m: Managed) -> list[Fact]:
    """The device's drift through the drift engine (its own read session)."""
    from rollout.drift import ALLOW_FILE, AllowList, State, check_one, load_allow_list

    allow = AllowList()
    if ctx.root is not None and (ctx.root / ALLOW_FILE).exists():
        allow = load_allow_list(ctx.root / ALLOW_FILE)
    found = check_one(ctx.inv, ctx.secrets, m, allow, retries=0)
    if found.state is State.ERROR:
        ctx.notes.append(f"{m.device.hostname}: drift not read: {found.error}")
        return []
    lines = tuple(x.text for x in found.lines if x.allowed is None)
    return [ios_facts.drift_fact(m.device.hostname, lines)]


def collect(ctx: CollectContext, m: Managed) -> list[Fact]:
    """Everything `rollout diagnose` reads on an IOS router or switch."""
    x = ctx.expect
    device = m.device.hostname
    router = m.device.role is Role.WAN_ROUTER
    ports: dict[str, tuple[Segment, str]] = (
        {x.wan_interface: ("wan", "wan"), x.lan_interface: ("lan", "lan")}
        if router
        else {name: ("lan", role) for role, name in x.switch_ports.items()}
    )
    facts: list[Fact] = []
    read = IosReader(m)
    try:
        first = read("show interfaces")
        t0 = time.monotonic()
        if router:
            running = read(f"show running-config interface {x.wan_interface}")
            facts += ios_facts.service_policy_facts(device, x, running)
            policy = read(f"show policy-map interface {x.wan_interface}")
            facts += ios_facts.policy_facts(device, x, policy)
            if not any(f.check == "shaper" for f in facts):
                section = read("show running-config | section policy-map")
                facts += ios_facts.configured_shaper_facts(device, x, section)
            facts += ios_facts.sla_facts(device, x, read("show ip sla statistics"))
            facts += ios_facts.acl_facts(device, x, read("show access-lists"))
        log = read("show logging")
        clock = read("show clock")
        if router and not ctx.light:
            facts += _probes(ctx, read, device)
        wait = MIN_INTERVAL - (time.monotonic() - t0)
        if wait > 0:
            time.sleep(wait)
        second = read("show interfaces")
        interval = time.monotonic() - t0
        facts += ios_facts.interface_facts(device, ports, first, second, interval, log, clock)
    finally:
        read.close()
    if not ctx.light:
        facts += _drift(ctx, m)
    return facts


__all__ = ["FULL", "MIN_INTERVAL", "collect", "ping_command"]
