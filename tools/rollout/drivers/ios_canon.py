"""How IOS shows what it is sent, as data: the canonical form the planner compares in.

IOS does not echo a configuration back as it was typed: it hides defaults, expands
abbreviations, numbers prefix-list entries, shows a banner between ^C delimiters. The planner
turns both the intended and the running configuration into this shown form before comparing,
so a converged device plans nothing.

`ROWS` holds one example per rule as `(written, shown, source)`: feed `written` to a device,
expect `shown` in `show running-config` (the lines of those sections; lines a platform adds
to a port by itself, such as `negotiation auto` on an ISR 4000, are not part of a row).
`canonical` implements the rules; the test checks `canonical(written) == shown` and
`canonical(shown) == shown` for every row. Lines whose shown form depends on the software
train (`no ip domain-lookup` / `no ip domain lookup`) are in `TRAIN_FORMS`: the planner maps
every form to one before comparing, and sends the intent's.
What is not confirmed on a real device is listed in docs/ios.md, not here.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rollout.drivers.ios_sections import BANNER, Node, banner_body, merge, parse, render


class Row(NamedTuple):
    written: str
    shown: str
    source: str


CIS_DEFAULTS = (
    "CIS Cisco IOS benchmark v2.4.0, item 1.1.2.2: 'Default Cisco settings do not display in "
    "the configuration file' (https://www.tenable.com/audits/items/CIS_v2.4.0_Cisco_IOS_Level_1"
    ".audit:c93e497600d60753bf1aa1c9b736eebb)"
)
ISR4321 = (
    "real ISR4321 IOS XE 15.5 show running-config: github.com/milanDewilde/VirtueleNetwerken "
    "opdracht01/proefopstellingLabo4/R1Configuration.md"
)
ISR4351 = (
    "real ISR4351 IOS XE 17.9 show running-config: github.com/CiscoTestAutomation/genielibs "
    "pkgs/sdk-pkg/src/genie/libs/sdk/apis/tests/iosxe/support/tech_support/"
    "show_tech_support_firewall/test_api_show_tech_support_firewall.py"
)
C2960X = (
    "real WS-C2960X-24PS-L IOS 15.2 show running-config (public GitHub file, index id "
    "4726671017, device DK-P1-SW01; see docs/ios.md)"
)
BATFISH = (
    "real IOS 15.2 configs: github.com/batfish/batfish networks/example (tests/data/ios-corpus)"
)

ROWS: tuple[Row, ...] = (
    # -- defaults IOS hides ---------------------------------------------------------------------
    Row(
        "ip ssh authentication-retries 3",
        "",
        "default 3: Cisco Security Command Reference ip ssh (http://www.cisco.com/en/US/docs/"
        "ios-xml/ios/security/d1/sec-cr-i3.html) via CIS IOS 15 v4.1.1 item 2.1.1.1.5 "
        "(https://tenable.com/audits/items/CIS_Cisco_IOS_15_v4.1.1_Level_1.audit:"
        "7fa4fab07ec897dfe4fd699595f1f4f4); hidden: " + CIS_DEFAULTS,
    ),
    Row(
        "ip ssh time-out 120",
        "",
        "default 120 s: Cisco Security Command Reference ip ssh (http://www.cisco.com/en/US/docs/"
        "ios-xml/ios/security/d1/sec-cr-i3.html); hidden: " + CIS_DEFAULTS,
    ),
    Row(
        "logging trap informational",
        "",
        "default level informational: Cisco show logging sample 'Trap logging: level "
        "informational' on a router with no logging trap line (https://www.cisco.com/E-Learning/"
        "bulk/public/tac/cim/cib/using_cisco_ios_software/cmdrefs/show_logging.htm); hidden: "
        + CIS_DEFAULTS,
    ),
    Row(
        "ip sla 10\n udp-jitter 10.0.0.1 16384 num-packets 10 interval 20\n frequency 60",
        "ip sla 10\n udp-jitter 10.0.0.1 16384",
        "defaults frequency 60 s, threshold 5000 ms, timeout 5000 ms: Cisco show ip sla "
        "configuration (https://developer.cisco.com/docs/nx-api-cli-reference-for-the-cisco-"
        "nexus-7000-series-platform/ip-sla-commands/); num-packets 10 interval 20 ms: Cisco "
        "CISCO-RTTMON/IPSLA-JITTER MIB defaults (https://raw.githubusercontent.com/cisco/"
        "cisco-mibs/main/v2/CISCO-IPSLA-JITTER-MIB.my); hidden: " + CIS_DEFAULTS,
    ),
    Row(
        "ip sla 20\n udp-jitter 10.0.0.1 16386 num-packets 100 interval 20\n threshold 5000\n"
        " timeout 5000",
        "ip sla 20\n udp-jitter 10.0.0.1 16386 num-packets 100 interval 20",
        "defaults threshold/timeout 5000 ms: Cisco show ip sla configuration (https://"
        "developer.cisco.com/docs/nx-api-cli-reference-for-the-cisco-nexus-7000-series-platform/"
        "ip-sla-commands/); a non-default num-packets is shown: real show run | section sla "
        "'udp-jitter ... num-packets 20' (public GitHub file, index id 70844113935); hidden: "
        + CIS_DEFAULTS,
    ),
    Row(
        "ip domain lookup",
        "",
        "enabled by default: Cisco IOS 12.1 IP Addressing Commands, ip domain-lookup (http://www."
        "cisco.com/en/US/docs/ios/12_1/iproute/command/reference/1rdipadr.html); only 'no ip "
        "domain-lookup' / 'no ip domain lookup' is shown, the IOSvL2 files of tests/data/"
        "ios-public (Ring-topologi) show either that or no line; hidden: " + CIS_DEFAULTS,
    ),
    Row(
        "interface Vlan1\n ip address 192.168.1.10 255.255.255.0\n ip route-cache",
        "interface Vlan1\n ip address 192.168.1.10 255.255.255.0",
        "fast switching 'is enabled by default on all interfaces that support fast switching' "
        "(Cisco IOS 12.0 Switching Services Configuration Guide, 'Configuring Fast Switching', "
        "http://www.shrubbery.net/cisco/cc/td/doc/product/software/ios120/12cgcr/switch_c/"
        "xcprt1/xcipsp.htm); only ' no ip route-cache' is shown (IOSvL2 Vlan1 of tests/data/"
        "ios-public/iosvl2/ring-Core2.cfg, and no ' ip route-cache' line in any file there)",
    ),
    Row(
        "line vty 0 4\n exec-timeout 10 0\n transport input ssh",
        "line vty 0 4\n transport input ssh",
        "default 10 minutes: Cisco IOS Terminal Services command reference, exec-timeout "
        "('Default: 10 minutes', https://www.cisco.com/c/en/us/td/docs/ios-xml/ios/"
        "termserv/command/tsv-cr-book/tsv-a1.html); a non-default value is shown, 'exec-timeout "
        "0 0' under line con 0 and line vty: " + BATFISH + "; hidden: " + CIS_DEFAULTS,
    ),
    Row(
        "interface GigabitEthernet0/0/1\n ip proxy-arp\n ip redirects\n ip unreachables",
        "interface GigabitEthernet0/0/1",
        "on by default (Cisco IOS IP Addressing Services command reference, `ip proxy-arp`, "
        "`ip redirects`, `ip unreachables`: enabled by default); only the `no` forms are shown: "
        "' no ip proxy-arp' on an ISR4331 15.5 (tests/data/ios-public/isr4331/"
        "cnam-Router-28.cfg), ' no ip redirects' / ' no ip unreachables' in " + BATFISH,
    ),
    Row(
        "interface GigabitEthernet0/0/1\n ip address 10.0.0.1 255.255.255.0\n no shutdown",
        "interface GigabitEthernet0/0/1\n ip address 10.0.0.1 255.255.255.0",
        "an enabled port shows no shutdown line, a disabled one shows ' shutdown': " + ISR4321,
    ),
    # -- lines IOS rewrites -----------------------------------------------------------------
    Row(
        "interface gi0/0/1\n description x\n ip address 10.0.0.1 255.255.255.0",
        "interface GigabitEthernet0/0/1\n description x\n ip address 10.0.0.1 255.255.255.0",
        "ports are shown by full name (GigabitEthernet0/0/0, Serial0/1/0): " + ISR4321,
    ),
    Row(
        "ip prefix-list default_list permit 0.0.0.0/0",
        "ip prefix-list default_list seq 5 permit 0.0.0.0/0",
        "entries numbered 5, 10, ...: 'ip prefix-list default_list seq 5 permit 0.0.0.0/0', "
        + BATFISH
        + "; numbering rule as in Quagga's IOS-like CLI (https://nongnu.org/quagga/docs/"
        "docs-multi/IP-Prefix-List.html)",
    ),
    Row(
        "banner login #\nFirst line.\nSecond line.\n#",
        "banner login ^C\nFirst line.\nSecond line.\n^C",
        "shown between ^C with the text's own line breaks: 'banner motd ^C' / 'Unauthorized "
        "access is strictly prohibited. ^C' in a Catalyst 2960 show running-config (public "
        "GitHub file, code index id 9913695003), 'banner motd ^C' / ' Welcome to the DevNet "
        "Sandbox...' in an IOS XE diff (code index id 47194935768); ^C for a typed '#' is "
        "unconfirmed (docs/ios.md)",
    ),
    # -- lines IOS shows as written ------------------------------------------------------------
    Row(
        "enable secret 9 $9$hvE76rQWdWMDVU$woYklA8yh6idJIMXzHP9Q6iL8jQunG3UW7Df3nREEys",
        "enable secret 9 $9$hvE76rQWdWMDVU$woYklA8yh6idJIMXzHP9Q6iL8jQunG3UW7Df3nREEys",
        "a type 9 secret is kept: real CSR1000v 17.6 show running-config 'enable secret 9 "
        "$9$hvE7...' (public GitHub file found by search; see docs/ios.md)",
    ),
    Row(
        "ip access-list extended blocktelnet\n deny tcp any any eq telnet\n permit ip any any",
        "ip access-list extended blocktelnet\n deny   tcp any any eq telnet\n permit ip any any",
        "entries shown as written, no sequence numbers in show running-config, 'deny' padded "
        "to the width of 'permit': " + BATFISH,
    ),
    Row("no aaa new-model", "no aaa new-model", "AAA off is shown: " + ISR4321),
    Row("no logging console", "no logging console", "console logging off is shown: " + ISR4351),
    Row("no ip http server", "no ip http server", "shown on IOS XE 15.5/17.9: " + ISR4321),
    Row(
        "spanning-tree extend system-id",
        "spanning-tree extend system-id",
        "shown (a default the device writes itself): " + C2960X + "; " + ISR4321,
    ),
    Row("ip domain name vc.example", "ip domain name vc.example", "IOS XE 17.x form: " + ISR4351),
)

TRAIN_FORMS: tuple[tuple[str, str, str], ...] = (
    (
        "no ip domain-lookup",
        "no ip domain lookup",
        "12.x/15.2 switches show 'no ip domain-lookup' (" + C2960X + "); IOS XE 15.5+ shows "
        "'no ip domain lookup' (" + ISR4321 + ")",
    ),
    (
        "ip domain-name",
        "ip domain name",
        "15.2 switches show 'ip domain-name X' (" + C2960X + "); IOS XE shows 'ip domain name X'"
        " (" + ISR4351 + ")",
    ),
)
"""(older form, newer form, source): both mean the same line; the planner compares the newer."""

HIDDEN_NEGATIONS: tuple[tuple[str, str], ...] = (
    (
        "ip http server",
        "shown as 'no ip http server' on IOS XE 15.5 and 17.9 ("
        + ISR4321
        + "; "
        + ISR4351
        + "); hidden on other trains (unconfirmed which: docs/ios.md)",
    ),
    ("ip http secure-server", "as ip http server (" + ISR4321 + ")"),
    (
        "service password-encryption",
        "off by default (Cisco Security Command Reference, service password-encryption: "
        "'Command Default: No passwords are encrypted'); shown as 'no service "
        "password-encryption' on IOS 15 (tests/data/ios-public/ios15-router, isr2901), not "
        "shown on IOS-XE 16 CSR1000v (tests/data/ios-public/csr1000v/labval-confed-D1.cfg)",
    ),
)
"""Features off by default that one train shows as `no X` and another does not show at all.

