"""Rules that span files: uniqueness, address overlaps, references and the QoS budget."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rollout.errors import Problem
from rollout.hardware import MODELS
from rollout.inventory.inventory import Inventory
from rollout.inventory.model import (
    Codec,
    FlowRow,
    Level,
    Platform,
    Role,
    Router,
    Site,
    Switch,
    contract_for_kbps,
    shaped_rate_kbps,
)
from rollout.inventory.unitcheck import register_problems
from rollout.inventory.yamlfile import line_of

IPv4Net = ipaddress.IPv4Network
PROVINCE = "inventory/province.yml"


@dataclass(frozen=True)
class _Owner:
    file: str
    path: tuple[str | int, ...]
    what: str


class _Report:
    def __init__(self, inv: Inventory) -> None:
        self.inv = inv
        self.problems: list[Problem] = []
        self._texts: dict[Path, str] = {}

    def _text(self, path: Path) -> str:
        if path not in self._texts:
            self._texts[path] = path.read_text(encoding="utf-8")
        return self._texts[path]

    def add(self, owner: _Owner, message: str, fix: str) -> None:
        full = self.inv.root / owner.file
        line = line_of(self._text(full), owner.path) if full.is_file() else None
        dotted = ".".join(f"[{p}]" if isinstance(p, int) else p for p in owner.path)
        self.problems.append(Problem(owner.file, dotted.replace(".[", "["), message, fix, line))


def _net(text: str) -> IPv4Net:
    return IPv4Net(text)


def check_inventory(inv: Inventory) -> list[Problem]:
    report = _Report(inv)
    _check_hub(inv, report)
    _check_unique(inv, report)
    _check_overlaps(inv, report)
    for slug, site in inv.sites.items():
        _check_site(inv, site, inv.display(slug), report)
    _check_qos_plan(inv, report)
    for slug, site in inv.sites.items():
        _check_budget(inv, site, inv.display(slug), report)
    _check_capacity(inv, report)
    _check_flows(inv, report)
    report.problems.extend(register_problems(inv))
    report.problems.sort(key=lambda p: (p.file != PROVINCE, p.file, p.line or 0))
    return report.problems


def _check_hub(inv: Inventory, report: _Report) -> None:
    hubs = [s.slug for s in inv.sites.values() if s.level is Level.HUB]
    if inv.province.hub not in inv.sites:
        report.add(
            _Owner(PROVINCE, ("hub",), "hub"),
            f"the hub site '{inv.province.hub}' has no file inventory/sites/{inv.province.hub}.yml",
            f"create it or set hub to one of: {', '.join(hubs) or '(no hub-level site yet)'}",
        )
    elif inv.sites[inv.province.hub].level is not Level.HUB:
        report.add(
            _Owner(inv.display(inv.province.hub), ("level",), "level"),
            f"site '{inv.province.hub}' is the province's hub but has level "
            f"'{inv.sites[inv.province.hub].level}'",
            "set level: hub",
        )
    for slug in hubs:
        if slug != inv.province.hub:
            report.add(
                _Owner(inv.display(slug), ("level",), "level"),
                f"only the province's hub ('{inv.province.hub}') may have level hub",
                "set level: district or commune",
            )


_UNIQUE_FIX = {
    "code": "one site per unit: give this site its own unit's official code (rollout new-site "
    "fills it in from the register), or remove one of the two files",
}


def _check_unique(inv: Inventory, report: _Report) -> None:
    seen: dict[tuple[str, str], _Owner] = {}
    for slug, site in inv.sites.items():
        display = inv.display(slug)
        keys: list[tuple[str, str, tuple[str | int, ...]]] = [("code", site.code, ("code",))]
        for i, dev in enumerate(site.devices):
            keys.append(("hostname", dev.hostname, ("devices", i, "hostname")))
            keys.append(("management address", dev.mgmt_address, ("devices", i, "mgmt_address")))
            if isinstance(dev, Codec):
                keys.append(("E.164 number", dev.e164, ("devices", i, "e164")))
        for kind, value, path in keys:
            owner = _Owner(display, path, kind)
            first = seen.get((kind, value))
            if first is None:
                seen[(kind, value)] = owner
            else:
                report.add(
                    owner,
                    f"{kind} {value!r} is already used in {first.file} "
                    f"({'.'.join(map(str, first.path))})",
                    _UNIQUE_FIX.get(
                        kind,
                        f"give this site its own {kind} (rollout new-site allocates free ones)",
                    ),
                )


def _networks(inv: Inventory) -> Iterable[tuple[IPv4Net, _Owner]]:
    p = inv.province
    for i, prefix in enumerate(p.noc_prefixes):
        yield _net(prefix), _Owner(PROVINCE, ("noc_prefixes", i), f"NOC prefix {prefix}")
    for i, prefix in enumerate(p.cloud.prefixes):
        yield _net(prefix), _Owner(PROVINCE, ("cloud", "prefixes", i), f"cloud prefix {prefix}")
    for slug, site in inv.sites.items():
        display = inv.display(slug)
        yield _net(site.block), _Owner(display, ("block",), f"LAN block of {slug}")
        yield _net(site.loopback), _Owner(display, ("loopback",), f"loopback of {slug}")
        yield _net(site.wan.link), _Owner(display, ("wan", "link"), f"WAN link of {slug}")


def _check_overlaps(inv: Inventory, report: _Report) -> None:
    """Sweep the province's networks in address order: O(n log n) for thousands of sites."""
    nets = sorted(_networks(inv), key=lambda n: (int(n[0].network_address), -n[0].num_addresses))
    widest: tuple[IPv4Net, _Owner] | None = None
    for net, owner in nets:
        if widest is not None and int(net.network_address) <= int(widest[0].broadcast_address):
            report.add(
                owner,
                f"{net} ({owner.what}) overlaps {widest[0]} ({widest[1].what}, {widest[1].file})",
                "allocate a free range (rollout new-site does) or correct the address",
            )
        if widest is None or int(net.broadcast_address) > int(widest[0].broadcast_address):
            widest = (net, owner)
    pools = inv.province.pools
    for slug, site in inv.sites.items():
        display = inv.display(slug)
        for value, pool, path in (
            (site.block, pools.site_lan, ("block",)),
            (site.loopback, pools.loopbacks, ("loopback",)),
            (site.wan.link, pools.wan_links, ("wan", "link")),
        ):
            if not _net(value).subnet_of(_net(pool)):
                report.add(
                    _Owner(display, path, value),
                    f"{value} is outside the province pool {pool}",
                    "take an address from the pool in inventory/province.yml (pools)",
                )


