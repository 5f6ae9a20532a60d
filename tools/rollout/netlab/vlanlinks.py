"""The network lab's stand-in for 802.1Q: ``network.local`` in the router's folder.

The rendered ``network.sh`` creates each VLAN sub-interface with ``vlan_link PARENT NAME VLAN``
(``ip link add link PARENT name NAME type vlan id VLAN``, ip-link(8)). This machine's kernel has
no 802.1Q: ``ip link add ... type vlan`` answers "Unknown device type" (measured here, like the
missing dummy interfaces and netem). ``network.sh`` sources ``network.local`` when it is there
(a real router has none), and the lab's redefines ``vlan_link``: the conference VLAN becomes a
veth whose peer is ``eth0`` of the LAN namespace, whose hosts get their addresses and default
route again (what the switch and the hosts keep across a router reboot); every other VLAN a veth
pair inside the router (peer ``x<VLAN>``). The rest of ``network.sh`` (addresses, link state,
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


def network_local(hosts: ConferenceHosts, mgmt_link: str) -> str:
    q = shlex.quote
    for address in hosts.addresses:
        ipaddress.IPv4Interface(address)  # a typo here would otherwise surface as a shell error
    lan = q(hosts.lan_ns)
    adds = "".join(
        f"\t\tip -n {lan} addr replace {q(a)} dev eth0 || return 1\n" for a in hosts.addresses
    )
    return f"""# Written by rollout netlab (not managed by rollout): this kernel has no 802.1Q, so a
# VLAN sub-interface is a veth; the conference VLAN's peer is eth0 of {hosts.lan_ns}.
vlan_link() {{
\tcase "$3" in
\t{hosts.vlan})
\t\tip link add "$2" type veth peer name eth0 netns {lan} || return 1
\t\tip link set dev "$2" up || return 1
\t\tip -n {lan} link set dev eth0 up || return 1
{adds}\t\tip -n {lan} route replace default via {q(hosts.gateway)} || return 1
\t\t;;
\t*)
\t\tip link add "$2" type veth peer name "x$3" || return 1
\t\tip link set dev "x$3" up
\t\t;;
\tesac
}}
sysctl -qw net.ipv4.conf.{mgmt_link}.forwarding=0 2>/dev/null || true
"""