`no X` in the intent is satisfied when the device shows neither X nor `no X`; the device's
`no X` is satisfied when the intent has neither (both mean: off, the default)."""

# Abbreviations an operator or template may type, and the name IOS shows (longest first).
PORT_NAMES: tuple[tuple[str, str], ...] = (
    ("TwentyFiveGigE", "TwentyFiveGigE"),
    ("TwoGigabitEthernet", "TwoGigabitEthernet"),
    ("FiveGigabitEthernet", "FiveGigabitEthernet"),
    ("TenGigabitEthernet", "TenGigabitEthernet"),
    ("FortyGigabitEthernet", "FortyGigabitEthernet"),
    ("HundredGigE", "HundredGigE"),
    ("AppGigabitEthernet", "AppGigabitEthernet"),
    ("GigabitEthernet", "GigabitEthernet"),
    ("FastEthernet", "FastEthernet"),
    ("Ethernet", "Ethernet"),
    ("Port-channel", "Port-channel"),
    ("Loopback", "Loopback"),
    ("Serial", "Serial"),
    ("Cellular", "Cellular"),
    ("Async", "Async"),
    ("Service-Engine", "Service-Engine"),
    ("BRI", "BRI"),
    ("Tunnel", "Tunnel"),
    ("Vlan", "Vlan"),
    ("Twe", "TwentyFiveGigE"),
    ("Two", "TwoGigabitEthernet"),
    ("Tw", "TwoGigabitEthernet"),
    ("Fi", "FiveGigabitEthernet"),
    ("Te", "TenGigabitEthernet"),
    ("Fo", "FortyGigabitEthernet"),
    ("Hu", "HundredGigE"),
    ("Ap", "AppGigabitEthernet"),
    ("Gig", "GigabitEthernet"),
    ("Gi", "GigabitEthernet"),
    ("Fa", "FastEthernet"),
    ("Eth", "Ethernet"),
    ("Et", "Ethernet"),
    ("e", "Ethernet"),
    ("g", "GigabitEthernet"),
    ("Po", "Port-channel"),
    ("Lo", "Loopback"),
    ("Se", "Serial"),
    ("Ce", "Cellular"),
    ("As", "Async"),
    ("Tu", "Tunnel"),
    ("Vl", "Vlan"),
)
LOGICAL_KINDS = frozenset({"Port-channel", "Loopback", "Tunnel", "Vlan"})
PHYSICAL_KINDS: tuple[str, ...] = tuple(
    full for full in dict.fromkeys(full for _, full in PORT_NAMES) if full not in LOGICAL_KINDS
)
"""Hardware port types of the supported models: never deleted, only `default interface`."""
_PORT = re.compile(
    r"^(?P<kind>" + "|".join(re.escape(a) for a, _ in PORT_NAMES) + r")(?P<num>\d[\d/:.]*)$",
    re.IGNORECASE,
)
_FULL = {a.lower(): full for a, full in PORT_NAMES}

# Where a line names an interface (the word after these prefixes).
PORT_REFERENCES = re.compile(
    r"^(interface|default interface|no interface|logging source-interface|"
    r"snmp-server trap-source|ntp source|ip ssh source-interface|"
    r"ip tftp source-interface) (\S+)(.*)$"
)

HIDDEN_TOP = frozenset(
    {
        "ip ssh authentication-retries 3",
        "ip ssh time-out 120",
        "logging trap informational",
        # Console and monitor logging are on at level debugging by default (Cisco `logging
        # console` command reference; "The default level for console, monitor, and syslog is
        # debugging": examguides.com/CCNP-ENARSI/ccnp-enarsi-cramnotes-15.htm); no public file
        # of tests/data/ios-public shows either line.
        "logging console",
        "logging console debugging",
        "logging monitor",
        "logging monitor debugging",
        "ip domain lookup",
        "ip domain-lookup",
    }
)
HIDDEN_SLA = frozenset({"frequency 60", "threshold 5000", "timeout 5000"})
HIDDEN_IF = frozenset(
    {"no shutdown", "ip route-cache", "ip proxy-arp", "ip redirects", "ip unreachables"}
)
HIDDEN_LINE = frozenset({"exec-timeout 10 0"})
SLA_DEFAULT_PACKETS = re.compile(r" num-packets 10 interval 20(?= |$)")
ACL = re.compile(r"^ip access-list (?:standard|extended) ")
DENY = re.compile(r"^deny +")
"""IOS prints a named ACL's `deny` padded to the width of `permit` (BATFISH below)."""
PREFIX_LIST = re.compile(r"^(ip|ipv6) prefix-list (\S+) (permit|deny) (.*)$")
PREFIX_SEQ = re.compile(r"^(?:ip|ipv6) prefix-list (\S+) seq (\d+) ")


