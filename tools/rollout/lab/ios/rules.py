"""Cisco IOS 15.x command rules, as data.

Everything the simulator knows about the IOS command language lives here: which first
keywords each configuration mode accepts, which commands open a sub-mode (and its prompt),
which commands hold a single value per key (so a new value replaces the old one), which
negated forms IOS shows in the running configuration, and how IOS orders the running
configuration. The interpreter in :mod:`rollout.lab.ios.config` is generic over these tables.

Syntax lines (``MODE_SYNTAX``) are keyword paths; the last element may be a placeholder:

* ``+``  one or more free tokens (arguments) follow, required;
* ``~``  like ``+`` but the argument text is kept as typed (descriptions, remarks);
* ``*``  exactly one free token, then the path may continue;
* ``#``  exactly one numeric token, then the path may continue;
* ``.``  the command is complete and takes no further tokens.

A path without a final placeholder is a complete command that tolerates extra tokens.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

# --------------------------------------------------------------------------- modes

ROOT_MODE = "config"


@dataclass(frozen=True, slots=True)
class Opener:
    """A command that opens a sub-mode when entered in a given mode."""

    pattern: tuple[str, ...]
    """Tokens: literal keyword, ``*`` any token, ``#`` numeric token, ``*.*`` token with a dot,
    ``%`` a token that is not a number, ``-:`` a token without a colon, ``$`` end of line."""
    mode: str
    flat: bool = False
    """The sub-mode's lines are stored in the parent section (``ip sla`` operations)."""
    raw_until: str = ""
    """The sub-mode reads raw lines until this word (certificates: ``quit``)."""


@dataclass(frozen=True, slots=True)
class ModeInfo:
    prompt: str
    """What goes between ``(`` and ``)#`` in the prompt."""
    footer: str = ""
    """Line IOS prints (and accepts) to close the section, e.g. ``exit-address-family``."""
    lenient: bool = False
    """Accept any command (rarely used modes): parent modes are tried first."""
    numbered: bool = False
    """Lines may start with a number (ACL sequence numbers, object-group addresses)."""
    sequenced: bool = False
    """Entries carry IOS sequence numbers (named access lists)."""


MODES: dict[str, ModeInfo] = {
    "config": ModeInfo("config"),
    "config-if": ModeInfo("config-if"),
    "config-subif": ModeInfo("config-subif"),
    "config-router": ModeInfo("config-router"),
    "config-router-af": ModeInfo("config-router-af", footer="exit-address-family"),
    # EIGRP named mode (IOS 15.0(1)M+ / IOS-XE): `af-interface` and `topology` sections of an
    # address family, closed by their own footers (tests/data/ios-public/csr1000v/
    # labval-eigrp-dc1border.cfg, from batfish/lab-validation; github.com/devops-user/otus
    # homeworks_prof/homework_21/readme.md: `af-interface Loopback0` / ` passive-interface` /
    # `exit-af-interface`, `topology base` / ` auto-summary` / `exit-af-topology`).
    "config-router-af-interface": ModeInfo(
        "config-router-af-interface", footer="exit-af-interface"
    ),
    "config-router-af-topology": ModeInfo("config-router-af-topology", footer="exit-af-topology"),
    "config-router-stmp": ModeInfo("config-router-stmp", footer="exit-peer-session"),
    "config-router-ptmp": ModeInfo("config-router-ptmp", footer="exit-peer-policy"),
    "config-rtr": ModeInfo("config-rtr"),
    "config-route-map": ModeInfo("config-route-map"),
    "config-cmap": ModeInfo("config-cmap"),
    "config-pmap": ModeInfo("config-pmap"),
    "config-pmap-c": ModeInfo("config-pmap-c"),
    "config-pmap-c-police": ModeInfo("config-pmap-c-police"),
    "config-ext-nacl": ModeInfo("config-ext-nacl", numbered=True, sequenced=True),
    "config-std-nacl": ModeInfo("config-std-nacl", numbered=True, sequenced=True),
    "config-ipv6-acl": ModeInfo("config-ipv6-acl"),
    "config-line": ModeInfo("config-line"),
    "config-ip-sla": ModeInfo("config-ip-sla"),
    "config-ip-sla-jitter": ModeInfo("config-ip-sla-jitter"),
    "config-ip-sla-echo": ModeInfo("config-ip-sla-echo"),
    "config-ip-sla-udp": ModeInfo("config-ip-sla-udp"),
    "config-ip-sla-tcp": ModeInfo("config-ip-sla-tcp"),
    "config-ip-sla-http": ModeInfo("config-ip-sla-http"),
    "config-ip-sla-dns": ModeInfo("config-ip-sla-dns"),
    "config-ip-sla-pathEcho": ModeInfo("config-ip-sla-pathEcho"),
    "config-ip-sla-icmpjitter": ModeInfo("config-ip-sla-icmpjitter"),
    "config-archive": ModeInfo("config-archive"),
    "config-archive-log-cfg": ModeInfo("config-archive-log-cfg"),
    "config-vlan": ModeInfo("config-vlan"),
    "config-keychain": ModeInfo("config-keychain"),
    "config-keychain-key": ModeInfo("config-keychain-key"),
    "config-isakmp": ModeInfo("config-isakmp"),
    "conf-isa-prof": ModeInfo("conf-isa-prof", lenient=True),
    "cfg-crypto-trans": ModeInfo("cfg-crypto-trans"),
    "ipsec-profile": ModeInfo("ipsec-profile"),
    "config-crypto-map": ModeInfo("config-crypto-map"),
    "conf-keyring": ModeInfo("conf-keyring"),
    "ca-trustpoint": ModeInfo("ca-trustpoint", lenient=True),
    "config-pubkey-chain": ModeInfo("config-pubkey-chain", lenient=True),
    "config-cert-chain": ModeInfo("config-cert-chain"),
    "config-pubkey": ModeInfo("config-pubkey"),
    "config-cp": ModeInfo("config-cp"),
    "dhcp-config": ModeInfo("dhcp-config"),
    "config-track": ModeInfo("config-track"),
    "config-network-group": ModeInfo("config-network-group", numbered=True),
    "config-service-group": ModeInfo("config-service-group"),
    "config-vrf": ModeInfo("config-vrf"),
    "config-vrf-af": ModeInfo("config-vrf-af", footer="exit-address-family"),
    "config-red": ModeInfo("config-red", lenient=True),
    "config-sg-radius": ModeInfo("config-sg-radius"),
    "config-sg-tacacs+": ModeInfo("config-sg-tacacs+"),
    "config-applet": ModeInfo("config-applet"),
    "config-mst": ModeInfo("config-mst"),
    "config-sec-zone": ModeInfo("config-sec-zone"),
    "config-sec-zone-pair": ModeInfo("config-sec-zone-pair"),
    "config-profile": ModeInfo("config-profile", lenient=True),
    "config-dial-peer": ModeInfo("config-dial-peer", lenient=True),
    "cfg-ip-expl-path": ModeInfo("cfg-ip-expl-path", lenient=True),
    "config-flow-record": ModeInfo("config-flow-record", lenient=True),
    "config-flow-exporter": ModeInfo("config-flow-exporter", lenient=True),
    "config-flow-monitor": ModeInfo("config-flow-monitor", lenient=True),
    "config-if-range": ModeInfo("config-if-range"),
    "config-xcvr-type": ModeInfo("config-xcvr-type"),
    # `call-home` / ` contact-email-addr …` / ` profile "CiscoTAC-1"` / `  active` /
    # `  destination transport-method http` (C9200L 17.6: tests/data/ios-public/cat9200/
    # cubcal-SwitchLv3.cfg, from github.com/LibGR/CUBCalifornieDocs). Its other commands are
    # not listed: accepted leniently.
    "cfg-call-home": ModeInfo("cfg-call-home", lenient=True),
    "cfg-call-home-profile": ModeInfo("cfg-call-home-profile", lenient=True),
}

