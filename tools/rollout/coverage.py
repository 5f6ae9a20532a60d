"""Does every flow a site needs get through the router's access lists, both ways?

Two sources of flows are proved against the lists the router is given (WAN-IN and
CONFERENCE-IN, in order, first match, the final deny):

- the flows table (``inventory/province.yml`` ``flows:`` and a site's own rows);
- ``NEEDS``: what the rendered device configurations make the devices do, whatever the table
  says (the router's ``ntp server``, the switch's ``logging host``, the codec's gatekeeper...).
  A conversation the devices start but the table forgot is named with the row that opens it.

For each flow a representative packet of the request, and of its reply when it has one, is
evaluated at the ends of its address and port ranges.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rollout.acl import ICMP_TYPES, Ace, CompiledAcl, Packet, compile_acl, extended_acls
from rollout.errors import Problem
from rollout.flows import (
    CONFERENCE_IN,
    WAN_IN,
    ResolvedFlow,
    acl_sections,
    flat,
    resolve_row,
    rows_of,
)
from rollout.inventory.loader import Inventory
from rollout.inventory.model import FlowRow, Platform, Role, Site
from rollout.inventory.yamlfile import line_of
from rollout.secrets import Secrets

PROVINCE = "inventory/province.yml"
# A client's source port when the flow names none: from the dynamic range (RFC 6335, 49152+).
EPHEMERAL = 50_000

# What the devices do once rendered, row by row: the configuration line that makes them do it.
NEEDS: tuple[tuple[dict[str, Any], str], ...] = (
    (
        {"name": "h225-ras", "from": "codec", "to": "gatekeeper", "protocol": "udp", "ports": 1719},
        "the codec registers with its gatekeeper (gatekeeperip, templates/polycom)",
    ),
    (
        {"name": "h225-call", "from": "codec", "to": "mcu", "protocol": "tcp", "ports": 1720},
        "the codec dials the MCU over H.323",
    ),
    (
        {"name": "h225-call-in", "from": "mcu", "to": "codec", "protocol": "tcp", "ports": 1720},
        "the MCU dials the codec out over H.323",
    ),
    (
        {
            "name": "h245-to-mcu",
            "from": "codec",
            "to": "mcu",
            "protocol": "tcp",
            "ports": "media.mcu_tcp",
        },
        "H.245 towards the MCU's TCP range",
    ),
    (
        {
            "name": "h245-to-codec",
            "from": "mcu",
            "to": "codec",
            "protocol": "tcp",
            "ports": "media.codec_tcp",
        },
        "H.245 towards the codec's fixed TCP ports",
    ),
    (
        {"name": "sip-out", "from": "codec", "to": ["registrar", "mcu"], "protocol": "sip"},
        "the codec registers and calls over SIP (sipregistrarserver, templates/polycom)",
    ),
    (
        {"name": "sip-in", "from": ["registrar", "mcu"], "to": "codec", "protocol": "sip"},
        "SIP calls reach the codec through the registrar or from the MCU",
    ),
    (
        {
            "name": "media-to-mcu",
            "from": "codec",
            "to": "mcu",
            "protocol": "udp",
            "src_ports": "media.codec_udp",
            "ports": "media.mcu_udp",
        },
        "RTP/RTCP from the codec's fixed ports to the MCU's media range",
    ),
    (
        {
            "name": "media-to-codec",
            "from": "mcu",
            "to": "codec",
            "protocol": "udp",
            "src_ports": "media.mcu_udp",
            "ports": "media.codec_udp",
        },
        "RTP/RTCP from the MCU's media range to the codec's fixed ports",
    ),
    (
        {
            "name": "cloud-tcp",
            "from": "room_client",
            "to": "cloud",
            "protocol": "tcp",
            "ports": "cloud.ports",
        },
        "the room client joins the cloud service (cloud.ports)",
    ),
    (
        {
            "name": "cloud-udp",
            "from": "room_client",
            "to": "cloud",
            "protocol": "udp",
            "ports": "cloud.ports",
        },
        "the room client's media to the cloud service (cloud.ports)",
    ),
    (
        {
            "name": "ntp",
            "from": ["router", "switch", "codec"],
            "to": "ntp",
            "protocol": "udp",
            "ports": 123,
        },
        "ntp server (templates/cisco_ios/_services.j2), ntpserver (templates/polycom)",
    ),
    (
        {"name": "dns-udp", "from": "codec", "to": "dns", "protocol": "udp", "ports": 53},
        "dns set 1..4 (templates/polycom): the codec's name lookups",
    ),
    (
        {
            "name": "syslog",
            "from": ["router", "switch"],
            "to": "syslog",
            "protocol": "udp",
            "ports": 514,
            "reply": False,
        },
        "logging host (templates/cisco_ios/_services.j2)",
    ),
    (
        {
            "name": "snmp-trap",
            "from": ["router", "switch"],
            "to": "snmp_manager",
            "protocol": "udp",
            "ports": 162,
            "reply": False,
        },
        "snmp-server host (templates/cisco_ios/_services.j2)",
    ),
    (
        {
            "name": "snmp-poll",
            "from": "noc",
            "to": ["router", "switch"],
            "protocol": "udp",
            "ports": 161,
        },
        "snmp-server group ... access NOC-MGMT (templates/cisco_ios/_services.j2)",
    ),
    (
        {
            "name": "ssh",
            "from": "noc",
            "to": ["router", "switch", "codec"],
            "protocol": "tcp",
            "ports": 22,
        },
        "rollout's own sessions: drivers over SSH from the NOC",
    ),
    (
        {
            "name": "ping",
            "from": "noc",
            "to": ["router", "switch", "codec", "room_client"],
            "protocol": "icmp",
        },
        "the NOC's reachability checks",
    ),
    (
        {
            "name": "sla-control",
            "from": "router",
            "to": "sla_responder",
            "protocol": "udp",
            "ports": 1967,
        },
        "ip sla udp-jitter (templates/cisco_ios/wan_router.j2): control messages to 1967",
    ),
    (
        {
            "name": "sla-probes",
            "from": "router",
            "to": "sla_responder",
            "protocol": "udp",
            "ports": "sla.probes",
        },
        "ip sla udp-jitter probes, one port per class (sla: in the province file)",
    ),
)


@functools.cache
def need_rows() -> list[FlowRow]:
    """NEEDS as rows of the table (their purpose: the configuration line behind them)."""
    return [FlowRow.model_validate({**data, "purpose": why}) for data, why in NEEDS]


@dataclass(frozen=True)
class Gap:
    """A flow (or its reply) that the named list does not let through."""

    flow: ResolvedFlow
    way: Literal["request", "reply"]
    acl: str
    packet: Packet
    file: str
    row_index: int | None  # the row of the table in file; None: the table has no such row
    fix: str

    def message(self) -> str:
        f = self.flow
        ports = ""
        if f.dst_ports:
            first, last = f.dst_ports
            ports = f" {first}" if first == last else f" {first}-{last}"
        return (
            f"flow '{f.name}' ({f.opener} {f.src} -> {f.responder} {f.dst} "
            f"{f.protocol}{ports}, {f.crossing}): the {self.way} is carried by no rule of "
            f"{self.acl} ({self.packet.describe()} is denied)"
        )


def _hosts(net: str) -> list[ipaddress.IPv4Address]:
    n = ipaddress.IPv4Network(net)
    if n.num_addresses <= 2:
        return [n.network_address]
    return [n.network_address + 1, n.broadcast_address - 1]


def _ends(span: tuple[int, int] | None, default: int) -> list[int]:
    return [default] if span is None else list(dict.fromkeys(span))


def packets(flow: ResolvedFlow, way: Literal["request", "reply"]) -> list[Packet]:
    """Representative packets of the request or the reply: both ends of the ranges."""
    src, dst = _hosts(flow.src), _hosts(flow.dst)
    dports, sports = _ends(flow.dst_ports, 0), _ends(flow.src_ports, EPHEMERAL)
    pairs = [(src[0], dst[0], sports[0], dports[0]), (src[-1], dst[-1], sports[-1], dports[-1])]
    out: list[Packet] = []
    for s, d, sp, dp in dict.fromkeys(pairs):
        if flow.protocol == "icmp":
            kind = ICMP_TYPES["echo" if way == "request" else "echo-reply"]
            out.append(
                Packet("icmp", s, d, icmp_type=kind)
                if way == "request"
                else Packet("icmp", d, s, icmp_type=kind)
            )
        elif way == "request":
            out.append(Packet(flow.protocol, s, d, sp, dp, ack=False))
        else:
            out.append(Packet(flow.protocol, d, s, dp, sp, ack=flow.protocol == "tcp"))
    return out


def _yaml_scalar(value: object) -> str:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return json.dumps(text, ensure_ascii=False) if re.search(r"[,:{}\[\]#'\"]", text) else text


def _row_text(row: FlowRow) -> str:
    """The row as one line of YAML (flow style), ready to paste into flows:."""
    parts = []
    for key, value in row.model_dump(by_alias=True, exclude_defaults=True).items():
        if isinstance(value, list):
            items = [_yaml_scalar(v) for v in value]
            shown = items[0] if len(items) == 1 else "[" + ", ".join(items) + "]"
        else:
            shown = _yaml_scalar(value)
        parts.append(f"{key}: {shown}")
    return "{" + ", ".join(parts) + "}"


def _gaps_of(
    flow: ResolvedFlow, acls: Mapping[str, CompiledAcl]
) -> list[tuple[Literal["request", "reply"], str, Packet]]:
    found: list[tuple[Literal["request", "reply"], str, Packet]] = []
    ways: list[tuple[Literal["request", "reply"], str | None]] = [
        ("request", flow.request_acl),
        ("reply", flow.reply_acl if flow.reply else None),
    ]
    for way, acl in ways:
        if acl is None or acl not in acls:
            continue  # no list on that way in: the router lets it through
        for packet in packets(flow, way):
            if not acls[acl].permits(packet):
                found.append((way, acl, packet))
                break
    return found


def _shape(flow: ResolvedFlow) -> tuple[object, ...]:
    """What the lists see of a flow (its name and purpose aside)."""
    return (
        flow.protocol,
        flow.src,
        flow.dst,
        flow.dst_ports,
        flow.src_ports,
        flow.request_acl,
        flow.reply_acl,
    )


def site_acls(inv: Inventory, site: Site) -> dict[str, list[Ace]]:
    """The inbound lists the site's router is given, as it evaluates them."""
    return {name: flat(acl_sections(inv, site, name)) for name in (WAN_IN, CONFERENCE_IN)}


