"""The intent of a Polycom Group Series codec (templates/polycom/codec.j2): its call settings,
QoS marking, fixed media ports and LAN address, in the API's terms (docs/codec.md)."""

from __future__ import annotations

from dataclasses import dataclass

from rollout.errors import RolloutError
from rollout.intent.base import DeviceIntent, IPv4Net, host_in, identity, required_vlan
from rollout.inventory.loader import Inventory
from rollout.inventory.model import DNS_SERVERS_MAX, DSCP_NAMES, Codec, Site
from rollout.secrets import VAULT_FILE, Secrets

# What 'tcpports set' / 'udpports set' accept as a fixed-port base (docs/codec.md).
PORT_BASE_RANGE = (1024, 49150)


@dataclass(frozen=True, kw_only=True)
class PolycomCodecIntent(DeviceIntent):
    display_name: str
    e164: str
    call_rate_kbps: int
    gatekeeper: str
    registrar: str
    sip_password: str  # the SIP digest password; the admin password is the API login itself
    tcp_base: int  # fixed ports: the codec takes the base of each range, the ACLs the range
    udp_base: int
    dscp_audio: int
    dscp_video: int
    dscp_fecc: int
    ntp_server: str
    dns_slots: tuple[str, ...]  # the four DNS slots ("" = cleared); () when none is named
    vlan_tagging: bool  # False: untagged on an access port (the only port lan_switch.j2 has)
    # The codec sits untagged on the switch's access port in the conference VLAN
    # (lan_switch.j2), so it gets its address, mask and gateway there and no VLAN tag.
    address: str
    mask: str
    gateway: str


def dns_slots(servers: list[str]) -> tuple[str, ...]:
    """The codec's DNS slots 1..4 for the province's resolvers: the rest cleared ("").

    No resolver named: () and DNS is not managed (the codec keeps what it has)."""
    if not servers:
        return ()
    return tuple(servers) + ("",) * (DNS_SERVERS_MAX - len(servers))


def polycom_codec_intent(
    inv: Inventory, site: Site, dev: Codec, secrets: Secrets
) -> PolycomCodecIntent:
    p = inv.province
    dscp = DSCP_NAMES
    voice = next(c for c in p.qos.classes if c.priority)
    video = next(c for c in p.qos.classes if c.name == p.qos.video_class)
    signalling = next((c for c in p.qos.classes if "cs3" in c.dscp), None)
    conf = required_vlan(inv, site, "conference")
    low, high = PORT_BASE_RANGE
    for proto, span in (("tcp", p.media.codec_tcp), ("udp", p.media.codec_udp)):
        if not low <= span.first <= high:
            raise RolloutError(
                f"inventory/province.yml: media.codec_{proto}.first is {span.first}; the codec "
                f"takes a fixed-port base in {low}..{high}",
                f"set media.codec_{proto}.first inside that range (the default is 3230)",
            )
    sip_password = secrets[p.credentials.codec_sip_password]
    if not sip_password or any(ch in sip_password for ch in '"\r\n'):
        raise RolloutError(
            f"the vault's {p.credentials.codec_sip_password} cannot be sent through the codec's "
            "API (empty, or it holds a double quote or a line break)",
            f"choose another value with `ansible-vault edit {VAULT_FILE}`",
        )
    return PolycomCodecIntent(
        **identity(inv, site, dev),
        display_name=dev.display_name,
        e164=dev.e164,
        call_rate_kbps=dev.call_rate_kbps,
        gatekeeper=p.services[dev.gatekeeper].address,
        registrar=p.services[dev.registrar].address,
        sip_password=sip_password,
        tcp_base=p.media.codec_tcp.first,
        udp_base=p.media.codec_udp.first,
        dscp_audio=dscp[voice.dscp[0]],
        dscp_video=dscp[video.dscp[0]],
        dscp_fecc=dscp[signalling.dscp[0]] if signalling else dscp["cs3"],
        ntp_server=p.ntp_servers[0],
        dns_slots=dns_slots(site.resolvers(p.dns_servers)),
        vlan_tagging=False,
        address=dev.mgmt_address,
        mask=str(IPv4Net(conf.subnet).netmask),
        gateway=host_in(conf.subnet, p.pools.hosts.gateway),
    )
