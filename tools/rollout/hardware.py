"""Supported Cisco hardware: port names, operating system and factory (day-0) lines, as data.

Each model's data is copied from a public ``show running-config`` of that model (or, where
noted, of its closest sibling), cited next to the data. What a source does not show is
listed in ``unconfirmed``. Nothing here is taken from this repository's templates.

``MODELS[name]`` is the interface other modules use:

* ``.ports``       every physical port the running configuration lists, in its order;
* ``.mgmt_port``   the out-of-band management port (one of ``ports``);
* ``.data_ports``  the ports a site may use (``ports`` without the management port);
* ``.os``          :class:`OsFamily` (``ios`` or ``iosxe``);
* ``.day0_lines``  the factory configuration (platform lines and every port) without
  hostname, accounts or SSH, in running-config order, as IOS shows it;
* ``.port_lines``  what an unconfigured data port shows (its body in the running config).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

DEFAULT_SERIAL = "FDO0000A0AA"
DEFAULT_TPID = "1000000000"


class OsFamily(StrEnum):
    IOS = "ios"
    IOSXE = "iosxe"


@dataclass(frozen=True, slots=True)
class HardwareModel:
    name: str
    role: str
    """``wan_router`` or ``lan_switch``: what the model can be in a site."""
    os: OsFamily
    version: str
    """The running config's ``version`` line as the cited source shows it."""
    ports: tuple[str, ...]
    mgmt_port: str
    mgmt_lines: tuple[str, ...]
    """Body of the management port's section (VRF membership, no address, shutdown)."""
    port_lines: tuple[str, ...]
    head: tuple[str, ...]
    """Factory lines shown before the interfaces."""
    tail: tuple[str, ...]
    """Factory lines shown after the interfaces."""
    source: str
    unconfirmed: tuple[str, ...] = field(default=())

    @property
    def data_ports(self) -> tuple[str, ...]:
        return tuple(p for p in self.ports if p != self.mgmt_port)

    @property
    def udi_pid(self) -> str:
        """The product id ``license udi pid`` shows (``ISR4321/K9``)."""
        return f"{self.name}/K9" if self.name.startswith("ISR") else self.name

    @property
    def day0_lines(self) -> tuple[str, ...]:
        """The factory configuration of a unit with a placeholder serial number."""
        return self.day0(DEFAULT_SERIAL, DEFAULT_TPID)

    def day0(self, serial: str, tpid: str) -> tuple[str, ...]:
        """The factory configuration of one unit (its serial and self-signed id filled in)."""
        lines = [f"version {self.version}", *self.head]
        for port in self.ports:
            body = self.mgmt_lines if port == self.mgmt_port else self.port_lines
            lines += [f"interface {port}", *(f" {b}" for b in body), "!"]
        return tuple(
            line.replace("{pid}", self.udi_pid).replace("{serial}", serial).replace("{tpid}", tpid)
            for line in (*lines, *self.tail)
        )

    def port_defaults(self, name: str) -> tuple[str, ...] | None:
        """What port ``name`` shows when reset (``no interface``), None when not a port."""
        if name == self.mgmt_port:
            return self.mgmt_lines
        return self.port_lines if name in self.ports else None


