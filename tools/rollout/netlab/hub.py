"""The hub's namespace: kamailio, sipp as MCU with RTP echo, the probe responder and flood sink,
the cloud-service stand-in and the NOC side (NTP servers, syslog and SNMP managers' addresses)."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

from rollout.inventory.loader import Inventory
from rollout.netlab import ns as nsh
from rollout.netlab.build import add_ns, start, sysctl
from rollout.netlab.ns import NetlabError
from rollout.netlab.sip import (
    MCU_SCENARIO,
    SIP_PORT,
    kamailio_cfg,
    mcu_media_port,
    sipp_transport,
)
from rollout.netlab.state import NetlabState

CLOUD_PORT = 3478
NTP_PORT = 123  # RFC 5905 section 7.2: "the NTP service port number 123"


def noc_hosts(inv: Inventory) -> list[str]:
    """The NOC side's addresses in the lab: NTP, DNS, syslog and SNMP managers, and a stand-in
    for a NOC workstation (the prefix's first host) in every NOC prefix that has none of them."""
    p = inv.province
    known = [*p.ntp_servers, *p.dns_servers, *p.syslog_servers, *p.snmp.managers]
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


def up_hub(inv: Inventory, state: NetlabState) -> None:
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
        "cloud_dscp": p.cloud.dscp,
        "ntp": ",".join(str(a) for a in p.ntp_servers),
    }
    sipp_mode = sipp_transport(p.sip_transport)
    mcu_scenario = Path(state.folder) / "mcu.xml"
    mcu_scenario.write_text(MCU_SCENARIO, encoding="utf-8")
    hub = state.names.hub
    add_ns(state, hub)
    # This kernel has no dummy interfaces: the service and NOC addresses are /32s on the loopback.
    addresses = sorted({s.address for s in p.services.values()} | {cloud, *noc_hosts(inv)})
    for address in addresses:
        nsh.run(["ip", "addr", "add", f"{address}/32", "dev", "lo"], ns=hub)
        state.hosts[address] = hub
    state.save()
    sysctl(hub, "net.ipv4.ip_forward=1")
    folder = Path(state.folder)
    cfg = folder / "kamailio.cfg"
    cfg.write_text(kamailio_cfg(registrar, mcu, p.sip_transport), encoding="utf-8")
    run_dir = folder / "kamailio"
    run_dir.mkdir(exist_ok=True)
    start(
        state,
        "kamailio",
        hub,
        ["kamailio", "-f", str(cfg), "-DD", "-E", "-Y", str(run_dir), "-w", str(run_dir)],
    )
    start(
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
    start(
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


def start_hubview(state: NetlabState) -> None:
    """The hub's view of the sites (rollout.netlab.hubview), refreshed into hubview.json."""
    ready = Path(state.folder) / "hubview.ready"
    start(
        state,
        "hubview",
        state.names.hub,
        [
            sys.executable,
            "-m",
            "rollout.netlab.hubview",
            "--folder",
            state.folder,
            "--ready",
            str(ready),
        ],
        ready,
    )