def _check_site(inv: Inventory, site: Site, display: str, report: _Report) -> None:
    block = _net(site.block)
    ids: dict[int, int] = {}
    subnets: list[tuple[IPv4Net, int]] = []
    for i, vlan in enumerate(site.vlans):
        net = _net(vlan.subnet)
        if vlan.id in ids:
            report.add(
                _Owner(display, ("vlans", i, "id"), "vlan"),
                f"VLAN {vlan.id} is defined twice (also vlans[{ids[vlan.id]}])",
                "give each VLAN its own id",
            )
        ids[vlan.id] = i
        if not net.subnet_of(block):
            report.add(
                _Owner(display, ("vlans", i, "subnet"), "vlan"),
                f"{vlan.subnet} is outside the site's block {site.block}",
                "carve the VLAN subnets from the site's block",
            )
        for other, j in subnets:
            if net.overlaps(other):
                report.add(
                    _Owner(display, ("vlans", i, "subnet"), "vlan"),
                    f"{vlan.subnet} overlaps vlans[{j}] ({other})",
                    "give each VLAN its own subnet",
                )
        subnets.append((net, i))
    for name in ("conference", "management"):
        if site.vlan(name) is None:
            report.add(
                _Owner(display, ("vlans",), "vlans"),
                f"the site has no '{name}' VLAN",
                f"add a VLAN named {name} (see pools.lan_layout in inventory/province.yml)",
            )
    roles: dict[Role, int] = {}
    for i, dev in enumerate(site.devices):
        if dev.role in roles:
            report.add(
                _Owner(display, ("devices", i, "role"), "role"),
                f"a second {dev.role.value} (the first is devices[{roles[dev.role]}])",
                "a site has one device per role; remove one",
            )
        roles[dev.role] = i
        _check_device_address(site, dev, i, display, report)
        if isinstance(dev, Router | Switch):
            _check_hardware(dev, i, display, report)
        if isinstance(dev, Codec):
            for field, kind in (("gatekeeper", "h323_gatekeeper"), ("registrar", "sip_registrar")):
                name = getattr(dev, field)
                service = inv.province.services.get(name)
                known = [n for n, s in inv.province.services.items() if s.kind == kind]
                if service is None or service.kind != kind:
                    report.add(
                        _Owner(display, ("devices", i, field), field),
                        f"'{name}' is not a {kind} service of the province",
                        f"use one of: {', '.join(known) or '(none defined in province.yml)'}",
                    )
    if Role.WAN_ROUTER not in roles:
        report.add(
            _Owner(display, ("devices",), "devices"),
            "the site has no wan_router",
            "add the site's WAN router (role: wan_router)",
        )


_PORT_FIELDS = {
    Role.WAN_ROUTER: ("wan_interface", "lan_interface"),
    Role.LAN_SWITCH: ("uplink", "codec_port", "room_client_port"),
}