# Commands that open sub-modes, per mode. First match wins.
OPENERS: dict[str, tuple[Opener, ...]] = {
    "config": (
        Opener(("interface", "range"), "config-if-range"),
        Opener(("interface", "*.*"), "config-subif"),
        Opener(("interface", "*"), "config-if"),
        Opener(("router", "*"), "config-router"),
        Opener(("ipv6", "router", "*"), "config-rtr"),
        Opener(("route-map", "*"), "config-route-map"),
        Opener(("class-map", "*"), "config-cmap"),
        Opener(("policy-map", "*"), "config-pmap"),
        Opener(("ip", "access-list", "extended", "*"), "config-ext-nacl"),
        Opener(("ip", "access-list", "standard", "*"), "config-std-nacl"),
        Opener(("ipv6", "access-list", "*"), "config-ipv6-acl"),
        Opener(("line", "*"), "config-line"),
        Opener(("ip", "sla", "#"), "config-ip-sla"),
        Opener(("archive",), "config-archive"),
        Opener(("vlan", "#"), "config-vlan"),
        Opener(("key", "chain", "*"), "config-keychain"),
        Opener(("crypto", "isakmp", "policy", "*"), "config-isakmp"),
        Opener(("crypto", "isakmp", "profile", "*"), "conf-isa-prof"),
        Opener(("crypto", "ipsec", "transform-set", "*"), "cfg-crypto-trans"),
        Opener(("crypto", "ipsec", "profile", "*"), "ipsec-profile"),
        Opener(("crypto", "map", "*", "#"), "config-crypto-map"),
        Opener(("crypto", "keyring", "*"), "conf-keyring"),
        Opener(("crypto", "pki", "trustpoint", "*"), "ca-trustpoint"),
        Opener(("crypto", "pki", "certificate", "chain", "*"), "config-cert-chain"),
        Opener(("crypto", "key", "pubkey-chain", "rsa"), "config-pubkey-chain"),
        Opener(("control-plane",), "config-cp"),
        Opener(("ip", "dhcp", "pool", "*"), "dhcp-config"),
        Opener(("track", "#"), "config-track"),
        Opener(("object-group", "network", "*"), "config-network-group"),
        Opener(("object-group", "service", "*"), "config-service-group"),
        Opener(("ip", "vrf", "*"), "config-vrf"),
        Opener(("vrf", "definition", "*"), "config-vrf"),
        Opener(("redundancy",), "config-red"),
        Opener(("aaa", "group", "server", "radius", "*"), "config-sg-radius"),
        Opener(("aaa", "group", "server", "tacacs+", "*"), "config-sg-tacacs+"),
        Opener(("event", "manager", "applet", "*"), "config-applet"),
        Opener(("spanning-tree", "mst", "configuration"), "config-mst"),
        Opener(("zone", "security", "*"), "config-sec-zone"),
        Opener(("zone-pair", "security", "*"), "config-sec-zone-pair"),
        Opener(("parameter-map", "type", "*", "*"), "config-profile"),
        Opener(("dial-peer", "voice", "#", "*"), "config-dial-peer"),
        Opener(("ip", "explicit-path", "*"), "cfg-ip-expl-path"),
        Opener(("flow", "record", "*"), "config-flow-record"),
        Opener(("flow", "exporter", "*"), "config-flow-exporter"),
        Opener(("flow", "monitor", "*"), "config-flow-monitor"),
        # `transceiver type all` / ` monitoring` (C9200L 17.6 running config,
        # github.com/LibGR/CUBCalifornieDocs docs/Infrastructure/Configurations/SwitchLv3.md).
        Opener(("transceiver", "type", "*"), "config-xcvr-type"),
        Opener(("call-home",), "cfg-call-home"),
    ),
    "cfg-call-home": (Opener(("profile", "*"), "cfg-call-home-profile"),),
    "config-router": (
        Opener(("address-family", "*"), "config-router-af"),
        Opener(("template", "peer-session", "*"), "config-router-stmp"),
        Opener(("template", "peer-policy", "*"), "config-router-ptmp"),
    ),
    "config-router-af": (
        Opener(("af-interface", "*"), "config-router-af-interface"),
        Opener(("topology", "*"), "config-router-af-topology"),
    ),
    "config-vrf": (Opener(("address-family", "*"), "config-vrf-af"),),
    "config-pmap": (Opener(("class", "*"), "config-pmap-c"),),
    "config-pmap-c": (Opener(("police", "*"), "config-pmap-c-police"),),
    "config-ip-sla": (
        Opener(("udp-jitter", "*"), "config-ip-sla-jitter", flat=True),
        Opener(("icmp-echo", "*"), "config-ip-sla-echo", flat=True),
        Opener(("udp-echo", "*"), "config-ip-sla-udp", flat=True),
        Opener(("tcp-connect", "*"), "config-ip-sla-tcp", flat=True),
        Opener(("http", "*"), "config-ip-sla-http", flat=True),
        Opener(("dns", "*"), "config-ip-sla-dns", flat=True),
        Opener(("path-echo", "*"), "config-ip-sla-pathEcho", flat=True),
        Opener(("icmp-jitter", "*"), "config-ip-sla-icmpjitter", flat=True),
    ),
    "config-archive": (Opener(("log", "config"), "config-archive-log-cfg"),),
    "config-keychain": (Opener(("key", "#"), "config-keychain-key"),),
    # A certificate's hex body follows its line up to `quit`, unless the line names the file
    # that holds it: IOS-XE 17.6 shows `certificate self-signed 01 nvram:IOS-Self-Sig#1D.cer`
    # with no body (tests/data/ios-public/cat9200/cubcal-SwitchLv3.cfg, from
    # github.com/LibGR/CUBCalifornieDocs). ``-:`` is a token without a colon.
    "config-cert-chain": (
        Opener(("certificate", "-:", "$"), "config-pubkey", raw_until="quit"),
        Opener(("certificate", "*", "-:", "$"), "config-pubkey", raw_until="quit"),
    ),
}

# Sections whose address families IOS shows with `unicast`: EIGRP named mode (`router eigrp`
# with a name, ``%`` = a token that is not a number) shows `address-family ipv4 unicast
# autonomous-system 103` (tests/data/ios-public/csr1000v/labval-eigrp-dc1border.cfg, from
# batfish/lab-validation; the public named-mode outputs cited at _EIGRP_AF_SYNTAX); the word
# is added when typed without it (Cisco's EIGRP named-mode guide types `address-family ipv4
# autonomous-system 45000`). Everywhere else IOS drops it: `address-family ipv4` under
# `router bgp` and `vrf definition` (tests/data/ios-public/csr1000v, isr4321).
AF_UNICAST_SHOWN: tuple[tuple[str, ...], ...] = (("router", "eigrp", "%"),)

# ------------------------------------------------------------------- mode syntax

_IF_SYNTAX = """
description ~
ip address +
ip access-group +
ip helper-address +
ip nat inside .
ip nat outside .
ip nat enable .
ip mtu +
ip tcp adjust-mss +
ip tcp header-compression
ip ospf +
ip pim sparse-mode
ip pim dense-mode
ip pim sparse-dense-mode
ip pim dr-priority +
ip pim passive
ip pim bsr-border
ip pim query-interval +
ip igmp join-group +
ip igmp version +
ip igmp static-group +
ip igmp query-interval +
ip igmp helper-address +
ip policy route-map +
ip vrf forwarding +
ip vrf receive +
ip flow ingress
ip flow egress
ip flow monitor +
ip route-cache
ip redirects
ip unreachables
ip proxy-arp
ip local-proxy-arp
ip directed-broadcast
ip virtual-reassembly
ip verify unicast +
ip dhcp relay +
ip dhcp client +
ip dhcp snooping +
ip summary-address +
ip split-horizon
ip authentication +
ip hello-interval +
ip hold-time +
ip nbar +
ip accounting +
ip mask-reply
ip information-reply
ip rip +
ip mroute-cache
ip load-sharing +
ip unnumbered +
ip inspect * in .
ip inspect * out .
ip wccp * redirect +
ip router isis
ip bandwidth-percent +
ip sap +
ip cgmp
ipv6 address +
ipv6 enable
ipv6 nd +
ipv6 ospf +
ipv6 traffic-filter +
ipv6 mtu +
ipv6 unreachables
ipv6 redirects
ipv6 dhcp server +
ipv6 dhcp client +
ipv6 dhcp relay +
ipv6 verify +
ipv6 mld +
ipv6 pim
ipv6 rip +
ipv6 eigrp +
ipv6 policy +
ipv6 router +
ipv6 virtual-reassembly
shutdown .
bandwidth +
delay +
mtu +
speed +
duplex +
negotiation +
media-type +
encapsulation +
load-interval +
keepalive
cdp enable .
lldp transmit .
lldp receive .
service-policy +
switchport
spanning-tree +
channel-group +
channel-protocol +
storm-control +
tunnel +
vrf forwarding +
standby +
vrrp +
glbp +
hold-queue +
tx-ring-limit +
logging event +
snmp trap +
fair-queue
random-detect
priority-queue +
mls qos +
auto qos +
power inline +
pppoe enable
pppoe-client +
ppp +
dialer +
dialer-group +
peer +
crypto map * .
crypto ipsec +
zone-member security +
xconnect +
bfd interval +
bfd echo
mpls ip .
mpls mtu +
mpls traffic-eng +
carrier-delay +
dampening
flowcontrol +
udld port +
queue-set +
srr-queue +
arp timeout +
arp arpa .
backup +
clock rate +
dce-terminal-timing-enable
physical-layer +
pvc +
frame-relay +
ntp disable .
ntp broadcast +
macro description +
authentication +
dot1x pae +
dot1x timeout +
mab
traffic-shape +
rate-limit +
max-reserved-bandwidth +
isis +
atm +
mop enabled
mop sysid
no-op
source template +
nameif +
"""

_ROUTER_SYNTAX = """
router-id +
network +
passive-interface +
redistribute +
default-information +
area +
auto-cost +
log-adjacency-changes
distance +
distribute-list +
maximum-paths +
timers +
summary-address +
bgp +
neighbor +
aggregate-address +
synchronization
auto-summary
default-metric +
metric +
eigrp +
version +
compatible +
ispf
max-metric +
nsf
table-map +
capability +
variance +
offset-list +
traffic-share +
is-type +
net +
metric-style +
mpls +
ip ospf +
default +
"""

_AF_SYNTAX = """
bgp +
neighbor +
network +
aggregate-address +
redistribute +
maximum-paths +
default-information +
distance +
auto-summary
synchronization
table-map +
default-metric +
distribute-list +
rd +
route-target +
import +
export +
maximum +
"""

# EIGRP named mode. Lines shown in public running configs: `network`, `eigrp router-id`,
# `af-interface default` / `af-interface <port>`, `topology base` in the address family;
# `passive-interface`, `no passive-interface`, `summary-address`, `authentication mode md5`,
# `authentication key-chain`, `hello-interval`, `hold-time`, `bandwidth-percent`,
# `no next-hop-self`, `no split-horizon` under `af-interface`; `redistribute`,
# `auto-summary` under `topology base` (tests/data/ios-public/csr1000v/
# labval-eigrp-dc1border.cfg from batfish/lab-validation; github.com/devops-user/otus
# homeworks_prof/homework_21/readme.md; github.com/sergl352130/OTUS_NE_Homeworks
# Labs/Hw08/README.md; DMVPN show-run excerpts in public notes, code index ids 38969173191
# and 30276849147). The other keywords are those of the Cisco IP Routing: EIGRP Command
# Reference for these modes; how IOS shows them is unconfirmed (docs/hardware.md).
_EIGRP_AF_SYNTAX = """
af-interface +
topology +
eigrp +
metric +
nsf
shutdown .
timers +
remote-neighbors +
exit-af-topology .
exit-af-interface .
"""
_EIGRP_AF_IF_SYNTAX = """
authentication +
bandwidth-percent +
bfd
dampening-change +
dampening-interval +
hello-interval +
hold-time +
next-hop-self
passive-interface
shutdown .
split-horizon
summary-address +
stub-site +
exit-af-interface .
"""
_EIGRP_TOPOLOGY_SYNTAX = """
redistribute +
distance +
default-metric +
distribute-list +
maximum-paths +
variance +
offset-list +
traffic-share +
summary-metric +
auto-summary
timers +
metric +
eigrp +
fast-reroute +
snmp +
exit-af-topology .
"""