def site_gaps(
    inv: Inventory, site: Site, acls: Mapping[str, Sequence[Ace]] | None = None
) -> list[Gap]:
    """Every flow of the table and every need of the devices that the lists do not carry."""
    given = site_acls(inv, site) if acls is None else acls
    lists = {name: compile_acl(aces) for name, aces in given.items()}
    memo: dict[str, Any] = {}
    proved: set[tuple[object, ...]] = set()
    gaps: list[Gap] = []
    seen: set[tuple[str, str, str]] = set()
    for index, (file, row) in enumerate(rows_of(inv, site)):
        own = index - len(inv.province.flows) if file != PROVINCE else index
        for flow in resolve_row(inv, site, row, memo):
            proved.add(_shape(flow))
            for way, acl, packet in _gaps_of(flow, lists):
                if (flow.name, way, acl) in seen:
                    continue
                seen.add((flow.name, way, acl))
                fix = (
                    f"the row is in the table, so {acl} as rendered lost it: make the router's "
                    f"template render every section of {acl} (templates/cisco_ios/"
                    f"wan_router.j2), or let {packet.describe()} through before the deny"
                )
                gaps.append(Gap(flow, way, acl, packet, file, own, fix))
    for row in need_rows():
        for flow in resolve_row(inv, site, row, memo):
            if _shape(flow) in proved:
                continue  # the table's own flow, already evaluated
            for way, acl, packet in _gaps_of(flow, lists):
                if (flow.name, way, acl) in seen:
                    continue
                seen.add((flow.name, way, acl))
                fix = f"add to flows: in {PROVINCE} the row {_row_text(row)}"
                gaps.append(Gap(flow, way, acl, packet, PROVINCE, None, fix))
    return gaps


