"""`rollout netlab up|status|down`: the conference path of sites in network namespaces.

Names (``rollout.netlab.names``): every namespace and link name carries the lab's id, stored in
``state.json``; the default id is empty (the names below), a lab with id ``a7k`` has ``rla7k-hub``,
``rla7k-rtr-<site>`` ... Several labs can be up on one machine, each in its own state folder.

Per lab:   ``rl-hub``  the hub's services (kamailio registrar/proxy over the province's SIP
           transport, sipp as MCU with RTP echo on a port of the MCU's media range, probe
           responder and flood sink at the MCU address, the cloud-service stand-in) and the NOC
           side (NTP servers answering at the province's NTP addresses, the syslog and SNMP
           managers' addresses, one host in every NOC prefix).
Per site:  ``rl-wan-<site>`` the provider: a userspace WAN element (weather) and tbf (rate);
           ``rl-rtr-<site>`` the site router, a ``linux_router`` (FRR, tc HTB, nftables) rendered
           from the site's intent; ``rl-lan-<site>`` the site's hosts: on the conference VLAN the
           codec's address (with a sipp endpoint) and the room client's, on the management VLAN
           the switch's management address. The router's VLAN sub-interfaces, and with them the
           hosts' links, come with its first push (its network.sh, through the lab's
           network.local: ``rollout.netlab.vlanlinks``), as forwarding does (its sysctl.conf): a
           router at day 0 has neither.

Management: each site router has an ``sshd`` of its own (our config, host key and pid file in
``<state>/sshd/<site>/``, public-key login only, authorized keys in
``/run/rollout/sshd[-<id>]/``) listening on ``mgmt0``, one end of a veth pair
whose other end ``rl-m<index>`` is in this machine's namespace; a /31 per site from the lab's
/24 of the benchmarking range 198.18.0.0/15. Neither end forwards: the router keeps the /31 in
a table of its own used only by its own management address. The admin key is the vault's
(``credentials: linux_router_admin_key``); the netlab serves its public half and records each
router's host key in ``<state>/known_hosts``, so ``rollout ... --netlab`` verifies it.

Every name and pid goes into ``state.json`` before it is made or right after it starts, so
``down`` finds everything even after a crash.
"""

from __future__ import annotations

import ipaddress
import json
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rollout.drivers.base import Target
from rollout.intent import wan_addresses
from rollout.inventory.loader import Inventory
from rollout.inventory.model import (
    Platform,
    Role,
    Router,
    Site,
    WeatherProfile,
)
from rollout.netlab import ns as nsh
from rollout.netlab.names import (
    LabNames,
    check_id,
    claim_block,
    claim_file,
    mgmt_addresses,
)
from rollout.netlab.ns import NetlabError
from rollout.netlab.sip import (
    MCU_SCENARIO,
    SIP_PORT,
    kamailio_cfg,
    mcu_media_port,
    sipp_transport,
)
from rollout.netlab.vlanlinks import ConferenceHosts, ManagementHost, network_local
from rollout.secrets import Secrets

STATE = "state.json"
ROUTER_RUN = Path("/run/rollout")
CLOUD_PORT = 3478
NTP_PORT = 123  # RFC 5905 section 7.2: "the NTP service port number 123"
MGMT_VLAN = "management"
LAN_TABLE_MGMT = "20"  # the LAN namespace's table for the switch's management address
MGMT_TABLE = "200"
KNOWN_HOSTS = "known_hosts"
SSHD_DIR = "sshd"
SSH_USER = "root"  # tc and nft need root in the router's namespace
BINARIES = (
    "ip",
    "tc",
    "nft",
    "vtysh",
    "/usr/lib/frr/zebra",
    "/usr/lib/frr/staticd",
    "kamailio",
    "sipp",
    "/usr/sbin/sshd",
    "ssh-keygen",
)


def authorized_dir(names: LabNames) -> Path:
    """The lab's authorized_keys folder (sshd's StrictModes: root-owned folders all the way
    up), one per lab so that one lab's down leaves another's logins alone."""
    return ROUTER_RUN / (f"sshd-{names.lab_id}" if names.lab_id else "sshd")


@dataclass
class Proc:
    name: str
    pid: int
    ns: str