_SLA_OP_SYNTAX = """
frequency +
tos +
timeout +
threshold +
tag ~
owner ~
vrf +
history +
request-data-size +
verify-data
data-pattern +
precision +
clock-tolerance +
control +
operation-packet-priority +
percentile +
traffic-class +
flow-label +
distributions-of-statistics-kept +
hours-of-statistics-kept +
lives-of-history-kept +
samples-of-history-kept +
statistics-distribution-interval +
buckets-of-history-kept +
filter-for-history +
"""

_SLA_OPS = """
udp-jitter +
icmp-echo +
udp-echo +
tcp-connect +
http +
dns +
path-echo +
path-jitter +
icmp-jitter +
ethernet +
dhcp +
ftp +
voip +
"""

_GLOBAL_SYNTAX = """
version +
service +
hostname +
boot-start-marker .
boot-end-marker .
boot +
card +
logging +
enable +
username +
aaa +
clock +
ip cef
ip domain +
ip domain-name +
ip domain-lookup
ip name-server +
ip host +
ip route +
ip access-list +
ip prefix-list +
ip community-list +
ip as-path +
ip extcommunity-list +
ip bgp-community +
ip forward-protocol +
ip http +
ip ssh +
ip scp +
ip tcp +
ip icmp +
ip sla +
ip dhcp +
ip nat +
ip multicast-routing
ip vrf +
ip flow-export +
ip flow-cache +
ip flow-top-talkers
ip options +
ip source-route
ip finger
ip bootp +
ip classless
ip subnet-zero
ip routing
ip tftp +
ip ftp +
ip radius +
ip tacacs +
ip igmp +
ip pim +
ip multicast +
ip rcmd +
ip gratuitous-arps
ip arp +
ip inspect +
ip ips +
ip wccp +
ip local +
ip explicit-path +
ip device +
ip dns +
ip default-gateway +
ip default-network +
ip auth-proxy +
ip admission +
ip port-map +
ip telnet +
ip ospf +
ip rip +
ip msdp +
ip mroute +
ip accounting-threshold +
ip accounting-list +
ip nbar +
ip sla-responder
ip http-client +
ip access-group +
ipv6 +
interface +
router +
route-map +
access-list +
snmp-server +
snmp +
control-plane
line +
ntp +
banner +
archive
vlan +
class-map +
policy-map +
key +
crypto +
multilink +
license +
redundancy
spanning-tree +
vtp +
cdp +
lldp +
errdisable +
mls +
track +
object-group +
event +
alias +
scheduler +
memory +
process-max-time +
privilege +
login +
security +
tacacs-server +
tacacs +
radius-server +
radius +
mac +
mac-address-table +
monitor +
port-channel +
udld +
system +
sdm +
diagnostic +
power +
vrf +
exception +
file +
dial-peer +
voice +
call +
mpls +
parameter-map +
zone +
zone-pair +
template +
macro +
hw-module +
platform +
subscriber +
wsma +
dot1x +
authentication +
fhrp +
transceiver +
cts +
virtual-service +
call-home
flow +
ip sla-schedule +
kron +
warm-reboot
xconnect +
pseudowire-class +
bfd +
archive-log +
config-register +
default-value +
dialer-list +
chat-script +
username-template +
vpdn +
vpdn-group +
isdn +
controller +
network-clock-participate +
voice-card +
mgcp +
sccp +
telephony-service +
ephone +
ephone-dn +
gatekeeper
gateway
stcapp +
srst +
netconf +
restconf
ip-sla +
switch +
mmi +
vstack
"""

MODE_SYNTAX: dict[str, str] = {
    "config": _GLOBAL_SYNTAX,
    "config-if": _IF_SYNTAX,
    "config-subif": _IF_SYNTAX,
    "config-if-range": _IF_SYNTAX,
    "config-router": _ROUTER_SYNTAX + "address-family +\ntemplate +\n",
    "config-router-af": _AF_SYNTAX + _EIGRP_AF_SYNTAX + "exit-address-family .\n",
    "config-router-af-interface": _EIGRP_AF_IF_SYNTAX,
    "config-router-af-topology": _EIGRP_TOPOLOGY_SYNTAX,
    "config-router-stmp": "remote-as +\nupdate-source +\npassword +\ndescription ~\n"
    "ebgp-multihop +\ntimers +\nexit-peer-session .\n",
    "config-router-ptmp": "route-map +\nsend-community +\nnext-hop-self\nprefix-list +\n"
    "soft-reconfiguration +\nexit-peer-policy .\n",
    "config-rtr": _ROUTER_SYNTAX,
    "config-route-map": "match +\nset +\ndescription ~\ncontinue\n",
    "config-cmap": "match +\ndescription ~\n",
    "config-pmap": "class +\ndescription ~\n",
    "config-pmap-c": "bandwidth +\npriority\nshape +\npolice +\nset +\nqueue-limit +\n"
    "random-detect\nfair-queue\nservice-policy +\ncompress +\ndrop .\ntrust +\nestimate +\n"
    "account +\n",
    "config-pmap-c-police": "conform-action +\nexceed-action +\nviolate-action +\n",
    "config-ext-nacl": "permit +\ndeny +\nremark ~\nevaluate +\ndynamic +\nstatistics +\n",
    "config-std-nacl": "permit +\ndeny +\nremark ~\n",
    "config-ipv6-acl": "permit +\ndeny +\nremark ~\nsequence +\nevaluate +\n",
    "config-line": """
exec-timeout +
privilege level +
logging synchronous
stopbits +
login .
login local .
login authentication +
password +
transport +
access-class +
session-timeout +
exec .
exec-character-bits +
special-character-bits +
length +
width +
speed +
history +
escape-character +
flowcontrol +
databits +
parity +
ipv6 access-class +
location ~
modem +
absolute-timeout +
logout-warning +
activation-character +
authorization +
accounting +
rotary +
motd-banner .
exec-banner .
vacant-message ~
terminal-type +
autoselect +
autocommand +
timeout +
notify .
international .
refuse-message ~
autohangup .
""",
    "config-ip-sla": _SLA_OPS + _SLA_OP_SYNTAX,
    "config-ip-sla-jitter": _SLA_OP_SYNTAX,
    "config-ip-sla-echo": _SLA_OP_SYNTAX,
    "config-ip-sla-udp": _SLA_OP_SYNTAX,
    "config-ip-sla-tcp": _SLA_OP_SYNTAX,
    "config-ip-sla-http": _SLA_OP_SYNTAX + "http-raw-request\nproxy +\ncache +\n",
    "config-ip-sla-dns": _SLA_OP_SYNTAX,
    "config-ip-sla-pathEcho": _SLA_OP_SYNTAX + "paths-of-statistics-kept +\n",
    "config-ip-sla-icmpjitter": _SLA_OP_SYNTAX,
    "config-archive": "path +\nwrite-memory .\nmaximum +\ntime-period +\nlog config\nrollback +\n",
    "config-archive-log-cfg": "logging +\nnotify +\nhidekeys .\n",
    "config-vlan": "name +\nstate +\nshutdown .\nmtu +\nremote-span .\nprivate-vlan +\n",
    "config-keychain": "key #\n",
    "config-keychain-key": "key-string +\naccept-lifetime +\nsend-lifetime +\n"
    "cryptographic-algorithm +\n",
    "config-isakmp": "encr +\nencryption +\nhash +\nauthentication +\ngroup +\nlifetime +\n",
    "cfg-crypto-trans": "mode +\n",
    "ipsec-profile": "set +\ndescription ~\nresponder-only\n",
    "config-crypto-map": "set +\nmatch +\ndescription ~\nreverse-route +\nqos +\n",
    "conf-keyring": "pre-shared-key +\nlocal-address +\ndescription ~\n",
    "config-cert-chain": "certificate +\n",
    "config-pubkey": "",
    "config-cp": "service-policy +\nmanagement-interface +\n",
    "dhcp-config": "network +\ndefault-router +\ndns-server +\ndomain-name +\nlease +\n"
    "option +\nhost +\nclient-identifier +\nhardware-address +\nnetbios-name-server +\n"
    "import +\nnext-server +\nbootfile +\nclient-name +\n",
    "config-track": "delay +\ndefault-state +\nobject +\nthreshold +\n",
    "config-network-group": "host +\nrange +\ngroup-object +\ndescription ~\n",
    "config-service-group": "tcp +\nudp +\nicmp +\nip\ngroup-object +\ndescription ~\n"
    "tcp-udp +\nesp\ngre\nahp\n",
    "config-vrf": "rd +\nroute-target +\ndescription ~\nimport +\nexport +\nvnet +\n"
    "address-family +\nmaximum +\n",
    "config-vrf-af": "route-target +\nimport +\nexport +\nmaximum +\nexit-address-family .\n",
    "config-sg-radius": "server +\nserver-private +\nip +\ndeadtime +\nload-balance +\n",
    "config-sg-tacacs+": "server +\nserver-private +\nip +\n",
    "config-applet": "event +\naction +\ndescription ~\ntrigger +\n",
    "config-mst": "name +\nrevision +\ninstance +\n",
    "config-sec-zone": "description ~\n",
    "config-sec-zone-pair": "service-policy +\ndescription ~\n",
    "config-xcvr-type": "monitoring\n",
}
for _m in MODES:
    MODE_SYNTAX.setdefault(_m, "")

