"""The province file: services, flows, QoS plan, thresholds, pools, credentials."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, model_validator

from rollout.inventory.model.base import (
    Address,
    Code,
    Dscp,
    Kbps,
    Model,
    Network,
    Percent,
    Slug,
    VlanId,
)


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
    "dns",
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


# The codec holds up to four DNS servers ("A server identification number {1..4} is required":
# incu6us/POLYCOM polycom-api/.../commands/Dns.java, the HDX API's dns command).
DNS_SERVERS_MAX = 4


def distinct(values: list[str]) -> list[str]:
    """The values, each once (a list validator: a repeated value is refused)."""
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"each address once; repeated: {', '.join(repeated)}")
    return values


class Credentials(Model):
    """Names only; the values are in the vault (``vault_*``)."""

    admin_user: str = "noc"
    admin_password: str = "vault_admin_password"
    enable_secret: str = "vault_enable_secret"
    snmp_auth: str = "vault_snmp_auth_key"
    snmp_priv: str = "vault_snmp_priv_key"
    codec_admin_password: str = "vault_codec_admin_password"
    # The codec's admin password before a rotation: optional in the vault. When the intended
    # one is refused, the driver logs in with it and plans the change (docs/codec.md).
    codec_admin_password_previous: str = "vault_codec_admin_password_previous"
    codec_sip_password: str = "vault_codec_sip_password"
    hash_seed: str = "vault_hash_seed"
    # The linux_router admin's private key (OpenSSH ed25519 text), for key-only SSH logins.
    linux_router_admin_key: str | None = None


class Province(Model):
    name: str
    code: Code = Field(
        description="the province's official code in the register (rollout.register)"
    )
    # Whose units the sites are: `official` checks every site against the official register
    # (rollout.register); `synthetic` is for a generated province (the benchmark) whose units
    # are invented, and skips that check.
    units: Literal["official", "synthetic"] = "official"
    domain: str
    hub: Slug
    timezone: str = "ICT 7 0"
    services: dict[Slug, Service]
    cloud: CloudService
    noc_prefixes: Annotated[list[Network], Field(min_length=1)]
    ntp_servers: Annotated[list[Address], Field(min_length=1)]
    syslog_servers: Annotated[list[Address], Field(min_length=1)]
    # The resolvers the sites' codecs and room clients use (flows role `dns`); none: the
    # codec's DNS is not managed and no DNS flow is opened (docs/province.md, docs/codec.md).
    dns_servers: Annotated[
        list[Address], Field(max_length=DNS_SERVERS_MAX), AfterValidator(distinct)
    ] = Field(default_factory=list)
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