@dataclass
class SiteLab:
    slug: str
    index: int
    codec: str
    room_client: str
    conference_gw: str
    wan_ifname: str
    rate_kbps: int
    weather: str = "clear"
    mgmt: str = ""  # the router's management address (its sshd)
    switch: str = ""  # the switch's management address, on the management VLAN


@dataclass
class LabState:
    folder: str
    namespaces: list[str] = field(default_factory=list)
    processes: list[Proc] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    sites: dict[str, SiteLab] = field(default_factory=dict)
    hub: dict[str, str] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)  # veth ends in this machine's namespace
    hosts: dict[str, str] = field(default_factory=dict)  # address -> namespace it lives in
    lab_id: str = ""  # every name derives from it (rollout.netlab.names)
    mgmt_block: str = "198.18.0.0/24"  # the lab's management /24

    @property
    def names(self) -> LabNames:
        return LabNames(self.lab_id)

    @property
    def known_hosts(self) -> Path:
        return Path(self.folder) / KNOWN_HOSTS

    def save(self) -> None:
        path = Path(self.folder) / STATE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def read(cls, folder: Path) -> LabState | None:
        path = folder / STATE
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            folder=data["folder"],
            namespaces=data["namespaces"],
            processes=[Proc(**p) for p in data["processes"]],
            paths=data["paths"],
            sites={k: SiteLab(**v) for k, v in data["sites"].items()},
            hub=data["hub"],
            links=data.get("links", []),
            hosts=data.get("hosts", {}),
            lab_id=data.get("lab_id", ""),
            mgmt_block=data.get("mgmt_block", "198.18.0.0/24"),
        )


def lab_router(site: Site) -> Router:
    """The site's router as the lab runs it: itself if linux_router, else its Linux twin."""
    router = site.device(Role.WAN_ROUTER)
    if not isinstance(router, Router):
        raise NetlabError(f"site {site.slug} has no WAN router")
    if router.platform is Platform.LINUX_ROUTER:
        return router
    return router.model_copy(
        update={"platform": Platform.LINUX_ROUTER, "wan_interface": "wan0", "lan_interface": "lan0"}
    )


def admin_key(inv: Inventory, secrets: Secrets) -> str:
    """The linux_router admin's private key (vault text), or a NetlabError saying what to add."""
    name = inv.province.credentials.linux_router_admin_key
    if not name:
        raise NetlabError(
            "no key for the linux_router admin is configured",
            "name its vault variable in inventory/province.yml (credentials: "
            "linux_router_admin_key: vault_linux_router_admin_key) and put an ed25519 key there",
        )
    return secrets[name]


def router_target(
    inv: Inventory, state: LabState, slug: str, secrets: Secrets, timeout: float = 20.0
) -> Target:
    """How rollout reaches the lab's router of a site: its sshd, as root, with the vault key."""
    site = state.sites.get(slug)
    if site is None or not site.mgmt:
        raise NetlabError(
            f"site {slug} has no managed router in the network lab ({state.folder})",
            f"rollout netlab down; rollout netlab up {slug}",
        )
    return Target(
        lab_router(inv.sites[slug]).hostname,
        Platform.LINUX_ROUTER,
        site.mgmt,
        22,
        SSH_USER,
        "",
        state.known_hosts,
        timeout,
        key=admin_key(inv, secrets),
        folder=str(ROUTER_RUN / state.names.rtr(slug)),
    )


def weather_file(state: LabState, slug: str) -> Path:
    return Path(state.folder) / f"weather-{slug}.json"


def set_weather(inv: Inventory, state: LabState, slug: str, name: str) -> WeatherProfile:
    profiles = inv.province.weather
    if name not in profiles:
        raise NetlabError(
            f"no weather profile {name!r} in inventory/province.yml",
            f"use one of: {', '.join(profiles) or '(none defined: add weather: profiles)'}",
        )
    profile = profiles[name]
    site = state.sites[slug]
    data = {
        "name": name,
        "delay_ms": profile.delay_ms,
        "jitter_ms": profile.jitter_ms,
        "loss_percent": profile.loss_percent,
        "rate_kbps": site.rate_kbps * profile.rate_percent // 100,
        "flap_period_s": profile.flap_period_s,
        "flap_down_s": profile.flap_down_s,
    }
    path = weather_file(state, slug)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(path)
    site.weather = name
    state.save()
    return profile


