"""The flows table resolved for one site, and the router's access lists derived from it.

``inventory/province.yml`` (``flows:``, plus a site file's own ``flows:``) names every
conversation a site needs by role. Here each row becomes concrete flows for a site (addresses,
ports, which side of the router each end is on), and the flows become the entries of WAN-IN,
CONFERENCE-IN and CLOUD-MEETING: the request where it enters the router, and its reply
(stateless lists: TCP replies by ``established``, UDP replies by their source ports).

``site_flows(inv, site)`` is the interface other parts (the network lab's per-flow test) use.
"""

from __future__ import annotations

import functools
import ipaddress
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from rollout.acl import Ace, Span, ios_net, ios_span
from rollout.inventory.loader import Inventory
from rollout.inventory.model import FlowRow, Level, Province, Role, Site

IPv4Net = ipaddress.IPv4Network
Crossing = Literal["inbound", "outbound", "local"]
Protocol = Literal["tcp", "udp", "icmp"]

WAN_IN = "WAN-IN"
CONFERENCE_IN = "CONFERENCE-IN"
CLOUD_MEETING = "CLOUD-MEETING"
WAN = "wan"
ROUTER = "router"
# The inbound list a packet meets where it enters the router (templates/cisco_ios/wan_router.j2
# and the nftables chains of templates/linux_router): the management VLAN and the router's own
# packets meet none.
INGRESS_ACL: dict[str, str] = {WAN: WAN_IN, "conference": CONFERENCE_IN}
DENY_REMARK = "everything else is dropped and logged"
REMARK_MAX = 100  # IOS accepts a remark of up to 100 characters

# SIP: the transport of the province (sip_transport) gives the protocol and the port.
SIP_PORTS: dict[str, tuple[Protocol, int]] = {"udp": ("udp", 5060), "tcp": ("tcp", 5060)}
SIP_PORTS["tls"] = ("tcp", 5061)

DEVICE_ROLES: dict[str, Role] = {
    "codec": Role.CODEC,
    "room_client": Role.ROOM_CLIENT,
    "switch": Role.LAN_SWITCH,
}
SERVICE_KINDS: dict[str, str] = {
    "mcu": "mcu",
    "gatekeeper": "h323_gatekeeper",
    "registrar": "sip_registrar",
    "sla_responder": "sla_responder",
}


@dataclass(frozen=True)
class ResolvedFlow:
    """One concrete conversation of a site, as the router sees it.

    ``src``/``dst`` are IPv4 networks in prefix form (a host is a /32); ``opener`` opens the
    conversation from ``src`` towards ``dst``. ``crossing`` is relative to the site's router:
    inbound (opened from beyond the WAN), outbound (opened at the site towards the WAN) or
    local (both ends at the site). ``request_acl``/``reply_acl`` are the inbound lists the
    request and its reply meet (None: no list on that way in, or no reply).
    """

    name: str
    row: str
    purpose: str
    protocol: Protocol
    src: str
    dst: str
    dst_ports: Span | None
    src_ports: Span | None
    opener: str
    responder: str
    crossing: Crossing
    src_zone: str
    dst_zone: str
    request_acl: str | None
    reply_acl: str | None
    qos_class: str | None = None
    source: str = ""
    reply: bool = True  # False: one-way (syslog, traps); no reply is expected or let in

    @property
    def acls(self) -> tuple[str, ...]:
        """The access lists that carry this flow (request and reply), in that order."""
        return tuple(dict.fromkeys(a for a in (self.request_acl, self.reply_acl) if a))


@dataclass(frozen=True)
class _End:
    role: str
    net: IPv4Net
    zone: str


@functools.lru_cache(maxsize=1 << 16)
def _net(text: str) -> IPv4Net:
    return IPv4Net(text)


def zone_of(site: Site, net: IPv4Net) -> str:
    """Where an address sits for the site's router: 'router', a VLAN's name, or 'wan'."""
    first, last = int(net.network_address), int(net.broadcast_address)
    places = [(site.loopback, ROUTER)] + [(v.subnet, v.name) for v in site.vlans]
    for text, name in places:
        place = _net(text)
        if int(place.network_address) <= first and last <= int(place.broadcast_address):
            return name
    return WAN


