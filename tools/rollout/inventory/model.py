"""The typed model of the repository's source of truth: one province file, one file per site.

Every model is frozen and rejects unknown keys. Cross-file rules live in ``checks.py``;
this module only says what one file may contain.
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
HOSTNAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
IFNAME_RE = re.compile(r"^[A-Za-z][A-Za-z-]*\d+(?:/\d+)*(?:\.\d+)?$")
DSCP_NAMES: dict[str, int] = {
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


class Platform(StrEnum):
    """How a device is managed; platform differences are data keyed by this."""

    CISCO_IOS = "cisco_ios"
    POLYCOM = "polycom"
    VMEETING = "vmeeting"
    LINUX_ROUTER = "linux_router"


class Role(StrEnum):
    WAN_ROUTER = "wan_router"
    LAN_SWITCH = "lan_switch"
    CODEC = "codec"
    ROOM_CLIENT = "room_client"


class Level(StrEnum):
    HUB = "hub"
    DISTRICT = "district"
    COMMUNE = "commune"


ROLE_PLATFORMS: dict[Role, frozenset[Platform]] = {
    Role.WAN_ROUTER: frozenset({Platform.CISCO_IOS, Platform.LINUX_ROUTER}),
    Role.LAN_SWITCH: frozenset({Platform.CISCO_IOS}),
    Role.CODEC: frozenset({Platform.POLYCOM}),
    Role.ROOM_CLIENT: frozenset({Platform.VMEETING}),
}


def _slug(value: str) -> str:
    if not SLUG_RE.match(value):
        raise ValueError(
            f"{value!r} is not a slug: use lower-case ASCII letters, digits and single dashes "
            "(e.g. 'bat-xat')"
        )
    return value


def _hostname(value: str) -> str:
    if not HOSTNAME_RE.match(value):
        raise ValueError(
            f"{value!r} is not a hostname: lower-case letters, digits and dashes, "
            "starting with a letter, at most 63 characters"
        )
    return value


def _ifname(value: str) -> str:
    if not IFNAME_RE.match(value):
        raise ValueError(f"{value!r} is not an interface name (e.g. 'GigabitEthernet0/0/1')")
    return value


def _dscp(value: str) -> str:
    if value.lower() not in DSCP_NAMES:
        raise ValueError(f"{value!r} is not a DSCP name; use one of {', '.join(DSCP_NAMES)}")
    return value.lower()


def _host_network(value: str) -> str:
    """A network written in canonical form (no host bits set)."""
    net = ipaddress.ip_network(value, strict=False)
    if str(net) != value:
        raise ValueError(f"{value!r} has host bits set; write the network as {net}")
    if net.version != 4:
        raise ValueError(f"{value!r}: only IPv4 networks are supported")
    return value


def _address(value: str) -> str:
    addr = ipaddress.ip_address(value)
    if addr.version != 4:
        raise ValueError(f"{value!r}: only IPv4 addresses are supported")
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Hostname = Annotated[str, AfterValidator(_hostname)]
IfName = Annotated[str, AfterValidator(_ifname)]
Dscp = Annotated[str, AfterValidator(_dscp)]
Network = Annotated[str, AfterValidator(_host_network)]
Address = Annotated[str, AfterValidator(_address)]
Kbps = Annotated[int, Field(gt=0, le=100_000_000)]
Percent = Annotated[int, Field(ge=0, le=100)]
VlanId = Annotated[int, Field(ge=2, le=4094)]
Code = Annotated[str, Field(pattern=r"^\d{2,5}$")]


def shaped_rate_kbps(rate_kbps: int, shape_percent: int) -> int:
    """The rate the WAN shaper sends at: shape_percent of the contracted rate (the one formula
    the templates, the HTB classes and the budget checks share)."""
    return rate_kbps * shape_percent // 100


def contract_for_kbps(need_kbps: int, class_percent: int, shape_percent: int) -> int:
    """The least contracted rate whose shaped rate gives a class of ``class_percent`` at least
    ``need_kbps`` (the inverse of shaped_rate_kbps and the class share, rounding included)."""
    rate = -(-need_kbps * 100 // class_percent) * 100 // shape_percent
    while shaped_rate_kbps(rate, shape_percent) * class_percent // 100 < need_kbps:
        rate += 1
    return rate


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --- province file -------------------------------------------------------------------------


class Service(Model):
    """A conference service at the hub (MCU, SIP registrar, H.323 gatekeeper, SLA responder).

    ``video_ports`` (MCU only) is the licensed number of video ports: an input from the
    licence, checked against the calls the sites may make at once (checks.py, capacity)."""

    address: Address
    kind: Literal["mcu", "sip_registrar", "h323_gatekeeper", "sla_responder"]
    description: str = ""
    video_ports: Annotated[int, Field(ge=1, le=10_000)] | None = None

    @model_validator(mode="after")
    def _ports_on_mcu(self) -> Service:
        if self.video_ports is not None and self.kind != "mcu":
            raise ValueError(f"video_ports is a property of an MCU, not of a {self.kind}")
        return self


class PortRange(Model):
    protocol: Literal["tcp", "udp"]
    purpose: str = ""
    first: Annotated[int, Field(ge=1, le=65535)]
    last: Annotated[int, Field(ge=1, le=65535)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> PortRange:
        if self.last is not None and self.last < self.first:
            raise ValueError(f"port range {self.first}-{self.last} is reversed")
        return self


class PortSpan(Model):
    """A range of ports, both ends included."""

    first: Annotated[int, Field(ge=1, le=65535)]
    last: Annotated[int, Field(ge=1, le=65535)]

    @model_validator(mode="after")
    def _ordered(self) -> PortSpan:
        if self.last < self.first:
            raise ValueError(f"port range {self.first}-{self.last} is reversed")
        return self


class MediaPorts(Model):
    """Port ranges of both ends of a backup-path call (inputs; vendor defaults cited in
    inventory/province.yml). The codec uses its fixed ports (rollout turns them on); the MCU
    takes media and H.245 ports from its own range."""

    codec_tcp: PortSpan = PortSpan(first=3230, last=3250)
    codec_udp: PortSpan = PortSpan(first=3230, last=3329)
    mcu_tcp: PortSpan = PortSpan(first=49152, last=65535)
    mcu_udp: PortSpan = PortSpan(first=49152, last=65535)


# --- the flows table -------------------------------------------------------------------------

FlowEnd = Literal[
    "codec",
    "room_client",
    "switch",
    "router",
    "mcu",
    "gatekeeper",
    "registrar",
    "sla_responder",
    "ntp",
    "syslog",
    "snmp_manager",
    "noc",
    "cloud",
    "sites",
]
# Port ranges a row may name instead of numbers: inputs of the province file.
PORT_REFS = (
    "media.codec_tcp",
    "media.codec_udp",
    "media.mcu_tcp",
    "media.mcu_udp",
    "sla.probes",
    "cloud.ports",
)
PORT_SPAN_RE = re.compile(r"^(\d{1,5})(?:-(\d{1,5}))?$")


def _port_spec(value: int | str) -> int | str:
    """A port (1720), a range ('3230-3329') or the name of a range of the province file."""
    if isinstance(value, int):
        if not 1 <= value <= 65535:
            raise ValueError(f"port {value} is outside 1-65535")
        return value
    if value in PORT_REFS:
        return value
    match = PORT_SPAN_RE.match(value)
    if not match:
        raise ValueError(
            f"{value!r} is not a port, a range 'first-last' or one of {', '.join(PORT_REFS)}"
        )
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    if not 1 <= first <= last <= 65535:
        raise ValueError(f"port range {value!r} must be ordered and within 1-65535")
    return value


def _listed(value: object) -> object:
    return [value] if isinstance(value, str) else value


PortSpec = Annotated[int | str, AfterValidator(_port_spec)]
FlowEnds = Annotated[list[FlowEnd], BeforeValidator(_listed), Field(min_length=1)]


class FlowRow(Model):
    """One conversation a site needs: who opens it (``from``) towards whom (``to``), over which
    protocol and destination ports. ``sip`` stands for the province's ``sip_transport``
    (udp/tcp on 5060, tls as tcp 5061). Roles name endpoints; flows.py resolves them per site."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, populate_by_name=True
    )

    name: Slug
    from_: FlowEnds = Field(alias="from")
    to: FlowEnds
    protocol: Literal["tcp", "udp", "icmp", "sip"]
    ports: PortSpec | None = None
    src_ports: PortSpec | None = None
    qos_class: Slug | None = Field(default=None, alias="class")
    reply: bool = Field(default=True, description="false: one-way (syslog, traps), no reply")
    purpose: Annotated[str, Field(min_length=1)]
    source: str = ""

    @model_validator(mode="after")
    def _ports_fit_protocol(self) -> FlowRow:
        if self.protocol in ("icmp", "sip") and (self.ports is not None or self.src_ports):
            what = "ICMP has no ports" if self.protocol == "icmp" else "sip takes its port"
            raise ValueError(
                f"flow {self.name!r}: {what} (from sip_transport); remove ports/src_ports"
            )
        if self.protocol in ("tcp", "udp") and self.ports is None:
            raise ValueError(f"flow {self.name!r}: give the destination ports of {self.protocol}")
        return self


