"""The network lab's stand-in for 802.1Q: ``network.local`` in the router's folder.

The rendered ``network.sh`` creates each VLAN sub-interface with ``vlan_link PARENT NAME VLAN``
(``ip link add link PARENT name NAME type vlan id VLAN``, ip-link(8)). This machine's kernel has
no 802.1Q: ``ip link add ... type vlan`` answers "Unknown device type" (measured here, like the
missing dummy interfaces and netem). ``network.sh`` sources ``network.local`` when it is there
(a real router has none), and the lab's redefines ``vlan_link``: the conference VLAN becomes a
veth whose peer is ``eth0`` of the LAN namespace, whose hosts get their addresses and default
route again (what the switch and the hosts keep across a router reboot); the management VLAN a
veth whose peer is ``eth1`` of the LAN namespace, with the switch's management address (its
traffic leaves through the management VLAN's gateway: a routing table and a rule of its own, since
the namespace's default route is the conference VLAN's); every other VLAN a veth pair inside the
router (peer ``x<VLAN>``). The rest of ``network.sh`` (addresses, link state,
removal of sub-interfaces the plan no longer has) runs as on a real router.

It also turns forwarding off again on the management link: setting ``net.ipv4.ip_forward``
"resets all configuration parameters to their default state" (kernel ip-sysctl.rst,
ip_forward), which a boot (forwarding 0 -> 1) does to ``mgmt0`` too.
"""

from __future__ import annotations

import ipaddress
import shlex
from dataclasses import dataclass


@dataclass(frozen=True)
class ConferenceHosts:
    """The conference VLAN's side in the LAN namespace."""

    vlan: int
    lan_ns: str
    addresses: tuple[str, ...]  # the codec's and the room client's, with the VLAN's prefix length
    gateway: str


@dataclass(frozen=True)
class ManagementHost:
    """The management VLAN's side in the LAN namespace: the switch's management address."""

    vlan: int
    address: str  # with the VLAN's prefix length
    gateway: str
    table: str  # the LAN namespace's routing table for traffic from the address


def _management_case(lan: str, mgmt: ManagementHost) -> str:
    q = shlex.quote
    host = q(str(ipaddress.IPv4Interface(mgmt.address).ip))
    return (
        f"\t{mgmt.vlan})\n"
        f'\t\tip link add "$2" type veth peer name eth1 netns {lan} || return 1\n'
        f'\t\tip link set dev "$2" up || return 1\n'
        f"\t\tip -n {lan} link set dev eth1 up || return 1\n"
        f"\t\tip -n {lan} addr replace {q(mgmt.address)} dev eth1 || return 1\n"
        f"\t\tip -n {lan} route replace default via {q(mgmt.gateway)} dev eth1 "
        f"table {q(mgmt.table)} || return 1\n"
        f"\t\tip -n {lan} rule del from {host} lookup {q(mgmt.table)} 2>/dev/null\n"
        f"\t\tip -n {lan} rule add from {host} lookup {q(mgmt.table)} pref 100 || return 1\n"
        "\t\t;;\n"
    )


def network_local(
    hosts: ConferenceHosts, mgmt_link: str, management: ManagementHost | None = None
) -> str:
    q = shlex.quote
    for address in hosts.addresses:
        ipaddress.IPv4Interface(address)  # a typo here would otherwise surface as a shell error
    lan = q(hosts.lan_ns)
    adds = "".join(
        f"\t\tip -n {lan} addr replace {q(a)} dev eth0 || return 1\n" for a in hosts.addresses
    )
    return f"""# Written by rollout netlab (not managed by rollout): this kernel has no 802.1Q, so a
# VLAN sub-interface is a veth; the conference VLAN's peer is eth0 of {hosts.lan_ns}, the
# management VLAN's eth1.
vlan_link() {{
\tcase "$3" in
\t{hosts.vlan})
\t\tip link add "$2" type veth peer name eth0 netns {lan} || return 1
\t\tip link set dev "$2" up || return 1
\t\tip -n {lan} link set dev eth0 up || return 1
{adds}\t\tip -n {lan} route replace default via {q(hosts.gateway)} || return 1
\t\t;;
{_management_case(lan, management) if management else ""}\t*)
\t\tip link add "$2" type veth peer name "x$3" || return 1
\t\tip link set dev "x$3" up
\t\t;;
\tesac
}}
sysctl -qw net.ipv4.conf.{mgmt_link}.forwarding=0 2>/dev/null || true
"""