def _services(p: Province, kind: str) -> list[str]:
    return [s.address for s in p.services.values() if s.kind == kind]


def _role_nets(inv: Inventory, site: Site, role: str) -> list[str]:
    p = inv.province
    if role in DEVICE_ROLES:
        dev = site.device(DEVICE_ROLES[role])
        return [f"{dev.mgmt_address}/32"] if dev is not None else []
    if role == "router":
        return [site.loopback] if site.device(Role.WAN_ROUTER) is not None else []
    if role in ("gatekeeper", "registrar") and site.level is not Level.HUB:
        codec = site.device(Role.CODEC)
        name = getattr(codec, role, None)
        if name in p.services:
            return [f"{p.services[name].address}/32"]
    if role in SERVICE_KINDS:
        return [f"{a}/32" for a in _services(p, SERVICE_KINDS[role])]
    listed: dict[str, list[str]] = {
        "ntp": [f"{a}/32" for a in p.ntp_servers],
        "dns": [f"{a}/32" for a in site.resolvers(p.dns_servers)],
        "syslog": [f"{a}/32" for a in p.syslog_servers],
        "snmp_manager": [f"{a}/32" for a in p.snmp.managers],
        "noc": list(p.noc_prefixes),
        "cloud": list(p.cloud.prefixes),
        "sites": [p.pools.site_lan] if site.level is Level.HUB else [],
    }
    return listed[role]


def _remote(p: Province, role: str) -> list[str]:
    """The same role at every other site, as the hub sees it (aggregates of the pools)."""
    if role == "router":
        return [p.pools.loopbacks]
    if role in DEVICE_ROLES:
        return [p.pools.site_lan]
    return []


def _ends(inv: Inventory, site: Site, role: str) -> list[_End]:
    ends = []
    for text in _role_nets(inv, site, role):
        net = _net(text)
        ends.append(_End(role, net, zone_of(site, net)))
    return ends


def _spans(p: Province, protocol: str, spec: int | str | None) -> list[Span | None]:
    if spec is None:
        return [None]
    if isinstance(spec, int):
        return [(spec, spec)]
    media = {
        "media.codec_tcp": p.media.codec_tcp,
        "media.codec_udp": p.media.codec_udp,
        "media.mcu_tcp": p.media.mcu_tcp,
        "media.mcu_udp": p.media.mcu_udp,
    }
    if spec in media:
        return [(media[spec].first, media[spec].last)]
    if spec == "sla.probes":
        return [(port, port) for port in p.sla.ports()]
    if spec == "cloud.ports":
        return [(c.first, c.last or c.first) for c in p.cloud.ports if c.protocol == protocol]
    first, _, last = spec.partition("-")
    return [(int(first), int(last or first))]


def _protocol_ports(p: Province, row: FlowRow) -> tuple[Protocol, list[Span | None]]:
    if row.protocol == "sip":
        protocol, port = SIP_PORTS[p.sip_transport]
        return protocol, [(port, port)]
    protocol = row.protocol
    return protocol, _spans(p, protocol, row.ports)


def _name(row: FlowRow, opener: str, responder: str) -> str:
    many_from, many_to = len(row.from_) > 1, len(row.to) > 1
    if many_from and many_to:
        return f"{row.name}/{opener}-{responder}"
    if many_from:
        return f"{row.name}/{opener}"
    if many_to:
        return f"{row.name}/{responder}"
    return row.name


def _pairs(
    inv: Inventory, site: Site, opener: str, responder: str, memo: dict[str, list[_End]]
) -> Iterator[tuple[_End, _End]]:
    for role in (opener, responder):
        if role not in memo:
            memo[role] = _ends(inv, site, role)
    srcs, dsts = memo[opener], memo[responder]
    for s in srcs:
        for d in dsts:
            if s.net != d.net and not (s.zone == WAN and d.zone == WAN):
                yield s, d
    if site.level is not Level.HUB:
        return
    # The hub also serves every site: a site device's role reaches the hub's end from its pool.
    for role, here, flip in ((opener, dsts, False), (responder, srcs, True)):
        for text in _remote(inv.province, role):
            far = _End(role, _net(text), WAN)
            for end in here:
                if end.zone != WAN:
                    yield (end, far) if flip else (far, end)