class CloudService(Model):
    """The cloud meeting service (main path); its parameters are inputs, not verified facts."""

    name: str
    prefixes: Annotated[list[Network], Field(min_length=1)]
    ports: Annotated[list[PortRange], Field(min_length=1)]
    room_bandwidth_kbps: Kbps
    dscp: Dscp = "af41"
    source: str = Field(description="where these values come from")


class SnmpSettings(Model):
    user: str
    group: str
    managers: Annotated[list[Address], Field(min_length=1)]


class QosClass(Model):
    name: Slug
    dscp: Annotated[list[Dscp], Field(min_length=1)]
    percent: Annotated[int, Field(ge=1, le=100)]
    priority: bool = False
    description: str = ""


class QosPlan(Model):
    classes: Annotated[list[QosClass], Field(min_length=1)]
    video_class: Slug = "video"
    priority_max_percent: Percent = 33
    default_min_percent: Percent = 25
    call_overhead: Annotated[float, Field(ge=1.0, le=2.0)] = 1.2
    # The shaper sends at this share of the contracted rate: room for the provider's layer-2
    # overhead, so that its queue never drops what ours admitted. Class percentages are of it.
    shape_percent: Annotated[int, Field(ge=50, le=100)] = 95

    @model_validator(mode="after")
    def _consistent(self) -> QosPlan:
        names = [c.name for c in self.classes]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"QoS class names must be unique; repeated: {', '.join(dupes)}")
        if self.video_class not in names:
            raise ValueError(f"video_class {self.video_class!r} is not one of the classes {names}")
        seen: dict[str, str] = {}
        for cls in self.classes:
            for d in cls.dscp:
                if d in seen:
                    raise ValueError(f"DSCP {d} is in both {seen[d]!r} and {cls.name!r}")
                seen[d] = cls.name
        total = sum(c.percent for c in self.classes)
        if total > 100 - self.default_min_percent:
            raise ValueError(
                f"the classes reserve {total} % of the link, leaving {100 - total} % for "
                f"default traffic; keep at least {self.default_min_percent} % "
                f"(lower some class percentages by {total - (100 - self.default_min_percent)} %)"
            )
        return self