# ------------------------------------------------------------- single-valued keys


@dataclass(frozen=True, slots=True)
class KeyRule:
    """Lines matching ``pattern`` are one slot per ``key`` (token positions)."""

    pattern: tuple[str, ...]
    key: tuple[int, ...]
    merge: bool = False
    """Values after the key accumulate on one line (``match ip address 101 102``)."""


def _k(pattern: str, *key: int, merge: bool = False) -> KeyRule:
    toks = tuple(pattern.split())
    if not key:
        key = tuple(i for i, t in enumerate(toks) if t not in {"*", "#", "$"})
    return KeyRule(toks, key, merge)


_IF_KEYS = (
    _k("description"),
    _k("ip address * * secondary", 0, 1, 2, 4),
    _k("ip address"),
    _k("ip access-group * in", 0, 1, 3),
    _k("ip access-group * out", 0, 1, 3),
    _k("ipv6 traffic-filter * in", 0, 1, 3),
    _k("ipv6 traffic-filter * out", 0, 1, 3),
    _k("ip mtu"),
    _k("ip tcp adjust-mss"),
    _k("ip nat"),
    _k("ip ospf message-digest-key *", 0, 1, 2, 3),
    _k("ip ospf *", 0, 1, 2),
    _k("ip redirects"),
    _k("ip unreachables"),
    _k("ip proxy-arp"),
    _k("ip route-cache"),
    _k("ip mroute-cache"),
    _k("ip directed-broadcast"),
    _k("ip virtual-reassembly"),
    _k("ip split-horizon"),
    _k("ip policy route-map"),
    _k("ip vrf forwarding"),
    _k("vrf forwarding"),
    _k("ip verify unicast"),
    _k("ip igmp version"),
    _k("ip unnumbered"),
    _k("ip authentication mode eigrp *", 0, 1, 2, 3, 4),
    _k("ip authentication key-chain eigrp *", 0, 1, 2, 3, 4),
    _k("ip hello-interval eigrp *", 0, 1, 2, 3),
    _k("ip hold-time eigrp *", 0, 1, 2, 3),
    _k("ip dhcp snooping limit rate"),
    _k("ipv6 mtu"),
    _k("shutdown"),
    _k("bandwidth"),
    _k("delay"),
    _k("mtu"),
    _k("speed"),
    _k("duplex"),
    _k("negotiation"),
    _k("media-type"),
    _k("encapsulation"),
    _k("load-interval"),
    _k("keepalive"),
    _k("cdp enable"),
    _k("lldp transmit"),
    _k("lldp receive"),
    _k("carrier-delay"),
    _k("hold-queue * in", 0, 2),
    _k("hold-queue * out", 0, 2),
    _k("service-policy input"),
    _k("service-policy output"),
    _k("service-policy type * input", 0, 1, 2, 3),
    _k("service-policy type * output", 0, 1, 2, 3),
    _k("switchport $"),
    _k("switchport mode"),
    _k("switchport access vlan"),
    _k("switchport trunk native vlan"),
    _k("switchport trunk allowed vlan"),
    _k("switchport trunk encapsulation"),
    _k("switchport voice vlan"),
    _k("switchport nonegotiate"),
    _k("switchport port-security maximum"),
    _k("switchport port-security violation"),
    _k("switchport port-security aging time"),
    _k("spanning-tree portfast"),
    _k("spanning-tree bpduguard"),
    _k("spanning-tree bpdufilter"),
    _k("spanning-tree guard"),
    _k("spanning-tree cost"),
    _k("spanning-tree port-priority"),
    _k("spanning-tree link-type"),
    _k("channel-group"),
    _k("channel-protocol"),
    _k("storm-control action"),
    _k("storm-control *", 0, 1),
    _k("tunnel source"),
    _k("tunnel destination"),
    _k("tunnel mode"),
    _k("tunnel key"),
    _k("tunnel protection"),
    _k("tunnel vrf"),
    _k("standby version"),
    _k("standby # ip * secondary", 0, 1, 2, 3, 4),
    _k("standby # *", 0, 1, 2),
    _k("vrrp # ip * secondary", 0, 1, 2, 3, 4),
    _k("vrrp # *", 0, 1, 2),
    _k("mls qos trust"),
    _k("mls qos cos"),
    _k("srr-queue bandwidth share"),
    _k("srr-queue bandwidth shape"),
    _k("srr-queue bandwidth limit"),
    _k("queue-set"),
    _k("power inline"),
    _k("pppoe-client dial-pool-number"),
    _k("dialer pool"),
    _k("dialer-group"),
    _k("ppp authentication"),
    _k("ppp chap hostname"),
    _k("ppp chap password"),
    _k("crypto map"),
    _k("zone-member security"),
    _k("snmp trap link-status"),
    _k("udld port"),
    _k("flowcontrol receive"),
    _k("flowcontrol send"),
    _k("tx-ring-limit"),
    _k("max-reserved-bandwidth"),
    _k("traffic-shape rate"),
    _k("clock rate"),
    _k("bfd interval"),
    _k("macro description"),
    _k("authentication port-control"),
    _k("authentication host-mode"),
    _k("dot1x pae"),
    _k("arp timeout"),
    _k("mop enabled"),
    _k("mop sysid"),
    _k("fair-queue"),
)

_ROUTER_KEYS = (
    _k("router-id"),
    _k("bgp router-id"),
    _k("bgp log-neighbor-changes"),
    _k("bgp default local-preference"),
    _k("bgp default ipv4-unicast"),
    _k("bgp dampening"),
    _k("bgp additional-paths *", 0, 1, 2),
    _k("bgp cluster-id"),
    _k("bgp enforce-first-as"),
    _k("bgp fast-external-fallover"),
    _k("neighbor * remote-as", 0, 1, 2),
    _k("neighbor * peer-group", 0, 1, 2),
    _k("neighbor * update-source", 0, 1, 2),
    _k("neighbor * description", 0, 1, 2),
    _k("neighbor * password", 0, 1, 2),
    _k("neighbor * ebgp-multihop", 0, 1, 2),
    _k("neighbor * timers", 0, 1, 2),
    _k("neighbor * route-map * in", 0, 1, 2, 4),
    _k("neighbor * route-map * out", 0, 1, 2, 4),
    _k("neighbor * prefix-list * in", 0, 1, 2, 4),
    _k("neighbor * prefix-list * out", 0, 1, 2, 4),
    _k("neighbor * distribute-list * in", 0, 1, 2, 4),
    _k("neighbor * distribute-list * out", 0, 1, 2, 4),
    _k("neighbor * filter-list * in", 0, 1, 2, 4),
    _k("neighbor * filter-list * out", 0, 1, 2, 4),
    _k("neighbor * maximum-prefix", 0, 1, 2),
    _k("neighbor * send-community", 0, 1, 2),
    _k("neighbor * weight", 0, 1, 2),
    _k("neighbor * version", 0, 1, 2),
    _k("neighbor * local-as", 0, 1, 2),
    _k("neighbor * fall-over", 0, 1, 2),
    _k("neighbor * advertisement-interval", 0, 1, 2),
    _k("neighbor * soft-reconfiguration", 0, 1, 2),
    _k("neighbor * allowas-in", 0, 1, 2),
    _k("neighbor * inherit peer-session", 0, 1, 2, 3),
    _k("neighbor * inherit peer-policy", 0, 1, 2, 3),
    _k("redistribute connected"),
    _k("redistribute static"),
    _k("redistribute rip"),
    _k("redistribute *", 0, 1, 2),
    _k("default-information originate"),
    _k("maximum-paths eibgp"),
    _k("maximum-paths ibgp"),
    _k("maximum-paths"),
    _k("auto-cost reference-bandwidth"),
    _k("log-adjacency-changes"),
    _k("timers throttle spf"),
    _k("timers throttle lsa"),
    _k("timers bgp"),
    _k("eigrp router-id"),
    _k("metric weights"),
    _k("auto-summary"),
    _k("synchronization"),
    _k("version"),
    _k("aggregate-address * *", 0, 1, 2),
    _k("default-metric"),
    _k("distance"),
)

