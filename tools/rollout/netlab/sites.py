"""A site's namespaces: the provider (WAN element, weather), the router (FRR; its LAN port) and
the LAN hosts; the router's VLAN links come with its first push (``network.local``)."""

from __future__ import annotations

import ipaddress
import shutil
import sys
from pathlib import Path

from rollout.intent import wan_addresses
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Role, Site
from rollout.netlab import ns as nsh
from rollout.netlab.access import lab_router
from rollout.netlab.build import add_ns, start, sysctl, veth
from rollout.netlab.state import ROUTER_RUN, NetlabState, SiteLab, weather_file
from rollout.netlab.vlanlinks import ConferenceHosts, ManagementHost, network_local

MGMT_VLAN = "management"
LAN_TABLE_MGMT = "20"  # the LAN namespace's table for the switch's management address


def up_site(inv: Inventory, state: NetlabState, site: Site, index: int) -> None:
    p = inv.province
    router = lab_router(site)
    names = state.names
    wan, rtr, lan = names.wan(site.slug), names.rtr(site.slug), names.lan(site.slug)
    for name in (wan, rtr, lan):
        add_ns(state, name)
    link = ipaddress.IPv4Network(site.wan.link)
    peer, own = (ipaddress.IPv4Address(a) for a in wan_addresses(site.wan.link))
    core = ipaddress.IPv4Network(f"100.64.{index}.0/30")
    hub_side, wan_side = core.network_address + 1, core.network_address + 2
    # hub <-> provider
    veth(names.hub, f"s{index}", wan, "core0")
    nsh.run(["ip", "addr", "add", f"{hub_side}/30", "dev", f"s{index}"], ns=names.hub)
    nsh.run(["ip", "addr", "add", f"{wan_side}/30", "dev", "core0"], ns=wan)
    for net in (site.block, site.loopback, site.wan.link):
        nsh.run(["ip", "route", "replace", net, "via", str(wan_side)], ns=names.hub)
    # provider <-> site router
    veth(wan, "pe0", rtr, router.wan_interface)
    nsh.run(["ip", "addr", "add", f"{peer}/{link.prefixlen}", "dev", "pe0"], ns=wan)
    for net in (site.block, site.loopback):
        nsh.run(["ip", "route", "add", net, "via", str(own)], ns=wan)
    nsh.run(["ip", "route", "add", "default", "via", str(hub_side)], ns=wan)
    nsh.run(["ip", "tuntap", "add", "dev", "wx", "mode", "tun"], ns=wan)
    nsh.run(["ip", "link", "set", "wx", "up"], ns=wan)
    nsh.run(["ip", "route", "add", "default", "dev", "wx", "table", "100"], ns=wan)
    nsh.run(["ip", "rule", "add", "iif", "pe0", "lookup", "100", "pref", "100"], ns=wan)
    nsh.run(["ip", "rule", "add", "iif", "core0", "lookup", "100", "pref", "101"], ns=wan)
    sysctl(
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
    veth(rtr, router.lan_interface, rtr, "x0")
    sysctl(rtr, "net.ipv4.conf.all.rp_filter=0")
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
        e164=getattr(site.device(Role.CODEC), "e164", ""),
    )
    state.save()
    start_frr(state, site.slug)
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


def start_frr(state: NetlabState, slug: str) -> None:
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
    start(
        state,
        f"zebra-{slug}",
        ns,
        ["/usr/lib/frr/zebra", "-i", str(run / "zebra.pid"), "-z", str(run / "zserv.api"), *common],
    )
    nsh.wait_for((run / "zserv.api").exists, 10, f"zebra in {ns}")
    start(
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


def start_wan(state: NetlabState, site: Site, index: int) -> None:
    wan = state.names.wan(site.slug)
    folder = Path(state.folder)
    ready = folder / f"wan-{site.slug}.ready"
    start(
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