def _start(state: LabState, name: str, ns: str, cmd: list[str], ready: Path | None = None) -> None:
    log = Path(state.folder) / "logs" / f"{name}.log"
    pid = nsh.spawn(cmd, ns=ns, log=log)
    state.processes.append(Proc(name, pid, ns))
    state.save()
    if ready is not None:
        nsh.wait_for(
            lambda: ready.exists() or not nsh.alive(pid), 15, f"{name} to start (log: {log})"
        )
        if not ready.exists():
            raise NetlabError(f"{name} exited at start", f"see {log}")


def _ns(state: LabState, name: str) -> None:
    state.namespaces.append(name)
    state.save()
    nsh.add_namespace(name)


def _veth(a_ns: str, a: str, b_ns: str, b: str) -> None:
    nsh.run(
        ["ip", "link", "add", a, "netns", a_ns, "type", "veth", "peer", "name", b, "netns", b_ns]
    )
    nsh.run(["ip", "link", "set", "dev", a, "up"], ns=a_ns)
    nsh.run(["ip", "link", "set", "dev", b, "up"], ns=b_ns)


def _sysctl(ns: str, *settings: str) -> None:
    for s in settings:
        nsh.run(["sysctl", "-qw", s], ns=ns)


def up(
    inv: Inventory,
    slugs: list[str],
    folder: Path,
    weather: str = "clear",
    secrets: Secrets | None = None,
    lab_id: str = "",
) -> LabState:
    """Build the lab with this id (names: rollout.netlab.names) for the sites, in folder."""
    names = LabNames(check_id(lab_id))
    nsh.require_root()
    nsh.require_binaries(BINARIES)
    if secrets is None:
        from rollout.secrets import load_secrets

        secrets = load_secrets(inv.root)
    from rollout.drivers.keys import public_line

    key = admin_key(inv, secrets)
    try:
        admin = public_line(key, "rollout-netlab-admin")
    except Exception:  # never let a parser quote the key
        raise NetlabError(
            "the linux_router admin key in the vault is not an ed25519 private key",
            "put an unencrypted OpenSSH ed25519 key (ssh-keygen -t ed25519 -N '') in the vault",
        ) from None
    if LabState.read(folder) is not None:
        raise NetlabError(f"a network lab is already up (state in {folder})", "rollout netlab down")
    stale = [n for n in [*nsh.namespaces(), *nsh.links()] if names.owns(n)]
    if stale:
        option = f" --lab-id {lab_id}" if lab_id else ""
        raise NetlabError(
            f"namespaces or links of lab {lab_id or '(default)'} exist without a state file "
            f"in {folder}: {', '.join(stale)}",
            f"if no one uses that lab, remove them: rollout netlab down --force{option}",
        )
    mgmt_block = claim_block(names)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "logs").mkdir(exist_ok=True)
    state = LabState(folder=str(folder.resolve()), lab_id=lab_id, mgmt_block=str(mgmt_block))
    state.save()
    try:
        _authorize(state, admin)
        _up_hub(inv, state)
        for index, slug in enumerate(slugs, start=1):
            _up_site(inv, state, inv.sites[slug], index)
            _up_mgmt(state, slug, index)
            set_weather(inv, state, slug, weather)
            _start_wan(state, inv.sites[slug], index)
    except BaseException:
        down(folder)
        raise
    return state


def noc_hosts(inv: Inventory) -> list[str]:
    """The NOC side's addresses in the lab: NTP, syslog and SNMP managers, and a stand-in for a
    NOC workstation (the prefix's first host) in every NOC prefix that has none of them."""
    p = inv.province
    known = [*p.ntp_servers, *p.syslog_servers, *p.snmp.managers]
    hosts = list(dict.fromkeys(str(a) for a in known))
    for prefix in p.noc_prefixes:
        net = ipaddress.IPv4Network(prefix)
        if not any(ipaddress.IPv4Address(a) in net for a in hosts):
            hosts.append(str(net.network_address + 1))
    return hosts


def mcu_udp_ports(first: int, last: int) -> tuple[int, int, int]:
    """Ports at the MCU's address, all inside its media range (the only UDP ports the flows
    table opens towards it): sipp's RTP echo, the probe responder, the flood sink."""
    media = mcu_media_port(first, last)
    others = [p for p in (media - 4, media - 6, media + 4, media + 6) if first <= p <= last]
    if len(others) < 2:
        raise NetlabError(
            f"the MCU's media range {first}-{last} has no room for the lab's probe ports",
            "inventory/province.yml: media: mcu_udp: a range of at least 16 ports",
        )
    return media, others[0], others[1]