def port_name(name: str) -> str:
    """The name IOS shows for a (possibly abbreviated) interface name."""
    m = _PORT.match(name)
    if m is None:
        return name
    return _FULL[m.group("kind").lower()] + m.group("num")


def _ports(text: str) -> str:
    m = PORT_REFERENCES.match(text)
    if m is None:
        return text
    return f"{m.group(1)} {port_name(m.group(2))}{m.group(3)}"


def _train(text: str) -> str:
    for old, new, _source in TRAIN_FORMS:
        if text == old or text.startswith(old + " "):
            return new + text[len(old) :]
    return text


def _banner(text: str) -> str:
    kind, body = banner_body(text)
    return f"banner {kind} ^C{body}^C"


def canonical_tree(nodes: list[Node], *, trains: bool = True) -> list[Node]:
    """The tree as IOS would show it (see the module's doc)."""
    out: list[Node] = []
    seq: dict[str, int] = {}
    for node in nodes:
        if node.is_banner and BANNER.match(node.text.split("\n", 1)[0]):
            out.append(Node(_banner(node.text)))
            continue
        text = _ports(node.text)
        if trains:
            text = _train(text)
        if text in HIDDEN_TOP:
            continue
        if m := PREFIX_SEQ.match(text):
            seq[m.group(1)] = max(seq.get(m.group(1), 0), int(m.group(2)))
        elif m := PREFIX_LIST.match(text):
            number = (seq.get(m.group(2), 0) // 5 + 1) * 5
            seq[m.group(2)] = number
            text = f"{m.group(1)} prefix-list {m.group(2)} seq {number} {m.group(3)} {m.group(4)}"
        children = [Node(_ports(c.text), c.children) for c in node.children]
        if text.startswith("ip sla ") and text.split()[2].isdigit():
            children = [
                Node(SLA_DEFAULT_PACKETS.sub("", c.text), c.children)
                for c in children
                if c.text not in HIDDEN_SLA
            ]
        elif text.startswith("interface "):
            children = [c for c in children if c.text not in HIDDEN_IF]
        elif text.startswith("line "):
            children = [c for c in children if c.text not in HIDDEN_LINE]
        elif ACL.match(text):
            children = [Node(DENY.sub("deny   ", c.text), c.children) for c in children]
        out.append(Node(text, children))
    return merge(out, top=True)  # `interface Gi0/1` and `interface GigabitEthernet0/1` are one


def hidden_defaults(nodes: list[Node]) -> set[tuple[str, str]]:
    """(section header as shown, or "" at the top; line) for each default the tree sets that
    canonical_tree hides: `exec-timeout 10 0` under `line con 0`, `ip ssh time-out 120`."""
    out: set[tuple[str, str]] = set()
    for node in nodes:
        text = _train(_ports(node.text))
        if text in HIDDEN_TOP:
            out.add(("", text))
            continue
        hidden: frozenset[str] = frozenset()
        if text.startswith("ip sla ") and text.split()[2].isdigit():
            hidden = HIDDEN_SLA
        elif text.startswith("interface "):
            hidden = HIDDEN_IF
        elif text.startswith("line "):
            hidden = HIDDEN_LINE
        out |= {(text, c.text) for c in node.children if c.text in hidden}
    return out


def canonical(text: str, *, trains: bool = False) -> str:
    """A configuration text as IOS shows it (train-dependent forms kept unless trains=True)."""
    return render(canonical_tree(parse(text), trains=trains)).rstrip("\n")


def silent_off(have: list[Node], want: list[Node]) -> list[Node]:
    """The running config less the `no X` of HIDDEN_NEGATIONS that an intent silent on X means."""
    said = {n.text for n in want}
    off = {f"no {x}" for x, _ in HIDDEN_NEGATIONS if x not in said and f"no {x}" not in said}
    return [n for n in have if n.text not in off]


def satisfied(want: list[Node], have: list[Node]) -> list[Node]:
    """The intent less the `no X` of HIDDEN_NEGATIONS that the running config already meets."""
    shown = {n.text for n in have}
    hidden = {f"no {x}" for x, _ in HIDDEN_NEGATIONS if x not in shown and f"no {x}" not in shown}
    return [n for n in want if n.text not in hidden]