def rendered_acls(inv: Inventory, site: Site, secrets: Secrets) -> dict[str, list[Ace]]:
    """The inbound lists as the router's rendered configuration writes them (a Cisco router);
    a linux_router's chains are the same entries (intent.nft_rule), so its lists are taken
    from the intent."""
    router = site.device(Role.WAN_ROUTER)
    if router is None or router.platform is not Platform.CISCO_IOS:
        return site_acls(inv, site)
    from rollout.render import render_device

    found = extended_acls(render_device(inv, site, router, secrets).text)
    return {name: found.get(name, []) for name in (WAN_IN, CONFERENCE_IN)}


def flow_problems(
    inv: Inventory, slugs: Sequence[str], secrets: Secrets | None = None
) -> list[Problem]:
    """`rollout validate`: the gaps of the chosen sites, each with file, line and fix (proved
    on the rendered configurations when the secrets to render them are given)."""
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    for slug in slugs:
        site = inv.sites[slug]
        acls = rendered_acls(inv, site, secrets) if secrets is not None else None
        for gap in site_gaps(inv, site, acls):
            path: tuple[str | int, ...] = (
                ("flows",) if gap.row_index is None else ("flows", gap.row_index)
            )
            full = inv.root / gap.file
            if gap.file not in texts:
                texts[gap.file] = full.read_text(encoding="utf-8") if full.is_file() else ""
            line = line_of(texts[gap.file], path) if texts[gap.file] else None
            dotted = "flows" if gap.row_index is None else f"flows[{gap.row_index}]"
            problems.append(Problem(gap.file, dotted, f"{slug}: {gap.message()}", gap.fix, line))
    return problems