KEYED: dict[str, tuple[KeyRule, ...]] = {
    "config": (
        _k("hostname"),
        _k("version"),
        _k("ip domain name"),
        _k("ip domain lookup"),
        _k("ip cef"),
        _k("ipv6 cef"),
        _k("ipv6 unicast-routing"),
        _k("aaa new-model"),
        _k("ip icmp rate-limit unreachable"),
        _k("ip http server"),
        _k("ip http secure-server"),
        _k("ip http authentication"),
        _k("ip tcp synwait-time"),
        _k("ip bgp-community new-format"),
        _k("multilink bundle-name"),
        _k("enable secret"),
        _k("enable password"),
        _k("username *", 0, 1),
        _k("service timestamps debug"),
        _k("service timestamps log"),
        _k("service password-encryption"),
        _k("service pad"),
        _k("service config"),
        _k("service tcp-small-servers"),
        _k("service udp-small-servers"),
        _k("service dhcp"),
        _k("logging buffered"),
        _k("logging console"),
        _k("logging monitor"),
        _k("logging trap"),
        _k("logging source-interface"),
        _k("logging facility"),
        _k("logging origin-id"),
        _k("ntp server vrf * *", 0, 1, 2, 3, 4),
        _k("ntp server *", 0, 1, 2),
        _k("ntp peer *", 0, 1, 2),
        _k("ntp source"),
        _k("ntp master"),
        _k("ntp update-calendar"),
        _k("ntp authenticate"),
        _k("ntp authentication-key *", 0, 1, 2),
        _k("ntp trusted-key *", 0, 1, 2),
        _k("ntp logging"),
        _k("clock timezone"),
        _k("clock summer-time"),
        _k("snmp-server community *", 0, 1, 2),
        _k("snmp-server location"),
        _k("snmp-server contact"),
        _k("snmp-server trap-source"),
        _k("snmp-server source-interface *", 0, 1, 2),
        _k("snmp-server ifindex persist"),
        _k("snmp-server user * *", 0, 1, 2, 3),
        _k("snmp-server group * *", 0, 1, 2, 3),
        _k("snmp-server engineID local"),
        _k("ip route vrf * * * *", 0, 1, 2, 3, 4, 5, 6),
        _k("ip route * * *", 0, 1, 2, 3, 4),
        _k("ip ssh version"),
        _k("ip ssh time-out"),
        _k("ip ssh authentication-retries"),
        _k("ip ssh source-interface"),
        _k("ip scp server enable"),
        _k("ip default-gateway"),
        _k("ip sla schedule *", 0, 1, 2, 3),
        _k("ip sla reaction-configuration *", 0, 1, 2, 3),
        _k("ip prefix-list * seq *", 0, 1, 2, 3, 4),
        _k("ip prefix-list * description", 0, 1, 2, 3),
        _k("spanning-tree mode"),
        _k("spanning-tree extend system-id"),
        _k("vtp mode"),
        _k("vtp domain"),
        _k("vtp version"),
        _k("login block-for"),
        _k("crypto isakmp keepalive"),
        _k("ip source-route"),
        _k("ip finger"),
        _k("ip bootp server"),
        _k("ip gratuitous-arps"),
        _k("ip classless"),
        _k("ip subnet-zero"),
        _k("ip routing"),
        _k("ip forward-protocol nd"),
        _k("cdp run"),
        _k("lldp run"),
        _k("errdisable recovery interval"),
        _k("ip multicast-routing"),
        _k("mls qos"),
        _k("ip tftp source-interface"),
        _k("ip ftp source-interface"),
        _k("ip radius source-interface"),
        _k("ip tacacs source-interface"),
        _k("ip dhcp conflict logging"),
        _k("ip igmp snooping"),
        _k("ip name-server"),
        _k("license boot module *", 0, 1, 2, 3),
        _k("memory free low-watermark processor"),
        _k("memory free low-watermark io"),
        _k("track * *", 0, 1),
        _k("process-max-time"),
        _k("vlan internal allocation policy"),
        _k("archive log"),
        _k("ip sla responder $"),
        _k("ip sla logging traps"),
        _k("ip sla enable reaction-alerts"),
        _k("vstack"),
        _k("ip nat inside source static * *", 0, 1, 2, 3, 4, 5),
        _k("ip nat inside source list *", 0, 1, 2, 3, 4, 5),
        _k("ip nat inside source route-map *", 0, 1, 2, 3, 4, 5),
        _k("ip ssh server algorithm mac"),
        _k("ip ssh server algorithm encryption"),
        _k("ip ssh pubkey-chain"),
        # Platform lines of IOS-XE routers and switches (see rollout.hardware for sources).
        _k("switch # provision", 0, 1, 2),
        _k("platform punt-keepalive disable-kernel-core"),
        _k("platform qfp utilization monitor load"),
        _k("platform console"),
        _k("diagnostic bootup level"),
        _k("license boot level"),
        _k("license udi pid"),
        _k("login on-success"),
        _k("login on-failure"),
        _k("subscriber templating"),
        # IOSv 15.x management-interface lines (tests/data/ios-public/ios15-router/
        # labval-localas-ios1.cfg and labval-vpnv4-CE1..4.cfg, from batfish/lab-validation).
        _k("mmi polling-interval"),
        _k("mmi snmp-timeout"),
        _k("mmi auto-configure"),
        _k("mmi pvc"),
    ),
    "config-if": _IF_KEYS,
    "config-subif": _IF_KEYS,
    "config-if-range": _IF_KEYS,
    "config-router": _ROUTER_KEYS,
    "config-router-af": _ROUTER_KEYS,
    "config-router-af-topology": _ROUTER_KEYS,
    "config-router-af-interface": (
        _k("passive-interface"),
        _k("next-hop-self"),
        _k("split-horizon"),
        _k("bandwidth-percent"),
        _k("hello-interval"),
        _k("hold-time"),
        _k("authentication mode"),
        _k("authentication key-chain"),
        _k("shutdown"),
    ),
    "config-rtr": _ROUTER_KEYS,
    "config-route-map": (
        _k("description"),
        _k("set metric-type"),
        _k("set metric"),
        _k("set local-preference"),
        _k("set community"),
        _k("set ip next-hop"),
        _k("set as-path prepend"),
        _k("set weight"),
        _k("set origin"),
        _k("set tag"),
        _k("set ip precedence"),
        _k("set interface"),
        _k("set comm-list * delete", 0, 1, 3),
        _k("set vrf"),
        _k("match ip address prefix-list", merge=True),
        _k("match ip address", merge=True),
        _k("match ip next-hop prefix-list", merge=True),
        _k("match ip next-hop", merge=True),
        _k("match ip route-source", merge=True),
        _k("match community", merge=True),
        _k("match extcommunity", merge=True),
        _k("match as-path", merge=True),
        _k("match tag", merge=True),
        _k("match interface", merge=True),
        _k("match metric"),
        _k("match route-type", merge=True),
        _k("match source-protocol", merge=True),
    ),
    "config-cmap": (_k("description"),),
    "config-pmap": (_k("description"),),
    "config-pmap-c": (
        _k("bandwidth"),
        _k("priority"),
        _k("shape"),
        _k("police"),
        _k("set dscp"),
        _k("set ip dscp"),
        _k("set precedence"),
        _k("set ip precedence"),
        _k("set cos"),
        _k("set qos-group"),
        _k("queue-limit"),
        _k("random-detect"),
        _k("fair-queue"),
        _k("service-policy"),
        _k("trust"),
    ),
    "config-pmap-c-police": (
        _k("conform-action"),
        _k("exceed-action"),
        _k("violate-action"),
    ),
    "config-line": (
        _k("exec-timeout"),
        _k("privilege level"),
        _k("logging synchronous"),
        _k("stopbits"),
        _k("login authentication"),
        _k("login"),
        _k("password"),
        _k("transport input"),
        _k("transport output"),
        _k("transport preferred"),
        _k("access-class * in", 0, 2),
        _k("access-class * out", 0, 2),
        _k("ipv6 access-class * in", 0, 1, 3),
        _k("ipv6 access-class * out", 0, 1, 3),
        _k("session-timeout"),
        _k("length"),
        _k("width"),
        _k("speed"),
        _k("history size"),
        _k("escape-character"),
        _k("exec $"),
        _k("authorization exec"),
        _k("accounting exec"),
        _k("absolute-timeout"),
        _k("flowcontrol"),
        _k("databits"),
        _k("parity"),
        _k("motd-banner"),
        _k("exec-banner"),
        _k("location"),
        _k("activation-character"),
    ),
    "config-archive": (
        _k("path"),
        _k("write-memory"),
        _k("maximum"),
        _k("time-period"),
    ),
    "config-archive-log-cfg": (_k("logging size"), _k("logging enable"), _k("hidekeys")),
    "config-vlan": (_k("name"), _k("state"), _k("shutdown"), _k("mtu")),
    "config-keychain-key": (
        _k("key-string"),
        _k("accept-lifetime"),
        _k("send-lifetime"),
        _k("cryptographic-algorithm"),
    ),
    "config-isakmp": (
        _k("encr"),
        _k("hash"),
        _k("authentication"),
        _k("group"),
        _k("lifetime"),
    ),
    "cfg-crypto-trans": (_k("mode"),),
    "ipsec-profile": (_k("set transform-set"), _k("set pfs"), _k("description")),
    "config-crypto-map": (
        _k("set transform-set"),
        _k("match address"),
        _k("set pfs"),
        _k("description"),
    ),
    "conf-keyring": (_k("pre-shared-key address *", 0, 1, 2),),
    "config-cp": (_k("service-policy input"), _k("service-policy output")),
    "dhcp-config": (
        _k("network"),
        _k("default-router"),
        _k("dns-server"),
        _k("domain-name"),
        _k("lease"),
        _k("option *", 0, 1),
    ),
    "config-track": (_k("delay"),),
    "config-vrf": (_k("rd"), _k("description")),
    "config-mst": (_k("name"), _k("revision"), _k("instance *", 0, 1)),
    "config-sec-zone": (_k("description"),),
}

_SLA_KEYS = (
    *(
        _k(line.split()[0])
        for line in (_SLA_OP_SYNTAX + _SLA_OPS).strip().splitlines()
        if line.strip() and line.split()[0] != "history"
    ),
    _k("history *", 0, 1),
)
for _m in MODES:
    if _m.startswith("config-ip-sla"):
        KEYED[_m] = _SLA_KEYS

# Negated forms IOS keeps (and shows) in the running configuration, per mode:
# ``key|rest`` means the slot ``key`` shows as ``no key rest``.


def _negations(entries: tuple[str, ...]) -> dict[tuple[str, ...], str]:
    out: dict[tuple[str, ...], str] = {}
    for entry in entries:
        key, _bar, _rest = entry.partition("|")
        out[tuple(key.split())] = entry.replace("|", " ")
    return out