def _up_hub(inv: Inventory, state: LabState) -> None:
    p = inv.province
    by_kind = {s.kind: s.address for s in p.services.values()}
    hub_conf = inv.hub.vlan("conference")
    assert hub_conf is not None
    mcu, registrar = by_kind["mcu"], by_kind["sip_registrar"]
    cloud_net = ipaddress.IPv4Network(p.cloud.prefixes[0])
    cloud = str(cloud_net.network_address + 10)
    media = p.media.mcu_udp
    rtp, probe, sink = mcu_udp_ports(media.first, media.last)
    codec = p.media.codec_udp
    state.hub = {
        "mcu": mcu,
        "registrar": registrar,
        "cloud": cloud,
        "responder": by_kind.get("sla_responder", mcu),
        "mcu_media": str(rtp),
        "probe_port": str(probe),
        "sink_port": str(sink),
        "codec_udp": f"{codec.first}-{codec.last}",
        "transport": p.sip_transport,
        "ntp": ",".join(str(a) for a in p.ntp_servers),
    }
    sipp_mode = sipp_transport(p.sip_transport)
    mcu_scenario = Path(state.folder) / "mcu.xml"
    mcu_scenario.write_text(MCU_SCENARIO, encoding="utf-8")
    hub = state.names.hub
    _ns(state, hub)
    # This kernel has no dummy interfaces: the service and NOC addresses are /32s on the loopback.
    addresses = sorted({s.address for s in p.services.values()} | {cloud, *noc_hosts(inv)})
    for address in addresses:
        nsh.run(["ip", "addr", "add", f"{address}/32", "dev", "lo"], ns=hub)
        state.hosts[address] = hub
    state.save()
    _sysctl(hub, "net.ipv4.ip_forward=1")
    folder = Path(state.folder)
    cfg = folder / "kamailio.cfg"
    cfg.write_text(kamailio_cfg(registrar, mcu, p.sip_transport), encoding="utf-8")
    run_dir = folder / "kamailio"
    run_dir.mkdir(exist_ok=True)
    _start(
        state,
        "kamailio",
        hub,
        ["kamailio", "-f", str(cfg), "-DD", "-E", "-Y", str(run_dir), "-w", str(run_dir)],
    )
    _start(
        state,
        "mcu-sipp",
        hub,
        [
            "sipp",
            "-sf",
            str(mcu_scenario),
            "-i",
            mcu,
            "-p",
            str(SIP_PORT),
            "-t",
            sipp_mode,
            "-mi",
            mcu,
            "-mp",
            state.hub["mcu_media"],
            "-rtp_echo",
            "-nostdin",
            "-trace_err",
            "-error_file",
            str(folder / "logs" / "mcu-sipp-errors.log"),
        ],
    )
    ready = folder / "responder.ready"
    _start(
        state,
        "responder",
        hub,
        [
            sys.executable,
            "-m",
            "rollout.netlab.responder",
            "--listen",
            f"{mcu}:{probe}",
            "--listen",
            f"{cloud}:{CLOUD_PORT}",
            "--sink",
            f"{mcu}:{sink}",
            *(a for server in p.ntp_servers for a in ("--ntp", f"{server}:{NTP_PORT}")),
            "--ready",
            str(ready),
        ],
        ready,
    )