class Thresholds(Model):
    """Conference quality limits (ITU-T G.114, Y.1541 class 0); verification judges against them."""

    one_way_delay_ms: Annotated[float, Field(gt=0)] = 150
    jitter_ms: Annotated[float, Field(gt=0)] = 30
    loss_percent: Annotated[float, Field(ge=0, le=100)] = 1.0
    loss_percent_hd: Annotated[float, Field(ge=0, le=100)] = 0.05
    mos_min: Annotated[float, Field(ge=1, le=5)] = 3.6


class WeatherProfile(Model):
    """WAN conditions the network lab imposes (per direction): named, so a soak can schedule them.

    ``jitter_ms`` is the standard deviation of the per-packet delay (packets stay in order);
    ``rate_percent`` scales the contracted rate; a flapping link is down ``flap_down_s``
    seconds in every ``flap_period_s``.
    """

    delay_ms: Annotated[float, Field(ge=0, le=5000)] = 0
    jitter_ms: Annotated[float, Field(ge=0, le=1000)] = 0
    loss_percent: Annotated[float, Field(ge=0, le=100)] = 0
    rate_percent: Annotated[int, Field(ge=1, le=100)] = 100
    flap_period_s: Annotated[float, Field(ge=0)] = 0
    flap_down_s: Annotated[float, Field(ge=0)] = 0
    description: str = ""

    @model_validator(mode="after")
    def _flaps(self) -> WeatherProfile:
        if self.flap_down_s and self.flap_down_s >= self.flap_period_s:
            raise ValueError(
                f"flap_down_s {self.flap_down_s} must be shorter than flap_period_s "
                f"{self.flap_period_s}"
            )
        return self