# Sources for the global rows that day-0 configs show: `no aaa new-model`, `no ip http
# server`, `no ip http secure-server`, `no ip domain lookup` (ISR4321 R1Configuration.md in
# github.com/milanDewilde/VirtueleNetwerken), `no service pad`, `no service
# password-encryption` (2960-X 15.2 running config, see rollout.hardware), `no ipv6 cef`
# (IOSv 15.2 switch config, github.com/JohnB83435/My_OTUS
# labs/lab04/config/moscow/sw2/README.md). The other
# rows come from the batfish example network (tests/data/ios-corpus, see its SOURCE.md).
NEGATION_SHOWN: dict[str, dict[tuple[str, ...], str]] = {
    "config": _negations(
        (
            "aaa new-model",
            "ip domain lookup",
            "ip http server",
            "ip http secure-server",
            "ipv6 cef",
            "ip cef",
            "ip icmp rate-limit unreachable",
            "ip source-route",
            "ip finger",
            "ip bootp server",
            "ip gratuitous-arps",
            "service pad",
            "service password-encryption",
            "service config",
            "service dhcp",
            "cdp run",
            # Not here: `no lldp run` and `no mls qos` (both defaults, so IOS shows nothing):
            # tests/data/ios-public/csr1000v/ shows `lldp run` on labval-mixvrf-D-IOSXE and no
            # lldp line on the seven other CSR1000v 16.4 files (batfish/lab-validation);
            # tests/data/ios-public/cat2960/oxi-sw2.cfg shows `mls qos` and oxi-sw1.cfg, the
            # same 2960 on 15.0(2)SE6, no mls qos line (github.com/tmullaly/oxidized).
            "ip classless",
            "ip subnet-zero",
            "ip routing",
            "logging console",
            "logging monitor",
            "logging buffered",
            "ip dhcp conflict logging",
            "ip igmp snooping",
            "ip forward-protocol nd",
            "vstack",
            "ip multicast-routing",
            # ISR 4000 on IOS-XE 15.5-16.x shows `no platform punt-keepalive
            # disable-kernel-core` (milanDewilde/VirtueleNetwerken R1Configuration.md).
            "platform punt-keepalive disable-kernel-core",
            # IOSv 15.7 shows `no mmi auto-configure` / `no mmi pvc` (tests/data/ios-public/
            # ios15-router/labval-localas-ios1.cfg, from batfish/lab-validation).
            "mmi auto-configure",
            "mmi pvc",
        )
    ),
    "config-if": _negations(
        (
            "ip address",
            "ip redirects",
            "ip unreachables",
            "ip proxy-arp",
            "ip route-cache",
            "ip mroute-cache",
            "ip split-horizon",
            "keepalive",
            "cdp enable",
            "lldp transmit",
            "lldp receive",
            "switchport",
            "snmp trap link-status",
            "mop enabled",
            "mop sysid",
            "negotiation|auto",
            "fair-queue",
        )
    ),
    "config-router": _negations(
        (
            "bgp log-neighbor-changes",
            "bgp default ipv4-unicast",
            "bgp enforce-first-as",
            "bgp fast-external-fallover",
            "auto-summary",
            "synchronization",
            "log-adjacency-changes",
        )
    ),
    "config-line": _negations(("exec", "motd-banner", "exec-banner", "login")),
}
NEGATION_SHOWN["config-subif"] = NEGATION_SHOWN["config-if"]
NEGATION_SHOWN["config-router-af"] = NEGATION_SHOWN["config-router"]
NEGATION_SHOWN["config-router-af-topology"] = NEGATION_SHOWN["config-router"]
# `no passive-interface`, `no next-hop-self`, `no split-horizon` under `af-interface` (the
# public EIGRP named-mode outputs cited at _EIGRP_AF_SYNTAX).
NEGATION_SHOWN["config-router-af-interface"] = _negations(
    ("passive-interface", "next-hop-self", "split-horizon")
)

# Rewrites IOS applies to what is typed (old form -> form shown in the running config).
REWRITES: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = {
    "config": ((("ip", "sla-responder"), ("ip", "sla", "responder")),),
    "config-isakmp": ((("encryption",), ("encr",)),),
}


@dataclass(frozen=True, slots=True)
class TrainForm:
    """A global command two trains spell differently; the twin stores ``new``."""

    old: tuple[str, ...]
    new: tuple[str, ...]


# Both spellings are accepted everywhere; what the running config shows depends on the train.
# Old (hyphenated) forms: Catalyst 2960 IOS 15.0(2)SE6 `no ip domain-lookup`
# (tests/data/ios-public/cat2960/oxi-sw2.cfg, github.com/tmullaly/oxidized), IOSvL2 15.2
# `no ip domain-lookup` (tests/data/ios-public/iosvl2/ring-S-D.cfg and ring-SW-LAN-10.cfg,
# github.com/madsdude/Ring-topologi), WS-C2960X 15.2 `no ip domain-lookup` / `ip domain-name`
# (the 2960-X running config cited in rollout.hardware). New forms: IOSv 15.2/15.7 routers
# `no ip domain lookup` / `ip domain name` (tests/data/ios-public/ios15-router/, and
# tests/data/ios-corpus from batfish/batfish), Cisco 2901 15.4 `ip domain name`
# (tests/data/ios-public/isr2901/oxi-r2.cfg), IOS-XE 15.5-17.x (tests/data/ios-public/
# isr4321/vnet-R1.cfg `no ip domain lookup`, csr1000v/*.cfg `ip domain name`).
TRAIN_FORMS: tuple[TrainForm, ...] = (
    TrainForm(("ip", "domain-lookup"), ("ip", "domain", "lookup")),
    TrainForm(("ip", "domain-name"), ("ip", "domain", "name")),
)
# (OS family, role) of a supported model whose train shows the old forms (the Catalyst
# switch trains above); every other model shows the new forms. A loaded configuration that
# spells a row one way shows the device's train: the twin then keeps that form.
OLD_FORM_TRAINS = frozenset({("ios", "lan_switch")})

# (OS family, version) of a supported model whose running config shows named ACL entries
# with their sequence numbers: IOS-XE 17.6 shows ` 10 permit tcp any any established`
# (tests/data/ios-public/cat9200/cubcal-SwitchLv3.cfg, github.com/LibGR/CUBCalifornieDocs).
# IOS 15.x shows the entries without them (tests/data/ios-corpus, batfish/batfish). Which
# IOS-XE release starts is unconfirmed: the ISRs (16.6) keep the 15.x form. A loaded
# configuration whose entries carry numbers also makes the device show them.
NUMBERED_ACL_TRAINS = frozenset({("iosxe", "17.6")})

# Rows of NEGATION_SHOWN whose default differs by platform. Classic IOS has CDP on and shows
# `no cdp enable` / `no cdp run` when it is off (public IOS running configs: `no cdp enable`
# under 2960 FastEthernet ports and IOL Ethernet ports, code index ids 24580840388 and
# 11956400004). A CSR1000v on IOS-XE 16.4 has it off: it shows `cdp run` and ` cdp enable`
# when on and nothing when off (tests/data/ios-public/csr1000v/labval-eigrp-dc1border.cfg
# against the seven other CSR1000v files, batfish/lab-validation). A loaded configuration
# that shows the positive form tells the twin its platform: from then on the negation is
# hidden.
POSITIVE_SHOWN_HIDES_NEGATION: dict[str, frozenset[str]] = {
    "config": frozenset({"cdp run"}),
    "config-if": frozenset({"cdp enable"}),
    "config-subif": frozenset({"cdp enable"}),
}

# Commands typed with their default value: IOS keeps no line for them, so the running config
# shows nothing (and typing one removes a non-default value). `show running-config` lists
# default-valued commands only with its `all` keyword (Cisco IOS Configuration Fundamentals
# Command Reference, `show running-config`: "all — Expands the output to include the commands
# that are configured with default parameters"). Each row: (mode, line, source of the default).
_HIDDEN_DEFAULT_ROWS: tuple[tuple[str, str, str], ...] = (
    (
        "config",
        "ip ssh authentication-retries 3",
        "Cisco IOS Security Command Reference `ip ssh`: default 3 retries (CIS Cisco IOS 15 "
        "benchmark 'Default Value ... 3', citing cisco.com sec-cr-i3)",
    ),
    (
        "config",
        "ip ssh time-out 120",
        "Cisco IOS Security Command Reference `ip ssh`: time-out default 120 seconds",
    ),
    (
        "config",
        "logging trap informational",
        "Cisco `logging trap` command reference: default level informational (6); "
        "ansible-collections/cisco.ios PR #1165 and issue #1368: the default trap level is "
        "absent from `show running-config | include logging`",
    ),
    (
        "config-line",
        "exec-timeout 10 0",
        "Cisco `exec-timeout` command reference: default 10 minutes",
    ),
    (
        "config-ip-sla",
        "frequency 60",
        "cisco.com ios-xml ipsla sla-cr-book sla_a1 `frequency (IP SLA)`: Command Default 60 s",
    ),
    (
        "config-ip-sla",
        "timeout 5000",
        "IP SLA `timeout (IP SLA)` default 5000 ms; `show ip sla configuration` on IOL shows "
        "timeout 5000 / threshold 5000 for an operation configured without them",
    ),
    ("config-ip-sla", "threshold 5000", "as timeout: default 5000 ms"),
    ("config-ip-sla", "tos 0", "IP SLA `tos` default 0"),
    (
        "config",
        "ip domain lookup",
        "DNS lookup is on by default: real configs show only its negation, `no ip domain "
        "lookup` / `no ip domain-lookup` (tests/data/ios-public/isr4321, ios15-router, "
        "cat2960/oxi-sw2.cfg), and no line where it is on (tests/data/ios-public/cat2960/"
        "oxi-sw1.cfg, csr1000v/*.cfg, isr2901/*.cfg)",
    ),
    (
        "config-if",
        "ip route-cache",
        "fast switching is on by default: IOSvL2 15.2 shows ` no ip route-cache` under "
        "`interface Vlan1` of ring-Core2 and no line on the six other switches' Vlan1 "
        "(tests/data/ios-public/iosvl2/, github.com/madsdude/Ring-topologi)",
    ),
    (
        "config-if",
        "mop enabled",
        "CSR1000v 16.4 shows ` no mop enabled` / ` no mop sysid` on its ports and neither line "
        "on a port where MOP is on (tests/data/ios-public/csr1000v/labval-eigrp-dc1border.cfg "
        "GigabitEthernet4, batfish/lab-validation)",
    ),
    ("config-if", "mop sysid", "as mop enabled (labval-eigrp-dc1border.cfg)"),
)
HIDDEN_DEFAULTS: dict[str, frozenset[str]] = {}