def _up_site(inv: Inventory, state: LabState, site: Site, index: int) -> None:
    p = inv.province
    router = lab_router(site)
    names = state.names
    wan, rtr, lan = names.wan(site.slug), names.rtr(site.slug), names.lan(site.slug)
    for name in (wan, rtr, lan):
        _ns(state, name)
    link = ipaddress.IPv4Network(site.wan.link)
    peer, own = (ipaddress.IPv4Address(a) for a in wan_addresses(site.wan.link))
    core = ipaddress.IPv4Network(f"100.64.{index}.0/30")
    hub_side, wan_side = core.network_address + 1, core.network_address + 2
    # hub <-> provider
    _veth(names.hub, f"s{index}", wan, "core0")
    nsh.run(["ip", "addr", "add", f"{hub_side}/30", "dev", f"s{index}"], ns=names.hub)
    nsh.run(["ip", "addr", "add", f"{wan_side}/30", "dev", "core0"], ns=wan)
    for net in (site.block, site.loopback, site.wan.link):
        nsh.run(["ip", "route", "replace", net, "via", str(wan_side)], ns=names.hub)
    # provider <-> site router
    _veth(wan, "pe0", rtr, router.wan_interface)
    nsh.run(["ip", "addr", "add", f"{peer}/{link.prefixlen}", "dev", "pe0"], ns=wan)
    for net in (site.block, site.loopback):
        nsh.run(["ip", "route", "add", net, "via", str(own)], ns=wan)
    nsh.run(["ip", "route", "add", "default", "via", str(hub_side)], ns=wan)
    nsh.run(["ip", "tuntap", "add", "dev", "wx", "mode", "tun"], ns=wan)
    nsh.run(["ip", "link", "set", "wx", "up"], ns=wan)
    nsh.run(["ip", "route", "add", "default", "dev", "wx", "table", "100"], ns=wan)
    nsh.run(["ip", "rule", "add", "iif", "pe0", "lookup", "100", "pref", "100"], ns=wan)
    nsh.run(["ip", "rule", "add", "iif", "core0", "lookup", "100", "pref", "101"], ns=wan)
    _sysctl(
        wan,
        "net.ipv4.ip_forward=1",
        "net.ipv4.conf.all.rp_filter=0",
        "net.ipv4.conf.default.rp_filter=0",
        "net.ipv4.conf.wx.rp_filter=0",
    )
    # The router's LAN port: a veth pair inside the router stands in for the NIC (no dummy
    # interfaces in this kernel). Its VLAN sub-interfaces, forwarding and the hosts' links
    # (conference VLAN: eth0 of the LAN namespace, management VLAN: eth1) are made by rollout's
    # push (network.sh, sysctl.conf), through network.local.
    _veth(rtr, router.lan_interface, rtr, "x0")
    _sysctl(rtr, "net.ipv4.conf.all.rp_filter=0")
    conf = site.vlan("conference")
    assert conf is not None
    mgmt = site.vlan(MGMT_VLAN)
    hosts = p.pools.hosts
    conf_net = ipaddress.IPv4Network(conf.subnet)
    codec, client, gateway = (
        str(conf_net.network_address + o) for o in (hosts.codec, hosts.room_client, hosts.gateway)
    )
    for address in (codec, client):
        state.hosts[address] = lan
    switch = switch_address(site, mgmt.subnet, hosts.switch) if mgmt is not None else ""
    if switch:
        state.hosts[switch] = lan
    for address in router_addresses(site, hosts.gateway):
        state.hosts[address] = rtr
    state.sites[site.slug] = SiteLab(
        site.slug,
        index,
        codec,
        client,
        gateway,
        router.wan_interface,
        site.wan.rate_kbps,
        switch=switch,
    )
    state.save()
    _start_frr(state, site.slug)
    stand_in = ConferenceHosts(
        conf.id, lan, tuple(f"{a}/{conf_net.prefixlen}" for a in (codec, client)), gateway
    )
    management = (
        ManagementHost(
            mgmt.id,
            f"{switch}/{ipaddress.IPv4Network(mgmt.subnet).prefixlen}",
            str(ipaddress.IPv4Network(mgmt.subnet).network_address + hosts.gateway),
            LAN_TABLE_MGMT,
        )
        if mgmt is not None and switch
        else None
    )
    (ROUTER_RUN / rtr / "network.local").write_text(
        network_local(stand_in, "mgmt0", management), encoding="utf-8"
    )


def switch_address(site: Site, mgmt_subnet: str, offset: int) -> str:
    """The switch's management address: its mgmt_address when it lies on the management VLAN,
    else the pool's switch host on it."""
    net = ipaddress.IPv4Network(mgmt_subnet)
    switch = site.device(Role.LAN_SWITCH)
    if switch is not None and ipaddress.IPv4Address(str(switch.mgmt_address)) in net:
        return str(switch.mgmt_address)
    return str(net.network_address + offset)


def router_addresses(site: Site, gateway: int) -> list[str]:
    """The router's own addresses (loopback, WAN link, every VLAN's gateway)."""
    out = [
        str(ipaddress.IPv4Network(site.loopback).network_address),
        wan_addresses(site.wan.link)[1],
    ]
    out += [str(ipaddress.IPv4Network(v.subnet).network_address + gateway) for v in site.vlans]
    return out