class VlanTemplate(Model):
    id: VlanId
    name: Slug
    prefix_length: Annotated[int, Field(ge=24, le=30)]


class HostOffsets(Model):
    """Where devices sit inside their VLAN: host number within the subnet."""

    gateway: Annotated[int, Field(ge=1)] = 1
    switch: Annotated[int, Field(ge=1)] = 2
    codec: Annotated[int, Field(ge=1)] = 10
    room_client: Annotated[int, Field(ge=1)] = 11


class Pools(Model):
    """Address pools the allocator carves sites from."""

    site_lan: Network
    site_prefix_length: Annotated[int, Field(ge=16, le=28)] = 24
    wan_links: Network
    wan_link_prefix_length: Literal[30, 31] = 30
    loopbacks: Network
    lan_layout: Annotated[list[VlanTemplate], Field(min_length=1)]
    hosts: HostOffsets = HostOffsets()


class SlaProbes(Model):
    """IP SLA udp-jitter probes from each site router to the hub's responder."""

    port_ef: Annotated[int, Field(ge=1024, le=65535)] = 16384
    port_video: Annotated[int, Field(ge=1024, le=65535)] = 16386
    port_signalling: Annotated[int, Field(ge=1024, le=65535)] = 16388
    port_default: Annotated[int, Field(ge=1024, le=65535)] = 16390
    frequency_s: Annotated[int, Field(ge=10, le=3600)] = 60

    @model_validator(mode="after")
    def _distinct_ports(self) -> SlaProbes:
        ports = self.ports()
        if len(set(ports)) != len(ports):
            raise ValueError(
                f"the probe ports must differ (port_ef, port_video, port_signalling, "
                f"port_default: {', '.join(map(str, ports))}); give each class its own port"
            )
        return self

    def ports(self) -> tuple[int, ...]:
        return (self.port_ef, self.port_video, self.port_signalling, self.port_default)


class Credentials(Model):
    """Names only; the values are in the vault (``vault_*``)."""

    admin_user: str = "noc"
    admin_password: str = "vault_admin_password"
    enable_secret: str = "vault_enable_secret"
    snmp_auth: str = "vault_snmp_auth_key"
    snmp_priv: str = "vault_snmp_priv_key"
    codec_admin_password: str = "vault_codec_admin_password"
    codec_sip_password: str = "vault_codec_sip_password"
    hash_seed: str = "vault_hash_seed"
    # The linux_router admin's private key (OpenSSH ed25519 text), for key-only SSH logins.
    linux_router_admin_key: str | None = None


class Province(Model):
    name: str
    code: Code
    domain: str
    hub: Slug
    timezone: str = "ICT 7 0"
    services: dict[Slug, Service]
    cloud: CloudService
    noc_prefixes: Annotated[list[Network], Field(min_length=1)]
    ntp_servers: Annotated[list[Address], Field(min_length=1)]
    syslog_servers: Annotated[list[Address], Field(min_length=1)]
    snmp: SnmpSettings
    qos: QosPlan
    thresholds: Thresholds = Thresholds()
    weather: dict[Slug, WeatherProfile] = Field(default_factory=dict)
    pools: Pools
    flows: Annotated[list[FlowRow], Field(min_length=1)]
    media: MediaPorts = MediaPorts()
    sip_transport: Literal["tcp", "udp", "tls"] = "tcp"
    sla: SlaProbes = SlaProbes()
    credentials: Credentials = Credentials()
    archive_path: str = "flash:archive/"
    revert_minutes: Annotated[int, Field(ge=1, le=120)] = 5