def _check_hardware(dev: Router | Switch, i: int, display: str, report: _Report) -> None:
    """A Cisco device's model is a supported one, of its role, and names its own ports."""
    if dev.platform is not Platform.CISCO_IOS:
        return
    hw = MODELS.get(dev.model)
    if hw is None:
        report.add(
            _Owner(display, ("devices", i, "model"), "model"),
            f"model {dev.model!r} is not a supported Cisco model",
            f"set model to one of: {', '.join(sorted(MODELS))} (see tools/rollout/hardware.py)",
        )
        return
    if hw.role != dev.role.value:
        fitting = sorted(n for n, m in MODELS.items() if m.role == dev.role.value)
        report.add(
            _Owner(display, ("devices", i, "model"), "model"),
            f"{hw.name} is a {hw.role} model, not a {dev.role.value}",
            f"set model to one of: {', '.join(fitting)}",
        )
        return
    for field in _PORT_FIELDS[dev.role]:
        port = getattr(dev, field)
        if port not in hw.data_ports:
            first, last = hw.data_ports[0], hw.data_ports[-1]
            report.add(
                _Owner(display, ("devices", i, field), field),
                f"{port} is not a port of a {hw.name}",
                f"use one of its ports ({first} … {last}, written in full)",
            )


def _check_device_address(site: Site, dev: object, i: int, display: str, report: _Report) -> None:
    if isinstance(dev, Router):
        expected = str(_net(site.loopback).network_address)
        if dev.mgmt_address != expected:
            report.add(
                _Owner(display, ("devices", i, "mgmt_address"), "mgmt"),
                f"the router is managed on its loopback {expected}, not {dev.mgmt_address}",
                f"set mgmt_address: {expected}",
            )
        return
    vlan_name = "management" if isinstance(dev, Switch) else "conference"
    vlan = site.vlan(vlan_name)
    address = getattr(dev, "mgmt_address", "")
    if vlan is not None and ipaddress.IPv4Address(address) not in _net(vlan.subnet):
        report.add(
            _Owner(display, ("devices", i, "mgmt_address"), "mgmt"),
            f"{address} is not in the {vlan_name} VLAN {vlan.subnet}",
            f"use a host address of {vlan.subnet}",
        )


def _check_qos_plan(inv: Inventory, report: _Report) -> None:
    qos = inv.province.qos
    priority = sum(c.percent for c in qos.classes if c.priority)
    if priority > qos.priority_max_percent:
        report.add(
            _Owner(PROVINCE, ("qos", "classes"), "qos"),
            f"strict-priority classes take {priority} % of the shaped rate, more than "
            f"{qos.priority_max_percent} % (by {priority - qos.priority_max_percent} %)",
            "lower the percent of the priority classes or move video to a bandwidth class",
        )