# Optional arguments typed with their default values, which IOS leaves out of the line it
# shows: (mode, first word, the default words, source). A UDP jitter operation sends 10
# packets 20 ms apart by default (Cisco Catalyst 3560 / IE 2000 / Catalyst 4500 15.0(2)SG
# software configuration guides, `udp-jitter`: "num-packets ... the default is 10",
# "interval ... the default value is 20 ms"); shown as `udp-jitter 10.0.0.1 16384` when both
# are default, with both words when either is not (the planner's table
# rollout.drivers.ios_canon, from a public `show run | section sla` showing `num-packets`).
# Which of the two IOS drops when only one is default is unconfirmed (docs/hardware.md).
DEFAULT_ARGUMENTS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    (
        "config-ip-sla",
        "udp-jitter",
        ("num-packets", "10", "interval", "20"),
        "Cisco IP SLA configuration guides: num-packets default 10, interval default 20 ms",
    ),
)


def hidden_default(mode: str, text: str) -> bool:
    """True when ``text`` sets a default IOS does not show in ``mode``."""
    return text in HIDDEN_DEFAULTS.get(mode, frozenset())


@dataclass(frozen=True, slots=True)
class Confirmed:
    """A negation IOS asks about before doing it (when the section holds what it destroys)."""

    pattern: tuple[str, ...]
    """The section header negated (``*`` one free token: the name)."""
    holds: str
    """Header of the section it also destroys, ``{}`` the name; no question without it."""
    warning: str
    question: str
    done: str


# Sources: CiscoTestAutomation/genielibs sdk apis iosxe pki configure.py
# (`unconfigure_trustpoint` dialog: "% Removing an enrolled trustpoint will destroy all
# certificates\nreceived from the related Certificate Authority.\n\nAre you sure you want to
# do this? [yes/no]:"), and public IOS-XE transcripts of `no crypto pki trustpoint …`
# answered `yes` ("% Be sure to ask the CA administrator to revoke your certificates.").
CONFIRMED_NEGATIONS: tuple[Confirmed, ...] = (
    Confirmed(
        ("crypto", "pki", "trustpoint", "*"),
        holds="crypto pki certificate chain {}",
        warning=(
            "% Removing an enrolled trustpoint will destroy all certificates\n"
            "received from the related Certificate Authority.\n"
        ),
        question="Are you sure you want to do this? [yes/no]: ",
        done="% Be sure to ask the CA administrator to revoke your certificates.",
    ),
)


# Write-only commands: accepted, kept, but not shown in the running configuration.
WRITE_ONLY: dict[str, tuple[tuple[str, ...], ...]] = {
    "config": (("snmp-server", "user"),),
}


def _hidden_defaults() -> None:
    for mode in MODES:
        base = "config-ip-sla" if mode.startswith("config-ip-sla") else mode
        base = "config-if" if mode == "config-subif" else base
        rows = frozenset(line for m, line, _src in _HIDDEN_DEFAULT_ROWS if m == base)
        if rows:
            HIDDEN_DEFAULTS[mode] = rows


_hidden_defaults()

# Lines a new section gets when it is created, per opener keyword.
SECTION_DEFAULTS: dict[str, tuple[str, ...]] = {
    "interface": ("no ip address",),
}
# What a physical interface looks like when nothing is configured on it, per type.
PHYSICAL_DEFAULTS: dict[str, tuple[str, ...]] = {
    "GigabitEthernet": ("no ip address", "shutdown", "negotiation auto"),
    "Ethernet": ("no ip address", "shutdown", "duplex auto"),
    "FastEthernet": ("no ip address", "shutdown", "duplex auto", "speed auto"),
    "": ("no ip address", "shutdown"),
}


def physical_defaults(name: str) -> tuple[str, ...]:
    return PHYSICAL_DEFAULTS.get(interface_type(name), PHYSICAL_DEFAULTS[""])


# ---------------------------------------------------------------- interfaces

# (full name, sort rank in the running config, physical)
INTERFACE_TYPES: tuple[tuple[str, int, bool], ...] = (
    ("Loopback", 0, False),
    ("Tunnel", 1, False),
    ("Port-channel", 2, False),
    ("Embedded-Service-Engine", 3, True),
    ("Ethernet", 5, True),
    ("FastEthernet", 5, True),
    ("GigabitEthernet", 5, True),
    ("TenGigabitEthernet", 5, True),
    ("TwoGigabitEthernet", 5, True),
    ("FortyGigabitEthernet", 5, True),
    ("HundredGigE", 5, True),
    ("Serial", 5, True),
    ("Cellular", 5, True),
    ("ATM", 5, True),
    ("BRI", 5, True),
    ("Async", 5, True),
    ("Wlan-GigabitEthernet", 5, True),
    ("Vlan", 8, False),
    ("BVI", 8, False),
    ("NVI", 8, False),
    ("Dialer", 9, False),
    ("Virtual-Template", 9, False),
    ("Virtual-Access", 9, False),
    ("Multilink", 9, False),
    ("Null", 10, False),
)
_IF_LOWER = tuple(sorted((n.lower(), n) for n, _r, _p in INTERFACE_TYPES))
INTERFACE_RANK = {n: r for n, r, _p in INTERFACE_TYPES}
PHYSICAL_TYPES = frozenset(n for n, _r, p in INTERFACE_TYPES if p)
# Common abbreviations IOS resolves even though the prefix is shared. IOS stores and shows
# the full name: Netmiko's and ntc-templates' interface-name maps (`Gi` -> GigabitEthernet,
# `Fa` -> FastEthernet, `Et`/`e` -> Ethernet) exist because show commands print the short
# form while the running config prints the long one.
INTERFACE_ABBREVIATIONS = {
    "e": "Ethernet",
    "et": "Ethernet",
    "eth": "Ethernet",
    "f": "FastEthernet",
    "fa": "FastEthernet",
    "g": "GigabitEthernet",
    "gi": "GigabitEthernet",
    "gig": "GigabitEthernet",
    "te": "TenGigabitEthernet",
    "ten": "TenGigabitEthernet",
    "lo": "Loopback",
    "tu": "Tunnel",
    "po": "Port-channel",
    "vl": "Vlan",
    "se": "Serial",
    "di": "Dialer",
    "mu": "Multilink",
}
# Keywords after which IOS expects an interface name.
INTERFACE_ARGUMENT_KEYWORDS = frozenset(
    (
        "interface",
        "source-interface",
        "update-source",
        "passive-interface",
        "trap-source",
        "source",
        "local-address",
        "trigger",
        "af-interface",
    )
)


def interface_type(name: str) -> str:
    """The type part of an interface name (``GigabitEthernet`` for ``GigabitEthernet0/1.5``)."""
    i = 0
    while i < len(name) and not (name[i].isdigit() or name[i] == " "):
        i += 1
    return name[:i]


def canonical_interface(token: str) -> str | None:
    """``gi0/0`` -> ``GigabitEthernet0/0``; None when the token is no interface name."""
    t = interface_type(token)
    if not t or len(t) == len(token) or not token[len(t)].isdigit():
        return None
    low = t.lower()
    full = INTERFACE_ABBREVIATIONS.get(low)
    if full is None:
        hits = [n for k, n in _IF_LOWER if k.startswith(low)]
        exact = [n for k, n in _IF_LOWER if k == low]
        if exact:
            full = exact[0]
        elif len(hits) == 1:
            full = hits[0]
        else:
            return None
    return full + token[len(t) :]


# ----------------------------------------------------------------- ordering