def _start_frr(state: LabState, slug: str) -> None:
    ns = state.names.rtr(slug)
    run = ROUTER_RUN / ns
    state.paths.append(str(run))
    state.save()
    run.mkdir(parents=True, exist_ok=True)
    (run / "frr.conf").touch()
    (run / "vtysh.conf").write_text("service integrated-vtysh-config\n", encoding="utf-8")
    shutil.chown(run, "frr", "frr")
    common = [
        "-u",
        "frr",
        "-g",
        "frr",
        "--vty_socket",
        str(run),
        "-P",
        "0",
        "-f",
        "/dev/null",
        "--log",
        f"file:{run}/frr.log",
    ]
    _start(
        state,
        f"zebra-{slug}",
        ns,
        ["/usr/lib/frr/zebra", "-i", str(run / "zebra.pid"), "-z", str(run / "zserv.api"), *common],
    )
    nsh.wait_for((run / "zserv.api").exists, 10, f"zebra in {ns}")
    _start(
        state,
        f"staticd-{slug}",
        ns,
        [
            "/usr/lib/frr/staticd",
            "-i",
            str(run / "staticd.pid"),
            "-z",
            str(run / "zserv.api"),
            *common,
        ],
    )
    nsh.wait_for((run / "staticd.vty").exists, 10, f"staticd in {ns}")


def _authorize(state: LabState, public: str) -> None:
    """The admin's public key, for every router's sshd (only from the management range)."""
    folder = authorized_dir(state.names)
    state.paths.append(str(folder))
    state.save()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    keys = folder / "authorized_keys"
    options = f'from="{state.mgmt_block}",no-agent-forwarding,no-port-forwarding,no-X11-forwarding'
    keys.write_text(f"{options} {public}\n", encoding="utf-8")
    keys.chmod(0o600)
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder


def _up_mgmt(state: LabState, slug: str, index: int) -> None:
    """The management link to the router and its sshd; the host key into known_hosts."""
    rtr = state.names.rtr(slug)
    here, there = mgmt_addresses(state.mgmt_block, index)
    link = state.names.link(index)
    state.links.append(link)
    state.save()
    nsh.run(["ip", "link", "add", link, "type", "veth", "peer", "name", "mgmt0", "netns", rtr])
    Path(f"/proc/sys/net/ipv4/conf/{link}/forwarding").write_text("0\n")
    nsh.run(["ip", "addr", "add", f"{here}/31", "dev", link])
    nsh.run(["ip", "link", "set", "dev", link, "up"])
    # On the router the /31 lives in its own table, used only by the management address:
    # nothing the router forwards (LAN, WAN) can reach this machine through it.
    nsh.run(["ip", "addr", "add", f"{there}/31", "dev", "mgmt0", "noprefixroute"], ns=rtr)
    nsh.run(["ip", "link", "set", "dev", "mgmt0", "up"], ns=rtr)
    _sysctl(rtr, "net.ipv4.conf.mgmt0.forwarding=0")
    nsh.run(
        ["ip", "route", "add", f"{here}/31", "dev", "mgmt0", "src", there, "table", MGMT_TABLE],
        ns=rtr,
    )
    nsh.run(["ip", "rule", "add", "from", there, "lookup", MGMT_TABLE, "pref", "50"], ns=rtr)
    folder = Path(state.folder) / SSHD_DIR / slug
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    host_key = folder / "ssh_host_ed25519_key"
    nsh.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", rtr, "-f", str(host_key)])
    config = folder / "sshd_config"
    keys = authorized_dir(state.names) / "authorized_keys"
    config.write_text(sshd_config(there, host_key, folder / "sshd.pid", keys), encoding="utf-8")
    _start(
        state,
        f"sshd-{slug}",
        rtr,
        ["/usr/sbin/sshd", "-D", "-e", "-f", str(config)],
        folder / "sshd.pid",
    )
    kind, blob = host_key.with_suffix(".pub").read_text(encoding="utf-8").split()[:2]
    with state.known_hosts.open("a", encoding="utf-8") as known:
        known.write(f"{there} {kind} {blob}\n")
    state.sites[slug].mgmt = there
    state.save()