def _range(prefix: str, first: int, last: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{n}" for n in range(first, last + 1))


# ISR 4000 on IOS-XE 16.6 (Everest). Sources (public `show running-config` outputs):
#  - ISR4321/K9, IOS-XE "version 15.5" (3.16): github.com/milanDewilde/VirtueleNetwerken
#    opdracht01/proefopstellingLabo4/R1Configuration.md — `no platform punt-keepalive
#    disable-kernel-core`, `vrf definition Mgmt-intf` (ipv4 + ipv6 address families),
#    `no aaa new-model`, `subscriber templating`, `multilink bundle-name authenticated`,
#    `license udi pid ISR4321/K9 sn …`, `spanning-tree extend system-id`, `redundancy` /
#    ` mode none`, `vlan internal allocation policy ascending`, `interface GigabitEthernet0`
#    / ` vrf forwarding Mgmt-intf` / ` no ip address` / ` shutdown` / ` negotiation auto`,
#    unused `GigabitEthernet0/0/1` as ` no ip address` / ` shutdown` / ` negotiation auto`,
#    `ip forward-protocol nd`, `no ip http server`, `no ip http secure-server`,
#    `ip tftp source-interface GigabitEthernet0`, `control-plane`, `line con 0` /
#    ` stopbits 1`, `line aux 0` / ` stopbits 1`.
#  - ISR4321/K9 and ISR4331/K9 on "version 16.6": public GitHub running configs found by
#    the strings `license udi pid ISR4321/K9` and `license udi pid ISR4331/K9 sn FLM24440DC5`
#    (hostname Router-B): `platform qfp utilization monitor load 80`, `diagnostic bootup
#    level minimal`, ports GigabitEthernet0/0/0-2 + GigabitEthernet0 on the ISR4331.
_ISR_HEAD = (
    "service timestamps debug datetime msec",
    "service timestamps log datetime msec",
    "platform qfp utilization monitor load 80",
    "no platform punt-keepalive disable-kernel-core",
    "!",
    "boot-start-marker",
    "boot-end-marker",
    "!",
    "vrf definition Mgmt-intf",
    " !",
    " address-family ipv4",
    " exit-address-family",
    " !",
    " address-family ipv6",
    " exit-address-family",
    "!",
    "no aaa new-model",
    "!",
    "subscriber templating",
    "multilink bundle-name authenticated",
    "!",
    "license udi pid {pid} sn {serial}",
    "diagnostic bootup level minimal",
    "spanning-tree extend system-id",
    "!",
    "redundancy",
    " mode none",
    "!",
    "vlan internal allocation policy ascending",
    "!",
)
_ISR_TAIL = (
    "ip forward-protocol nd",
    "no ip http server",
    "no ip http secure-server",
    "ip tftp source-interface GigabitEthernet0",
    "!",
    "control-plane",
    "!",
    "line con 0",
    " stopbits 1",
    "line aux 0",
    " stopbits 1",
    "!",
)
_ISR_PORT = ("no ip address", "shutdown", "negotiation auto")
_ISR_MGMT = ("vrf forwarding Mgmt-intf", "no ip address", "shutdown", "negotiation auto")
_ISR_SOURCE = (
    "github.com/milanDewilde/VirtueleNetwerken opdracht01/proefopstellingLabo4/"
    "R1Configuration.md (ISR4321/K9); public ISR4321/ISR4331 16.6 running configs"
)
_ISR_UNCONFIRMED = (
    "the cited outputs are IOS-XE 15.5 (3.16) and 16.6; 16.9 and 17.x add lines not shown "
    "here (17.x: `platform punt-keepalive disable-kernel-core` without `no`, "
    "`login on-success log`, SLA-TrustPoint and TP-self-signed PKI trustpoints)",
    "whether an unused port is shut on a factory-new ISR (the sources show it shut)",
)

# Catalyst 2960-X on IOS 15.2(x)E. Source: a public GitHub running config (hostname
# DK-P1-SW01, found by the string `switch 1 provision ws-c2960x-24ps-l`): `version 15.2`,
# `no service pad`, `no service password-encryption`, `no aaa new-model`,
# `switch 1 provision ws-c2960x-24ps-l`, `spanning-tree mode pvst`, `spanning-tree extend
# system-id`, `vlan internal allocation policy ascending`, `interface FastEthernet0` /
# ` no ip address` / ` shutdown`, GigabitEthernet1/0/1-28 (unused ones as a bare
# `interface` line), `interface Vlan1` / ` no ip address` / ` shutdown`, `ip http server`,
# `ip http secure-server`, `line con 0`, `line vty 5 15`.
_C2960X = HardwareModel(
    name="WS-C2960X-24PS-L",
    role="lan_switch",
    os=OsFamily.IOS,
    version="15.2",
    ports=("FastEthernet0", *_range("GigabitEthernet1/0/", 1, 28)),
    mgmt_port="FastEthernet0",
    mgmt_lines=("no ip address", "shutdown"),
    port_lines=(),
    head=(
        "no service pad",
        "service timestamps debug datetime msec",
        "service timestamps log datetime msec",
        "no service password-encryption",
        "!",
        "boot-start-marker",
        "boot-end-marker",
        "!",
        "no aaa new-model",
        "switch 1 provision ws-c2960x-24ps-l",
        "!",
        "spanning-tree mode pvst",
        "spanning-tree extend system-id",
        "!",
        "vlan internal allocation policy ascending",
        "!",
    ),
    tail=(
        "interface Vlan1",
        " no ip address",
        " shutdown",
        "!",
        "ip http server",
        "ip http secure-server",
        "!",
        "line con 0",
        "line vty 5 15",
        "!",
    ),
    source="public GitHub running config of a WS-C2960X-24PS-L (hostname DK-P1-SW01)",
    unconfirmed=(
        "the source's version line is `15.2` without the train; 15.2(7)E is assumed",
        "FastEthernet0 shut on a factory-new switch (the source shows it shut)",
    ),
)

# Catalyst 9200 on IOS-XE 17. Source: github.com/LibGR/CUBCalifornieDocs
# docs/Infrastructure/Configurations/SwitchLv3.md (a C9200L-24T-4G, `version 17.6`):
# `platform punt-keepalive disable-kernel-core`, `vrf definition Mgmt-vrf`, `no aaa
# new-model`, `switch 1 provision c9200l-24t-4g`, `login on-success log`, the
# `SLA-TrustPoint` and `TP-self-signed-…` trustpoints with their certificate chains,
# `license boot level network-essentials addon dna-essentials`, `diagnostic bootup level
# minimal`, `spanning-tree mode rapid-pvst`, `memory free low-watermark processor 10626`,
# `redundancy` / ` mode sso`, `transceiver type all` / ` monitoring`, `policy-map
# system-cpp-policy`, `interface GigabitEthernet0/0` / ` vrf forwarding Mgmt-vrf` /
# ` no ip address` / ` shutdown`, GigabitEthernet1/0/1-24 and 1/1/1-4 as bare `interface`
# lines, `ip forward-protocol nd`, `ip http server`, `ip http authentication local`,
# `ip http secure-server`, `control-plane` / ` service-policy input system-cpp-policy`,
# `line con 0` / ` stopbits 1`, `line aux 0`. The certificate blobs below are the first
# lines of the self-signed and SLA-TrustPoint CA certificates from an earlier version of the
# same file (a unit's self-signed certificate differs; the lab does not parse blobs).
_C9200_HEAD = (
    "service timestamps debug datetime msec",
    "service timestamps log datetime msec",
    "platform punt-keepalive disable-kernel-core",
    "!",
    "vrf definition Mgmt-vrf",
    " !",
    " address-family ipv4",
    " exit-address-family",
    " !",
    " address-family ipv6",
    " exit-address-family",
    "!",
    "no aaa new-model",
    "switch 1 provision c9200-24p",
    "!",
    "login on-success log",
    "!",
    "crypto pki trustpoint SLA-TrustPoint",
    " enrollment pkcs12",
    " revocation-check crl",
    "!",
    "crypto pki trustpoint TP-self-signed-{tpid}",
    " enrollment selfsigned",
    " subject-name cn=IOS-Self-Signed-Certificate-{tpid}",
    " revocation-check none",
    " rsakeypair TP-self-signed-{tpid}",
    "!",
    "crypto pki certificate chain TP-self-signed-{tpid}",
    " certificate self-signed 01",
    "  30820330 30820218 A0030201 02020101 300D0609 2A864886 F70D0101 05050030",
    "  31312F30 2D060355 04031326 494F532D 53656C66 2D536967 6E65642D 43657274",
    "  \tquit",
    "crypto pki certificate chain SLA-TrustPoint",
    " certificate ca 01",
    "  30820321 30820209 A0030201 02020101 300D0609 2A864886 F70D0101 0B050030",
    "  32310E30 0C060355 040A1305 43697363 6F312030 1E060355 04031317 43697363",
    "  6F204C69 63656E73 696E6720 526F6F74 20434130 1E170D31 33303533 30313934",
    "  \tquit",
    "!",
    "license boot level network-essentials addon dna-essentials",
    "!",
    "diagnostic bootup level minimal",
    "!",
    "spanning-tree mode rapid-pvst",
    "spanning-tree extend system-id",
    "memory free low-watermark processor 10626",
    "!",
    "redundancy",
    " mode sso",
    "!",
    "transceiver type all",
    " monitoring",
    "!",
    "policy-map system-cpp-policy",
    "!",
)
_C9200_TAIL = (
    "interface Vlan1",
    " no ip address",
    " shutdown",
    "!",
    "ip forward-protocol nd",
    "ip http server",
    "ip http authentication local",
    "ip http secure-server",
    "!",
    "control-plane",
    " service-policy input system-cpp-policy",
    "!",
    "line con 0",
    " stopbits 1",
    "line aux 0",
    "!",
)
_C9200 = HardwareModel(
    name="C9200-24P",
    role="lan_switch",
    os=OsFamily.IOSXE,
    version="17.6",
    ports=(
        "GigabitEthernet0/0",
        *_range("GigabitEthernet1/0/", 1, 24),
        *_range("GigabitEthernet1/1/", 1, 4),
    ),
    mgmt_port="GigabitEthernet0/0",
    mgmt_lines=("vrf forwarding Mgmt-vrf", "no ip address", "shutdown"),
    port_lines=(),
    head=_C9200_HEAD,
    tail=_C9200_TAIL,
    source=(
        "github.com/LibGR/CUBCalifornieDocs docs/Infrastructure/Configurations/SwitchLv3.md "
        "(C9200L-24T-4G, 17.6)"
    ),
    unconfirmed=(
        "the source is a C9200L-24T-4G; a C9200-24P is assumed to show the same lines with "
        "`switch 1 provision c9200-24p`",
        "C9200-24P uplinks GigabitEthernet1/1/1-4 assume the C9200-NM-4G module "
        "(C9200-NM-4X shows TenGigabitEthernet1/1/1-4)",
        "the 29 `system-cpp-police-*` class-maps and the call-home block of the source are "
        "left out; the certificate blob is shortened",
    ),
)


def _isr(name: str, last_port: int) -> HardwareModel:
    return HardwareModel(
        name=name,
        role="wan_router",
        os=OsFamily.IOSXE,
        version="16.6",
        ports=(*_range("GigabitEthernet0/0/", 0, last_port), "GigabitEthernet0"),
        mgmt_port="GigabitEthernet0",
        mgmt_lines=_ISR_MGMT,
        port_lines=_ISR_PORT,
        head=_ISR_HEAD,
        tail=_ISR_TAIL,
        source=_ISR_SOURCE,
        unconfirmed=_ISR_UNCONFIRMED,
    )


MODELS: dict[str, HardwareModel] = {
    m.name: m
    for m in (
        _isr("ISR4321", 1),
        _isr("ISR4331", 2),
        _C2960X,
        _C9200,
    )
}


def model(name: str) -> HardwareModel | None:
    return MODELS.get(name)