# Rank of top-level lines in the running configuration (longest prefix wins).
TOP_ORDER: tuple[tuple[str, int], ...] = (
    ("version", 0),
    ("service", 10),
    # `platform …` lines come between `service …` and `hostname` (ISR4321/ISR4331 16.6 and
    # C9200L 17.6 running configs, see rollout.hardware).
    ("platform", 15),
    ("hostname", 20),
    # The boot markers and `boot system` lines form one block (no `!` between them).
    ("boot-start-marker", 30),
    ("boot", 30),
    ("boot-end-marker", 30),
    ("card", 34),
    ("vrf", 36),
    ("ip vrf", 37),
    ("security", 38),
    ("logging buffered", 40),
    ("logging console", 40),
    ("logging monitor", 40),
    ("logging rate-limit", 40),
    ("logging queue-limit", 40),
    ("enable", 50),
    ("aaa", 60),
    ("clock", 70),
    # `mmi …` follows `no aaa new-model` and precedes `no ip icmp rate-limit unreachable`
    # (tests/data/ios-public/ios15-router/labval-localas-ios1.cfg, batfish/lab-validation).
    ("mmi", 80),
    ("system", 72),
    # `switch 1 provision …` follows `no aaa new-model` / `clock timezone` (2960-X 15.2 and
    # C9200L 17.6 running configs, see rollout.hardware).
    ("switch", 73),
    ("vtp", 74),
    # `crypto pki` trustpoints and chains come after `multilink bundle-name` and before
    # `license` (C9200L 17.6 and ISR4321 16.x running configs, see rollout.hardware).
    ("crypto pki", 115),
    ("ip dhcp", 90),
    ("ip source-route", 95),
    ("ip icmp", 95),
    ("ip gratuitous-arps", 95),
    ("ip finger", 95),
    ("ip cef", 95),
    ("ip domain", 95),
    ("ip name-server", 95),
    ("ip host", 95),
    ("ip multicast-routing", 95),
    ("ip igmp", 95),
    ("ip routing", 95),
    ("ip subnet-zero", 95),
    ("ip classless", 95),
    # `login on-success log` precedes `ipv6 unicast-routing` (IOS-XE 17.9 running config).
    ("login", 96),
    ("ipv6 unicast-routing", 97),
    ("ipv6 cef", 97),
    ("subscriber", 110),
    ("multilink", 110),
    # license -> diagnostic -> spanning-tree -> memory -> (username) -> redundancy ->
    # transceiver -> vlan internal (C9200L 17.6, ISR4321 15.5/16.6, 2960-X 15.2 running
    # configs, see rollout.hardware).
    ("license", 120),
    ("diagnostic", 120),
    ("spanning-tree", 120),
    ("memory", 120),
    ("archive", 125),
    ("username", 130),
    ("redundancy", 140),
    ("transceiver", 142),
    ("vlan internal", 145),
    ("vlan", 147),
    ("ip tcp", 150),
    ("ip ssh", 152),
    ("ip scp", 152),
    ("track", 155),
    ("key", 157),
    ("class-map", 160),
    ("policy-map", 170),
    ("crypto", 180),
    ("object-group", 185),
    ("zone", 186),
    ("zone-pair", 187),
    ("interface", 200),
    ("router", 300),
    ("ipv6 router", 301),
    ("ip forward-protocol", 400),
    ("ip bgp-community", 405),
    ("ip community-list", 406),
    ("ip extcommunity-list", 406),
    ("ip as-path", 407),
    ("ip http", 410),
    # `ip tftp source-interface GigabitEthernet0` follows `no ip http secure-server` (ISR4321
    # running config, milanDewilde/VirtueleNetwerken R1Configuration.md).
    ("ip tftp", 412),
    ("ip nat", 420),
    ("ip route", 430),
    ("ip access-list", 440),
    ("ip prefix-list", 450),
    ("ip sla", 460),
    ("logging", 470),
    ("ipv6 route", 475),
    ("ipv6 access-list", 476),
    ("ipv6 prefix-list", 476),
    ("access-list", 480),
    ("route-map", 490),
    ("snmp-server", 500),
    ("snmp", 500),
    ("tacacs-server", 510),
    ("tacacs", 510),
    ("radius-server", 510),
    ("radius", 510),
    ("control-plane", 600),
    # ` vstack` follows `control-plane` and precedes `line con 0` (tests/data/ios-public/
    # isr2901/oxi-r1.cfg and oxi-r2.cfg, Oxidized backups in github.com/tmullaly/oxidized).
    ("vstack", 605),
    ("banner", 610),
    ("alias", 615),
    ("line", 620),
    ("scheduler", 630),
    # `call-home` follows the `line` sections (C9200L 17.6: tests/data/ios-public/cat9200/
    # cubcal-SwitchLv3.cfg, github.com/LibGR/CUBCalifornieDocs).
    ("call-home", 635),
    ("ntp", 640),
    ("event", 650),
)
TOP_RANK: dict[tuple[str, ...], int] = {tuple(p.split()): r for p, r in TOP_ORDER}
# Top-level lines IOS prints with a leading space: ` vstack` on a Cisco 2901 (15.4(3)M10 and
# 15.7(3)M: tests/data/ios-public/isr2901/oxi-r1.cfg and oxi-r2.cfg, Oxidized backups in
# github.com/tmullaly/oxidized). The line is still a global command.
TOP_INDENT: dict[str, str] = {"vstack": " "}
# Order inside a block of one rank: (first word) -> position.
TOP_SUBRANK: dict[str, int] = {
    "boot-start-marker": 0,
    "boot": 1,
    "boot-end-marker": 2,
    "license": 0,
    "diagnostic": 1,
    "spanning-tree": 2,
    "memory": 3,
}
DEFAULT_TOP_RANK = 190

# Top-level sections printed one after another without a ``!`` between them.
GROUPED_SECTIONS = frozenset(
    {("ip", "access-list"), ("line",), ("ip", "sla"), ("ipv6", "access-list")}
)

# Order of lines inside sections, per mode: prefix -> rank (unlisted lines: 50, in entry order).
CHILD_ORDER: dict[str, dict[tuple[str, ...], int]] = {
    "config-if": {
        tuple(p.split()): r
        for p, r in (
            ("description", 1),
            ("switchport access", 2),
            ("switchport trunk", 2),
            ("switchport", 3),
            ("bandwidth", 3),
            ("vrf", 4),
            ("ip vrf", 4),
            ("mtu", 4),
            ("ip address", 5),
            ("ip unnumbered", 5),
            ("ip access-group", 6),
            ("ip helper-address", 7),
            ("ip redirects", 8),
            ("ip unreachables", 8),
            ("ip proxy-arp", 8),
            ("ip mtu", 9),
            ("ip nat", 10),
            ("ip virtual-reassembly", 11),
            ("ip ospf", 12),
            ("ip tcp", 13),
            ("delay", 20),
            ("load-interval", 21),
            ("shutdown", 30),
            ("media-type", 31),
            ("speed", 32),
            ("duplex", 33),
            ("negotiation", 34),
            ("keepalive", 35),
            ("tunnel", 40),
            ("spanning-tree", 60),
            ("service-policy", 70),
        )
    },
    "config-line": {
        tuple(p.split()): r
        for p, r in (
            ("session-timeout", 1),
            ("access-class", 2),
            ("exec-timeout", 3),
            ("password", 4),
            ("privilege", 5),
            ("logging", 6),
            ("login", 7),
            ("stopbits", 8),
            ("transport", 9),
        )
    },
}
CHILD_ORDER["config-subif"] = CHILD_ORDER["config-if"]

# Modes whose child sections IOS separates with a ``!`` line (``router bgp``).
CHILD_SECTION_SEPARATOR = frozenset({"config-router", "config-vrf", "config-router-af"})
# Modes whose child sections IOS shows before their lines: an EIGRP named-mode address family
# lists `af-interface …` and `topology base` before `network` and `eigrp router-id`
# (tests/data/ios-public/csr1000v/labval-eigrp-dc1border.cfg, from batfish/lab-validation;
# github.com/devops-user/otus homeworks_prof/homework_21/readme.md).
CHILD_SECTIONS_FIRST = frozenset({"config-router-af"})

# ------------------------------------------------------------------- exec

EXEC_KEYWORDS = tuple(
    sorted(
        [
            "access-enable",
            "archive",
            "cd",
            "clear",
            "clock",
            "configure",
            "connect",
            "copy",
            "debug",
            "delete",
            "dir",
            "disable",
            "disconnect",
            "enable",
            "erase",
            "exit",
            "format",
            "help",
            "logout",
            "mkdir",
            "more",
            "no",
            "ping",
            "pwd",
            "reload",
            "rename",
            "rmdir",
            "send",
            "setup",
            "show",
            "ssh",
            "systat",
            "telnet",
            "terminal",
            "traceroute",
            "undebug",
            "verify",
            "write",
            "where",
            "end",
        ]
    )
)
USER_EXEC_KEYWORDS = tuple(
    sorted(
        [
            "access-enable",
            "connect",
            "disable",
            "disconnect",
            "enable",
            "exit",
            "help",
            "logout",
            "ping",
            "send",
            "show",
            "ssh",
            "systat",
            "telnet",
            "terminal",
            "traceroute",
            "where",
        ]
    )
)
SHOW_KEYWORDS = tuple(
    sorted(
        [
            "aaa",
            "access-lists",
            "archive",
            "cdp",
            "clock",
            "configuration",
            "controllers",
            "flash:",
            "history",
            "hosts",
            "interfaces",
            "inventory",
            "ip",
            "ipv6",
            "license",
            "line",
            "logging",
            "memory",
            "ntp",
            "policy-map",
            "privilege",
            "processes",
            "running-config",
            "sessions",
            "snmp",
            "spanning-tree",
            "ssh",
            "startup-config",
            "tech-support",
            "terminal",
            "users",
            "version",
            "vlan",
        ]
    )
)
SHOW_IP_KEYWORDS = tuple(
    sorted(
        [
            "access-lists",
            "arp",
            "bgp",
            "cef",
            "dhcp",
            "eigrp",
            "interface",
            "nat",
            "ospf",
            "prefix-list",
            "protocols",
            "route",
            "sla",
            "ssh",
            "traffic",
            "vrf",
        ]
    )
)


@dataclass(slots=True)
class Syntax:
    """A node of the command syntax trie of one mode."""

    children: dict[str, Syntax] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    """Sorted keywords, for abbreviation lookups."""
    arg: Syntax | None = None
    arg_numeric: bool = False
    terminal: bool = False
    closed: bool = True
    rest: bool = False
    raw: bool = False


def compile_syntax(text: str) -> Syntax:
    root = Syntax()
    for raw_line in text.strip().splitlines():
        parts = raw_line.split()
        if not parts:
            continue
        node = root
        ended = False
        for part in parts:
            if part in {"+", "~"}:
                node.rest = True
                node.raw = node.raw or part == "~"
                ended = True
                break
            if part == ".":
                node.terminal = True
                ended = True
                break
            if part in {"*", "#"}:
                if node.arg is None:
                    node.arg = Syntax()
                node.arg_numeric = part == "#"
                node = node.arg
                continue
            nxt = node.children.get(part)
            if nxt is None:
                nxt = node.children[part] = Syntax()
            node = nxt
        if not ended:
            node.terminal = True
            node.closed = False
    _finish(root)
    return root


def _finish(node: Syntax) -> None:
    node.keys = sorted(node.children)
    for child in node.children.values():
        _finish(child)
    if node.arg is not None:
        _finish(node.arg)


SYNTAX: dict[str, Syntax] = {m: compile_syntax(t) for m, t in MODE_SYNTAX.items()}


def complete_keyword(keys: list[str], word: str) -> list[str]:
    """Keywords of a sorted list that ``word`` abbreviates (the exact one alone if present)."""
    i = bisect_left(keys, word)
    out: list[str] = []
    while i < len(keys) and keys[i].startswith(word):
        if keys[i] == word:
            return [word]
        out.append(keys[i])
        i += 1
    return out
