"""Faults the network lab imposes on a site with real packets (`rollout netlab fault`).

Each fault is what would happen on the province's network, done where it would happen:

=====================  =============================================================================
kind                   how, and in which namespace
=====================  =============================================================================
``loss``               the access link loses packets: nftables in ``rl-wan-<site>`` drops a share
                       (severity, percent) of what enters and leaves the provider's ``pe0`` (the
                       next-hop probe sees it, unlike loss further in the provider's network)
``jitter``             the provider's WAN element delays packets by severity ms (mean and
                       standard deviation) each way: its weather file, as a soak changes it
``qos-removed``        the router's tc HTB root on its WAN interface deleted by hand, and a flood
                       (severity x the contracted rate) from the codec's address through it
``provider-drops``     the provider's rate set to severity percent of the router's shaper (the
                       shaper above what the provider delivers), with a flood inside the shaper's
                       rate: the router's queues stay clean, the provider drops
``dscp-bleach``        nftables in ``rl-wan-<site>`` rewrites the DSCP of severity percent of the
                       packets it sends towards the hub to 0
``registrar-down``     nftables in the hub drops the registrar's SIP port (the host answers pings)
``mcu-unreachable``    nftables in the hub drops everything to the MCU's address
``media-blocked``      a rule added by hand at the top of the router's ``forward`` chain in
                       rollout's table dropping UDP to the codec's and the MCU's media ranges
                       (drift shows it: the chain has a rule the plan does not)
``link-flaps``         the router's WAN interface set down and up severity times (transient)
``cloud-unreachable``  nftables in the hub drops everything to the cloud-service stand-in
``healthy``            every fault of the site cleared
=====================  =============================================================================

A fault is written to ``faults.json`` in the lab's folder, with how to undo it, before it is
imposed; a flood is a process of the lab's ``state.json``. ``--clear`` undoes from the record;
``rollout netlab down`` removes the namespaces (their tables and qdiscs), the processes and the
files, so a crash in between leaves nothing behind.
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rollout.inventory.loader import Inventory
from rollout.netlab import ns as nsh
from rollout.netlab.build import start
from rollout.netlab.ns import NetlabError
from rollout.netlab.sip import SIP_PORT
from rollout.netlab.state import ROUTER_RUN, NetlabState, weather_file

FAULTS = "faults.json"
SIP_TLS_PORT = 5061  # the province's tls transport (inventory/province.yml, Polycom port table)
FLOOD_SECONDS = 7 * 24 * 3600  # a flood lasts until it is cleared
FLOOD_OFFSET = 32  # the fault's flood sends from codec_udp.first + 32 (verify's is + 30)


@dataclass(frozen=True)
class Kind:
    default: float
    unit: str
    hub_wide: bool = False  # one at a time in the lab: it acts on the hub, for every site


KINDS: dict[str, Kind] = {
    "loss": Kind(5.0, "percent lost each way on the access link"),
    "jitter": Kind(40.0, "ms of delay and jitter each way"),
    "qos-removed": Kind(1.5, "x the contracted rate flooded"),
    "provider-drops": Kind(70.0, "percent of the router's shaper the provider delivers"),
    "dscp-bleach": Kind(100.0, "percent of packets bleached"),
    "registrar-down": Kind(0.0, "", hub_wide=True),
    "mcu-unreachable": Kind(0.0, "", hub_wide=True),
    "media-blocked": Kind(0.0, ""),
    "link-flaps": Kind(3.0, "down/up cycles"),
    "cloud-unreachable": Kind(0.0, "", hub_wide=True),
    "healthy": Kind(0.0, ""),
}


@dataclass
class Step:
    """One undo command in a lab namespace; with ``match``, argv names a chain
    (family, table, chain) and the step deletes its rules whose text contains match."""

    ns: str
    argv: list[str]
    match: str = ""


@dataclass
class Fault:
    site: str
    kind: str
    severity: float
    detail: str = ""
    undo: list[Step] = field(default_factory=list)
    weather: dict[str, float | str] = field(default_factory=dict)  # keys to put back
    procs: list[str] = field(default_factory=list)  # names in state.processes
    transient: bool = False
    at: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def faults_file(state: NetlabState) -> Path:
    return Path(state.folder) / FAULTS


def active(state: NetlabState) -> list[Fault]:
    path = faults_file(state)
    if not path.is_file():
        return []
    out = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        undo = [Step(**s) for s in item.pop("undo", [])]
        out.append(Fault(**item, undo=undo))
    return out


def _save(state: NetlabState, faults: list[Fault]) -> None:
    path = faults_file(state)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps([f.as_dict() for f in faults], indent=2), encoding="utf-8")
    tmp.replace(path)


def _record(state: NetlabState, fault: Fault) -> None:
    """Write the fault (its undo as known so far) before the next change is made."""
    others = [f for f in active(state) if (f.site, f.kind) != (fault.site, fault.kind)]
    _save(state, [*others, fault])


def impose(
    inv: Inventory, state: NetlabState, slug: str, kind: str, severity: float | None = None
) -> Fault | None:
    """Impose a fault on a lab site (replacing one of the same kind); None for ``healthy``."""
    if slug not in state.sites:
        raise NetlabError(
            f"site {slug} is not in the network lab ({', '.join(state.sites)})",
            f"rollout netlab down; rollout netlab up {slug}",
        )
    if kind not in KINDS:
        raise NetlabError(f"no fault kind {kind!r}", f"use one of: {', '.join(KINDS)}")
    if kind == "healthy":
        clear(state, slug)
        return None
    spec = KINDS[kind]
    for old in active(state):
        if old.kind == kind and (old.site == slug or spec.hub_wide):
            _undo(state, old)
    value = spec.default if severity is None else severity
    if spec.unit and value <= 0:
        raise NetlabError(f"--severity of {kind} must be above 0 ({spec.unit})")
    fault = Fault(slug, kind, value, at=time.time())
    _record(state, fault)
    try:
        APPLY[kind](inv, state, fault)
    except BaseException:
        _undo(state, fault)
        raise
    _record(state, fault)
    return fault


def clear(state: NetlabState, slug: str | None = None, kind: str | None = None) -> list[Fault]:
    """Undo the faults of a site (every site: None), of one kind or all; what was undone."""
    if kind is not None and kind not in KINDS:
        raise NetlabError(f"no fault kind {kind!r}", f"use one of: {', '.join(KINDS)}")
    done = []
    for fault in active(state):
        if (slug is None or fault.site == slug) and (kind is None or fault.kind == kind):
            _undo(state, fault)
            done.append(fault)
    return done


def _undo(state: NetlabState, fault: Fault) -> None:
    for name in fault.procs:
        for proc in [p for p in state.processes if p.name == name]:
            if nsh.alive(proc.pid):
                nsh.kill(proc.pid)
            state.processes.remove(proc)
    state.save()
    for step in fault.undo:
        if step.match:
            _delete_rules(step)
        else:
            nsh.run(step.argv, ns=step.ns, check=False)
    if fault.weather:
        _change_weather(state, fault.site, fault.weather)
    _save(state, [f for f in active(state) if (f.site, f.kind) != (fault.site, fault.kind)])


# --- the pieces a fault is made of ---------------------------------------------------------------


def _table(state: NetlabState, fault: Fault, ns: str, chains: str) -> None:
    """An nftables table of the fault's own (family ip) in a lab namespace."""
    name = "rlfault_" + fault.kind.replace("-", "_")
    fault.undo.append(Step(ns, ["nft", "delete", "table", "ip", name]))
    _record(state, fault)
    nsh.run(["nft", "delete", "table", "ip", name], ns=ns, check=False)
    nsh.run(["nft", "-f", "-"], ns=ns, input=f"table ip {name} {{\n{chains}\n}}\n")