def _crossing(src_zone: str, dst_zone: str) -> Crossing:
    if src_zone == WAN:
        return "inbound"
    if dst_zone == WAN:
        return "outbound"
    return "local"


def _acl_on_way(from_zone: str, to_zone: str) -> str | None:
    """The inbound list a packet from one zone to another meets (none inside one VLAN)."""
    if from_zone == to_zone:
        return None
    return INGRESS_ACL.get(from_zone)


def rows_of(inv: Inventory, site: Site) -> list[tuple[str, FlowRow]]:
    """The table rows that apply to the site, with the file each comes from."""
    return [("inventory/province.yml", r) for r in inv.province.flows] + [
        (inv.display(site.slug) if site.slug in inv.files else "", r) for r in site.flows
    ]


def resolve_row(
    inv: Inventory, site: Site, row: FlowRow, memo: dict[str, list[_End]] | None = None
) -> list[ResolvedFlow]:
    """One row of the table as the site's concrete flows (memo: the site's ends by role)."""
    memo = {} if memo is None else memo
    protocol, spans = _protocol_ports(inv.province, row)
    src_spans = _spans(inv.province, protocol, row.src_ports) if protocol != "icmp" else [None]
    flows: list[ResolvedFlow] = []
    for opener in row.from_:
        for responder in row.to:
            name = _name(row, opener, responder)
            for s, d in _pairs(inv, site, opener, responder, memo):
                for span in spans:
                    for src_span in src_spans:
                        flows.append(
                            ResolvedFlow(
                                name=name,
                                row=row.name,
                                purpose=row.purpose,
                                protocol=protocol,
                                src=str(s.net),
                                dst=str(d.net),
                                dst_ports=span,
                                src_ports=src_span,
                                opener=opener,
                                responder=responder,
                                crossing=_crossing(s.zone, d.zone),
                                src_zone=s.zone,
                                dst_zone=d.zone,
                                request_acl=_acl_on_way(s.zone, d.zone),
                                reply_acl=_acl_on_way(d.zone, s.zone) if row.reply else None,
                                reply=row.reply,
                                qos_class=row.qos_class,
                                source=row.source,
                            )
                        )
    return flows


@dataclass(frozen=True)
class _Resolved:
    rows: list[tuple[FlowRow, list[ResolvedFlow]]]
    sections: dict[str, list[tuple[str, list[Ace]]]]


_CACHE: OrderedDict[tuple[int, int], tuple[Inventory, Site, _Resolved]] = OrderedDict()
CACHE_SITES = 256  # a render of the province asks for each router's lists several times


def _resolved(inv: Inventory, site: Site) -> _Resolved:
    """The site's rows resolved once, and its lists derived once (cached by identity: the
    inventory and its sites are frozen)."""
    key = (id(inv), id(site))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is inv and hit[1] is site:
        _CACHE.move_to_end(key)
        return hit[2]
    memo: dict[str, list[_End]] = {}
    rows = [(row, resolve_row(inv, site, row, memo)) for _, row in rows_of(inv, site)]
    value = _Resolved(rows, {acl: _sections(rows, acl) for acl in (WAN_IN, CONFERENCE_IN)})
    _CACHE[key] = (inv, site, value)
    if len(_CACHE) > CACHE_SITES:
        _CACHE.popitem(last=False)
    return value


def site_flows(inv: Inventory, site: Site) -> list[ResolvedFlow]:
    """Every concrete flow of the site: the province's table, then the site's own rows."""
    return [f for _, flows in _resolved(inv, site).rows for f in flows]


# --- access lists derived from the flows ----------------------------------------------------