# --- site file -----------------------------------------------------------------------------


class Wan(Model):
    provider: str
    rate_kbps: Kbps = Field(
        description="contracted rate; the shaper sends at qos.shape_percent of it"
    )
    port_kbps: Kbps = 1_000_000
    link: Network = Field(
        description="the /30 (provider .1, site .2) or /31 (RFC 3021: provider the lower "
        "address, site the higher) towards the provider edge"
    )

    @model_validator(mode="after")
    def _rate(self) -> Wan:
        if self.rate_kbps > self.port_kbps:
            raise ValueError(
                f"rate_kbps {self.rate_kbps} exceeds port_kbps {self.port_kbps}: the contracted "
                "rate cannot be above the port speed"
            )
        if ipaddress.ip_network(self.link).prefixlen not in (30, 31):
            raise ValueError(f"link {self.link} must be a /30 or /31")
        return self


class Vlan(Model):
    id: VlanId
    name: Slug
    subnet: Network


class Conference(Model):
    simultaneous_video_calls: Annotated[int, Field(ge=0, le=64)] = 1
    call_rate_kbps: Annotated[int, Field(ge=64, le=8192)] = 2048


class DeviceBase(Model):
    hostname: Hostname
    model: str
    mgmt_address: Address


class Router(DeviceBase):
    role: Literal[Role.WAN_ROUTER]
    platform: Literal[Platform.CISCO_IOS, Platform.LINUX_ROUTER] = Platform.CISCO_IOS
    wan_interface: IfName
    lan_interface: IfName


class Switch(DeviceBase):
    role: Literal[Role.LAN_SWITCH]
    platform: Literal[Platform.CISCO_IOS] = Platform.CISCO_IOS
    uplink: IfName
    codec_port: IfName
    room_client_port: IfName


class Codec(DeviceBase):
    role: Literal[Role.CODEC]
    platform: Literal[Platform.POLYCOM] = Platform.POLYCOM
    display_name: Annotated[str, Field(min_length=1, max_length=64)]
    e164: Annotated[str, Field(pattern=r"^\d{3,15}$")]
    gatekeeper: Slug
    registrar: Slug
    call_rate_kbps: Annotated[int, Field(ge=64, le=8192)] = 2048


class RoomClient(DeviceBase):
    role: Literal[Role.ROOM_CLIENT]
    platform: Literal[Platform.VMEETING] = Platform.VMEETING
    room_id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{2,40}$")]
    display_name: Annotated[str, Field(min_length=1, max_length=64)]
    bandwidth_kbps: Kbps


Device = Annotated[Router | Switch | Codec | RoomClient, Field(discriminator="role")]


class Site(Model):
    slug: Slug
    name: Annotated[str, Field(min_length=1)]
    code: Code
    level: Level
    block: Network = Field(description="the site's LAN block, carved into its VLANs")
    loopback: Network
    wan: Wan
    conference: Conference = Conference()
    vlans: Annotated[list[Vlan], Field(min_length=1)]
    devices: Annotated[list[Device], Field(min_length=1)]
    flows: list[FlowRow] = Field(
        default_factory=list, description="conversations this site needs beyond the province's"
    )
    # Fields still holding a stand-in value (`rollout new-site` without --code writes the code
    # as one); a live run refuses the site until the field is set and removed from this list.
    placeholders: list[Literal["code"]] = Field(default_factory=list)

    def device(self, role: Role) -> Router | Switch | Codec | RoomClient | None:
        return next((d for d in self.devices if d.role == role), None)

    def vlan(self, name: str) -> Vlan | None:
        return next((v for v in self.vlans if v.name == name), None)