def _check_budget(inv: Inventory, site: Site, display: str, report: _Report) -> None:
    qos = inv.province.qos
    video = next(c for c in qos.classes if c.name == qos.video_class)
    contract = site.wan.rate_kbps
    rate = shaped_rate_kbps(contract, qos.shape_percent)
    video_kbps = rate * video.percent // 100
    of_rate = f"{video.percent} % of the shaped {rate} kbit/s ({qos.shape_percent} % of {contract})"
    calls = site.conference.simultaneous_video_calls
    need = round(calls * site.conference.call_rate_kbps * qos.call_overhead)
    if need > video_kbps:
        min_rate = contract_for_kbps(need, video.percent, qos.shape_percent)
        fit_calls = int(video_kbps // (site.conference.call_rate_kbps * qos.call_overhead))
        calls_fix = f", or lower simultaneous_video_calls to {fit_calls}" if fit_calls > 0 else ""
        report.add(
            _Owner(display, ("conference", "simultaneous_video_calls"), "calls"),
            f"{calls} video calls x {site.conference.call_rate_kbps} kbit/s x "
            f"{qos.call_overhead} = {need} kbit/s do not fit the '{video.name}' class "
            f"({of_rate} = {video_kbps} kbit/s): short by {need - video_kbps} kbit/s",
            f"raise wan.rate_kbps to at least {min_rate}{calls_fix}, or lower call_rate_kbps",
        )
    for i, dev in enumerate(site.devices):
        if dev.role is Role.ROOM_CLIENT:
            cap = getattr(dev, "bandwidth_kbps", 0)
            if cap * qos.call_overhead > video_kbps:
                report.add(
                    _Owner(display, ("devices", i, "bandwidth_kbps"), "room"),
                    f"the room client's {cap} kbit/s (+{round((qos.call_overhead - 1) * 100)} %)"
                    f" does not fit the '{video.name}' class ({of_rate} = {video_kbps} kbit/s)",
                    f"lower bandwidth_kbps to {int(video_kbps / qos.call_overhead)} or raise "
                    "wan.rate_kbps",
                )
        if isinstance(dev, Codec) and dev.call_rate_kbps > site.conference.call_rate_kbps:
            report.add(
                _Owner(display, ("devices", i, "call_rate_kbps"), "codec"),
                f"the codec dials at {dev.call_rate_kbps} kbit/s, above the site's planned "
                f"conference.call_rate_kbps {site.conference.call_rate_kbps}",
                "make them equal or plan the site for the higher rate",
            )


def _check_capacity(inv: Inventory, report: _Report) -> None:
    """The hub serves every site's calls at once: the MCU's licensed video ports and the video
    class of the hub's WAN contract must both hold them."""
    p = inv.province
    hub = inv.sites.get(p.hub)
    if hub is None or hub.level is not Level.HUB:
        return  # _check_hub names it
    qos = p.qos
    video = next(c for c in qos.classes if c.name == qos.video_class)
    calling = [s for s in inv.sites.values() if s.device(Role.CODEC) is not None]
    remote = [s for s in calling if s.slug != hub.slug]
    need = round(
        sum(s.conference.simultaneous_video_calls * s.conference.call_rate_kbps for s in remote)
        * qos.call_overhead
    )
    shaped = shaped_rate_kbps(hub.wan.rate_kbps, qos.shape_percent)
    have = shaped * video.percent // 100
    remote_calls = sum(s.conference.simultaneous_video_calls for s in remote)
    if need > have:
        min_rate = contract_for_kbps(need, video.percent, qos.shape_percent)
        report.add(
            _Owner(inv.display(hub.slug), ("wan", "rate_kbps"), "capacity"),
            f"the {len(remote)} sites may make {remote_calls} video calls to the hub at once "
            f"(sum of conference.simultaneous_video_calls x call_rate_kbps x "
            f"{qos.call_overhead} = {need} kbit/s), more than the hub's '{video.name}' class "
            f"carries ({video.percent} % of the shaped {shaped} kbit/s = {have} kbit/s): "
            f"short by {need - have} kbit/s",
            f"raise the hub's wan.rate_kbps to at least {min_rate}, or lower the sites' "
            "simultaneous_video_calls or call_rate_kbps",
        )
    calls = sum(s.conference.simultaneous_video_calls for s in calling)
    for name, service in p.services.items():
        if service.kind != "mcu":
            continue
        owner = _Owner(PROVINCE, ("services", name, "video_ports"), "ports")
        if service.video_ports is None:
            report.add(
                _Owner(PROVINCE, ("services", name), "ports"),
                f"the MCU '{name}' has no video_ports: its capacity cannot be checked",
                "add video_ports: the licensed number of video ports (from the MCU's licence)",
            )
        elif calls > service.video_ports:
            report.add(
                owner,
                f"the {len(calling)} sites with a codec may make {calls} video calls at once "
                f"(sum of conference.simultaneous_video_calls), more than the "
                f"{service.video_ports} licensed video ports of the MCU '{name}': short by "
                f"{calls - service.video_ports}",
                f"license at least {calls} video ports (and set video_ports: {calls}), or lower "
                "the sites' simultaneous_video_calls",
            )


def _check_flows(inv: Inventory, report: _Report) -> None:
    """Rows of the flows table name a QoS class of the plan; the cloud's marking is in it."""
    p = inv.province
    classes = {c.name: c for c in p.qos.classes}
    tables: list[tuple[str, list[FlowRow]]] = [(PROVINCE, list(p.flows))]
    tables += [(inv.display(slug), list(site.flows)) for slug, site in inv.sites.items()]
    for file, rows in tables:
        names: dict[str, int] = {}
        for i, row in enumerate(rows):
            if row.name in names:
                report.add(
                    _Owner(file, ("flows", i, "name"), "flow"),
                    f"flow '{row.name}' is named twice (also flows[{names[row.name]}])",
                    "give each row its own name",
                )
            names[row.name] = i
            if row.qos_class is not None and row.qos_class not in classes:
                report.add(
                    _Owner(file, ("flows", i, "class"), "flow"),
                    f"flow '{row.name}': class '{row.qos_class}' is not a QoS class",
                    f"use one of: {', '.join(classes)} (or leave class out)",
                )
            marked = row.qos_class in classes and "cloud" in row.to
            if marked and p.cloud.dscp not in classes[str(row.qos_class)].dscp:
                report.add(
                    _Owner(file, ("flows", i, "class"), "flow"),
                    f"flow '{row.name}' is marked {p.cloud.dscp} (cloud.dscp) on the way in, "
                    f"which is not in its class '{row.qos_class}'",
                    f"give it the class that holds {p.cloud.dscp}, or change cloud.dscp",
                )