def request_ace(flow: ResolvedFlow) -> Ace:
    """The entry that lets the flow's request in where it enters the router."""
    src = ios_net(flow.src)
    if flow.src_ports is not None:
        src = f"{src} {ios_span(flow.protocol, flow.src_ports)}"
    port = ios_span(flow.protocol, flow.dst_ports) if flow.dst_ports else ""
    extra = "echo" if flow.protocol == "icmp" else ""
    return Ace("permit", flow.protocol, src, ios_net(flow.dst), port, extra)


def reply_ace(flow: ResolvedFlow) -> Ace:
    """The entry that lets the reply back: stateless, so it names the request's ports the
    other way round (TCP: only segments of an open connection, `established`)."""
    src = ios_net(flow.dst)
    if flow.dst_ports is not None:
        src = f"{src} {ios_span(flow.protocol, flow.dst_ports)}"
    port = ios_span(flow.protocol, flow.src_ports) if flow.src_ports else ""
    extra = {"tcp": "established", "icmp": "echo-reply"}.get(flow.protocol, "")
    return Ace("permit", flow.protocol, src, ios_net(flow.src), port, extra)


def _remark(row: FlowRow, replies_only: bool) -> str:
    text = f"{row.name}{' replies' if replies_only else ''}: {row.purpose}"
    return text if len(text) <= REMARK_MAX else text[: REMARK_MAX - 3].rstrip() + "..."


def acl_sections(inv: Inventory, site: Site, acl: str) -> list[tuple[str, list[Ace]]]:
    """The named inbound list for the site: one remarked section per table row (its requests
    and replies that enter there), each entry once, then the logged deny."""
    derived = _resolved(inv, site)
    if acl in derived.sections:
        return [(remark, list(aces)) for remark, aces in derived.sections[acl]]
    return _sections(derived.rows, acl)


def _sections(
    rows: list[tuple[FlowRow, list[ResolvedFlow]]], acl: str
) -> list[tuple[str, list[Ace]]]:
    seen: set[Ace] = set()
    sections: list[tuple[str, list[Ace]]] = []
    for row, flows in rows:
        aces: list[Ace] = []
        requests = 0
        for flow in flows:
            for make, carried, is_request in (
                (request_ace, flow.request_acl, True),
                (reply_ace, flow.reply_acl, False),
            ):
                if carried != acl:
                    continue
                ace = make(flow)
                if ace not in seen:
                    seen.add(ace)
                    aces.append(ace)
                    requests += is_request
        if aces:
            sections.append((_remark(row, requests == 0), aces))
    sections.append((DENY_REMARK, [Ace("deny", "ip", "any", "any", extra="log")]))
    return sections


def marking_aces(inv: Inventory, site: Site) -> list[Ace]:
    """CLOUD-MEETING: the requests towards the cloud service that enter from the conference
    VLAN with a QoS class (the room client leaves them unmarked; the router marks them)."""
    aces: list[Ace] = []
    for flow in site_flows(inv, site):
        if flow.responder == "cloud" and flow.qos_class and flow.request_acl == CONFERENCE_IN:
            ace = request_ace(flow)
            if ace not in aces:
                aces.append(ace)
    return aces


# What reaches a device's own management plane: SSH to its vty lines, SNMP polls to its agent.
MANAGEMENT_PORTS: frozenset[tuple[str, Span]] = frozenset({("tcp", (22, 22)), ("udp", (161, 161))})


def management_sources(inv: Inventory, site: Site, role: str) -> list[str]:
    """The sources the table lets reach the device's SSH or SNMP (the standard list NOC-MGMT
    of its vty lines and SNMP group), in table order."""
    sources: list[str] = []
    for flow in site_flows(inv, site):
        opens = flow.dst_ports is not None and (flow.protocol, flow.dst_ports) in MANAGEMENT_PORTS
        if flow.responder == role and opens and flow.src not in sources:
            sources.append(flow.src)
    return sources


def flat(sections: Iterable[tuple[str, list[Ace]]]) -> list[Ace]:
    """A sectioned list as the device evaluates it: the entries in order."""
    return [ace for _, aces in sections for ace in aces]