def sshd_config(address: str, host_key: Path, pid_file: Path, authorized: Path) -> str:
    return f"""# Managed by rollout netlab: the site router's management sshd.
ListenAddress {address}
HostKey {host_key}
PidFile {pid_file}
AuthorizedKeysFile {authorized}
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
HostbasedAuthentication no
PermitRootLogin prohibit-password
AllowUsers {SSH_USER}
StrictModes yes
UsePAM no
UseDNS no
PermitUserEnvironment no
AllowAgentForwarding no
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
PrintLastLog no
Subsystem sftp internal-sftp
"""


def _start_wan(state: LabState, site: Site, index: int) -> None:
    wan = state.names.wan(site.slug)
    folder = Path(state.folder)
    ready = folder / f"wan-{site.slug}.ready"
    _start(
        state,
        f"wan-{site.slug}",
        wan,
        [
            sys.executable,
            "-m",
            "rollout.netlab.wan",
            "--tun",
            "wx",
            "--site-net",
            site.block,
            "--site-net",
            site.loopback,
            "--site-net",
            site.wan.link,
            "--rate-dev",
            "core0",
            "--rate-dev",
            "pe0",
            "--weather",
            str(weather_file(state, site.slug)),
            "--stats",
            str(folder / f"wan-{site.slug}.stats.json"),
            "--ready",
            str(ready),
        ],
        ready,
    )


def namespaces_in_use(lab_id: str | None = None) -> list[str]:
    """Lab namespaces on this machine: every lab's, or only the lab with this id's."""
    if lab_id is None:
        return [n for n in nsh.namespaces() if n.startswith(nsh.PREFIX)]
    names = LabNames(lab_id)
    return [n for n in nsh.namespaces() if names.owns(n)]


def status(folder: Path) -> dict[str, Any]:
    state = LabState.read(folder)
    if state is None:
        return {"up": False, "folder": str(folder)}
    present = set(nsh.namespaces())
    return {
        "up": True,
        "folder": state.folder,
        "lab_id": state.lab_id,
        "mgmt_block": state.mgmt_block,
        "namespaces": {n: n in present for n in state.namespaces},
        "processes": {p.name: nsh.alive(p.pid) for p in state.processes},
        "sites": {k: asdict(v) for k, v in state.sites.items()},
    }


def down(folder: Path, force: bool = False, lab_id: str = "") -> list[str]:
    """Stop every process, remove every namespace and file the lab made; returns what it did.

    With force, also the namespaces and links named for the lab's id (the state's, else
    lab_id) that the state does not list: never another lab's."""
    done: list[str] = []
    state = LabState.read(folder)
    names = LabNames(check_id(state.lab_id if state is not None else lab_id))
    spaces: list[str] = []
    if state is not None:
        for proc in reversed(state.processes):
            if nsh.alive(proc.pid):
                nsh.kill(proc.pid)
                done.append(f"stopped {proc.name} ({proc.pid})")
        for path in state.paths:
            revert = Path(path) / "revert.pid"
            if revert.is_file():
                pid = int(revert.read_text().strip() or 0)
                if pid and nsh.alive(pid):
                    nsh.kill(pid)
                    done.append(f"stopped a revert timer ({pid})")
        spaces = list(reversed(state.namespaces))
    if force:
        spaces += [n for n in nsh.namespaces() if names.owns(n) and n not in spaces]
    for name in spaces:
        if name in nsh.namespaces():
            nsh.delete_namespace(name)
            done.append(f"removed namespace {name}")
    links = state.links if state is not None else []
    if force:
        links = [*links, *(n for n in nsh.links() if names.owns(n))]
    for link in dict.fromkeys(links):
        if link in nsh.links():  # gone with its namespace, unless the crash came in between
            nsh.run(["ip", "link", "del", link], check=False)
            done.append(f"removed link {link}")
    if state is not None:
        for path in state.paths:
            if Path(path).exists():
                shutil.rmtree(path, ignore_errors=True)
                done.append(f"removed {path}")
    if state is not None or force:
        claim_file(names).unlink(missing_ok=True)  # its management block is free again
    if folder.exists() and (state is not None or force):
        for child in folder.iterdir():
            if child.name in (
                STATE,
                "logs",
                "kamailio",
                "kamailio.cfg",
                SSHD_DIR,
                KNOWN_HOSTS,
            ) or child.suffix in (
                ".json",
                ".ready",
                ".tmp",
                ".xml",
                ".log",
            ):
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        done.append(f"removed the lab's files in {folder}")
    return done