def _share(percent: float) -> str:
    """An nftables match on a random share of packets (numgen, nft(8) "NUMGEN EXPRESSION")."""
    if percent >= 100:
        return ""
    return f"numgen random mod 1000 < {max(1, round(percent * 10))} "


def _change_weather(state: NetlabState, slug: str, values: dict[str, float | str]) -> None:
    """Set keys of the site's weather file (the WAN element rereads it on change); the old values
    of the keys changed."""
    path = weather_file(state, slug)
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(values)
    tmp = path.with_suffix(".fault.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(path)


def _weather(state: NetlabState, fault: Fault, values: dict[str, float | str]) -> None:
    data = json.loads(weather_file(state, fault.site).read_text(encoding="utf-8"))
    fault.weather = {k: data.get(k, 0) for k in values}
    _record(state, fault)
    _change_weather(state, fault.site, values)


def _flood(state: NetlabState, fault: Fault, kbps: int) -> None:
    """Unmarked UDP from the codec's address to the hub's flood sink, until cleared."""
    site, hub = state.sites[fault.site], state.hub
    first, last = (int(x) for x in hub.get("codec_udp", "3230-3329").split("-"))
    sport = min(first + FLOOD_OFFSET, last)
    name = f"fault-flood-{fault.site}"
    fault.procs.append(name)
    _record(state, fault)
    start(
        state,
        name,
        state.names.lan(fault.site),
        [
            *(sys.executable, "-m", "rollout.netlab.probes", "flood"),
            f"{site.codec}:{sport}",
            f"{hub['mcu']}:{hub['sink_port']}",
            str(kbps),
            str(FLOOD_SECONDS),
        ],
    )


def _delete_rules(step: Step) -> None:
    family, table, chain = step.argv
    listing = nsh.run(["nft", "-a", "list", "chain", family, table, chain], ns=step.ns, check=False)
    for line in listing.splitlines():
        m = re.search(r"# handle (\d+)\s*$", line)
        if m and step.match in line:
            nsh.run(
                ["nft", "delete", "rule", family, table, chain, "handle", m.group(1)],
                ns=step.ns,
                check=False,
            )


# --- the kinds -------------------------------------------------------------------------------


def _loss(inv: Inventory, state: NetlabState, fault: Fault) -> None:
    share = _share(fault.severity)
    chains = (
        "chain pre { type filter hook prerouting priority raw; policy accept;\n"
        f'  iifname "pe0" {share}counter drop\n}}\n'
        "chain post { type filter hook postrouting priority raw; policy accept;\n"
        f'  oifname "pe0" {share}counter drop\n}}'
    )
    _table(state, fault, state.names.wan(fault.site), chains)
    fault.detail = f"{fault.severity:g} % lost each way on the access link (pe0)"


def _jitter(inv: Inventory, state: NetlabState, fault: Fault) -> None:
    data = json.loads(weather_file(state, fault.site).read_text(encoding="utf-8"))
    delay = float(data.get("delay_ms", 0)) + fault.severity
    _weather(state, fault, {"delay_ms": delay, "jitter_ms": fault.severity})
    fault.detail = f"delay {delay:g} ms, jitter {fault.severity:g} ms each way (WAN element)"


def _qos_removed(inv: Inventory, state: NetlabState, fault: Fault) -> None:
    site = state.sites[fault.site]
    rtr = state.names.rtr(fault.site)
    folder = ROUTER_RUN / rtr
    restore = (
        f"cd {folder} && tc qdisc del dev {site.wan_ifname} root 2>/dev/null; tc -batch qos.tc"
    )
    fault.undo.append(Step(rtr, ["sh", "-c", restore]))
    _record(state, fault)
    nsh.run(["tc", "qdisc", "del", "dev", site.wan_ifname, "root"], ns=rtr, check=False)
    kbps = int(site.rate_kbps * fault.severity)
    _flood(state, fault, kbps)
    fault.detail = f"tc root qdisc of {site.wan_ifname} deleted; flood of {kbps} kbit/s"


def _provider_drops(inv: Inventory, state: NetlabState, fault: Fault) -> None:
    from rollout.intent.base import shaped_kbps

    shaper = shaped_kbps(inv, inv.sites[fault.site])
    provider = max(8, int(shaper * fault.severity / 100))
    _weather(state, fault, {"rate_kbps": provider})
    flood = shaper * 95 // 100  # inside the shaper: the router's own queues do not drop
    _flood(state, fault, flood)
    fault.detail = (
        f"provider delivers {provider} kbit/s, the router shapes at {shaper} kbit/s; "
        f"flood of {flood} kbit/s"
    )


def _dscp_bleach(inv: Inventory, state: NetlabState, fault: Fault) -> None:
    chains = (
        "chain post { type filter hook postrouting priority mangle; policy accept;\n"
        f'  oifname "core0" ip dscp != cs0 {_share(fault.severity)}counter ip dscp set cs0\n}}'
    )
    _table(state, fault, state.names.wan(fault.site), chains)
    fault.detail = f"{fault.severity:g} % of packets towards the hub re-marked to DSCP 0"


def _hub_drop(state: NetlabState, fault: Fault, match: str) -> None:
    chains = (
        "chain pre { type filter hook prerouting priority raw; policy accept;\n"
        f"  {match} counter drop\n}}"
    )
    _table(state, fault, state.names.hub, chains)


def _registrar_down(inv: Inventory, state: NetlabState, fault: Fault) -> None:
    registrar = state.hub["registrar"]
    ports = f"{{ {SIP_PORT}, {SIP_TLS_PORT} }}"
    _hub_drop(state, fault, f"ip daddr {registrar} meta l4proto {{ tcp, udp }} th dport {ports}")
    fault.detail = f"SIP to the registrar {registrar} dropped at the hub"


def _mcu_unreachable(inv: Inventory, state: NetlabState, fault: Fault) -> None:
    _hub_drop(state, fault, f"ip daddr {state.hub['mcu']}")
    fault.detail = f"everything to the MCU {state.hub['mcu']} dropped at the hub"


def _cloud_unreachable(inv: Inventory, state: NetlabState, fault: Fault) -> None:
    _hub_drop(state, fault, f"ip daddr {state.hub['cloud']}")
    fault.detail = f"everything to the cloud service {state.hub['cloud']} dropped"


def media_rule(inv: Inventory) -> str:
    """The rule an engineer adds by hand: UDP to both ends' media ranges dropped."""
    m = inv.province.media
    ranges = [f"{r.first}-{r.last}" for r in (m.codec_udp, m.mcu_udp)]
    return f"udp dport {{ {', '.join(ranges)} }} counter drop"


def _media_blocked(inv: Inventory, state: NetlabState, fault: Fault) -> None:
    rtr = state.names.rtr(fault.site)
    rule = media_rule(inv)
    match = rule.split(" counter")[0]
    fault.undo.append(Step(rtr, ["inet", "rollout", "forward"], match=match))
    _record(state, fault)
    nsh.run(["nft", "insert", "rule", "inet", "rollout", "forward", *rule.split()], ns=rtr)
    fault.detail = f"router: nft insert rule inet rollout forward {rule}"


def _link_flaps(inv: Inventory, state: NetlabState, fault: Fault, down_s: float = 1.0) -> None:
    site = state.sites[fault.site]
    rtr = state.names.rtr(fault.site)
    fault.transient = True
    fault.undo.append(Step(rtr, ["ip", "link", "set", site.wan_ifname, "up"]))
    _record(state, fault)
    count = max(1, round(fault.severity))
    for _ in range(count):
        nsh.run(["ip", "link", "set", site.wan_ifname, "down"], ns=rtr)
        time.sleep(down_s)
        nsh.run(["ip", "link", "set", site.wan_ifname, "up"], ns=rtr)
        time.sleep(down_s)
    fault.detail = f"{site.wan_ifname} down and up {count} times"


APPLY = {
    "loss": _loss,
    "jitter": _jitter,
    "qos-removed": _qos_removed,
    "provider-drops": _provider_drops,
    "dscp-bleach": _dscp_bleach,
    "registrar-down": _registrar_down,
    "mcu-unreachable": _mcu_unreachable,
    "media-blocked": _media_blocked,
    "link-flaps": _link_flaps,
    "cloud-unreachable": _cloud_unreachable,
}
