"""What rollout owns on an IOS device, as data; everything else is left alone and reported.

A top-level line of the running configuration (with its section) is *in scope* when

- a row of `FAMILIES` with `always=True` matches it (rollout owns that family on every IOS
  device, whether or not the intent renders a line of it), or
- its key (the row's `key` group, or for lines no row knows: a section's header, a single
  line's first two words) is also the key of a line of the intent: a line of the intent
  always makes its family in scope (a named ACL, an interface, `router bgp N`).

Inside an owned section, every child is owned, except in `interface` and `line` sections,
where a child is owned when its setting is one rollout renders there (`CHILD_FAMILIES`) or the
intent's section has the same setting; the rest (`negotiation auto`, `stopbits 1`, `media-type`
...) is the platform's and stays.

Lines out of scope are *unmanaged*: never negated, never changed, counted in the plan. The
rows come from what templates/cisco_ios/*.j2 render (see tests/golden/*/*.cfg).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rollout.drivers.ios_sections import Node


class Family(NamedTuple):
    pattern: str
    always: bool
    rendered_by: str
    reason: str


_OURS_ACL = "NOC-MGMT|WAN-IN|CONFERENCE-IN|CLOUD-MEETING"
_OURS_POLICY = "WAN-QUEUING|WAN-SHAPER|LAN-INGRESS-MARKING"

FAMILIES: tuple[Family, ...] = (
    Family(r"hostname\b", True, "_header.j2", "the device's name"),
    Family(
        r"service (?:timestamps|password-encryption)\b",
        True,
        "_header.j2",
        "log time stamps and password encryption",
    ),
    Family(
        r"(?P<key>logging \S+)",
        True,
        "_header.j2, _services.j2",
        "where logs go",
    ),
    Family(r"enable secret\b", True, "_header.j2", "the enable secret"),
    Family(
        r"aaa\b",
        False,
        "_header.j2",
        "login authentication and authorization, when the intent has any aaa line (a device "
        "showing 'no aaa new-model' under an intent silent on aaa is left alone)",
    ),
    Family(r"clock timezone\b", True, "_header.j2", "time zone of logs"),
    Family(r"(?P<key>ip domain[ -](?:name|lookup))\b", True, "_header.j2", "DNS name, lookup"),
    Family(
        r"(?P<key>login (?:block-for|on-failure|on-success|quiet-mode))\b",
        True,
        "_header.j2",
        "login rate limits and logging",
    ),
    Family(
        r"(?P<key>username \S+)",
        False,
        "_header.j2",
        "our admin user only; other local users are the site's",
    ),
    Family(r"archive$", True, "_header.j2", "config archive (needed by the revert timer)"),
    Family(r"(?P<key>ip ssh \S+)", True, "_header.j2", "SSH server settings"),
    Family(r"(?P<key>ip http \S+)", True, "_header.j2", "HTTP server off"),
    Family(
        rf"ip access-list (?:standard|extended) (?:{_OURS_ACL})$",
        True,
        "_services.j2, wan_router.j2",
        "ACLs rollout names",
    ),
    Family(
        r"(?P<key>ip access-list (?:standard|extended) \S+)$",
        False,
        "intent",
        "another named ACL: only when the intent renders it",
    ),
    Family(rf"policy-map (?:{_OURS_POLICY})$", True, "wan_router.j2", "QoS policies rollout names"),
    Family(r"(?P<key>class-map (?:match-any |match-all )?\S+)$", False, "wan_router.j2", "by name"),
    Family(r"(?P<key>policy-map \S+)$", False, "wan_router.j2", "by name"),
    Family(r"(?P<key>interface \S+)$", False, "wan_router.j2, lan_switch.j2", "by name"),
    Family(
        r"(?P<key>ip route vrf \S+)",
        False,
        "intent",
        "routes of another VRF (the ISR 4000 Mgmt-intf): only when the intent has that VRF's",
    ),
    Family(r"ip route\b", True, "wan_router.j2", "static routes of the global table"),
    Family(
        r"(?P<key>ip sla (?:schedule |reaction-configuration )?\d+)\b",
        False,
        "wan_router.j2",
        "probes by number",
    ),
    Family(r"ip sla responder\b", True, "wan_router.j2 (hub)", "SLA responder"),
    Family(
        r"(?P<key>snmp-server \S+)",
        True,
        "_services.j2",
        "SNMP: SNMPv3 only (a community left on the device is removed)",
    ),
    Family(r"(?P<key>ntp \S+)", True, "_services.j2", "time"),
    Family(
        r"line (?:con|vty) [\d ]+$",
        False,
        "_services.j2",
        "console and SSH lines by range; another range is the device's (IOS merges ranges)",
    ),
    Family(r"(?P<key>vlan \d+)$", False, "lan_switch.j2", "VLANs by id"),
    Family(r"vtp\b", False, "lan_switch.j2", "VTP mode (switches)"),
    Family(r"spanning-tree\b", False, "lan_switch.j2", "STP (switches)"),
    Family(r"mls qos$", False, "lan_switch.j2", "QoS trust (switches)"),
    Family(r"ip default-gateway\b", False, "lan_switch.j2", "management gateway (switches)"),
    Family(
        r"(?P<key>router bgp)\b",
        False,
        "intent",
        "one BGP process per device: the intent's `router bgp N` owns any other AS number",
    ),
    Family(r"(?P<key>banner \S+)", True, "templates (none yet)", "login banners"),
)
_COMPILED = tuple((re.compile(f.pattern), f) for f in FAMILIES)

# Inside an owned `line` section rollout owns only the settings it renders (_services.j2) and
# those the intent's section has; `login`, `password`, `stopbits` stay the device's.
# Inside an owned `interface` it owns every setting except those the platform writes by
# itself, which stay unless the intent's section sets them.
CHILD_SCOPE: dict[str, tuple[bool, tuple[str, ...], str]] = {
    "line ": (
        True,
        ("exec-timeout", "access-class", "transport input", "logging"),
        "owned: what _services.j2 renders under line con/vty",
    ),
    "interface ": (
        False,
        ("negotiation", "media-type", "mop"),
        "left alone: 'negotiation auto' is shown on every ISR 4000 Gigabit port (real ISR4321 "
        "show running-config, github.com/milanDewilde/VirtueleNetwerken opdracht01/"
        "proefopstellingLabo4/R1Configuration.md); 'media-type rj45' on IOSv-L2 ports; "
        "'no mop enabled' / 'no mop sysid' on every GigabitEthernet of IOS-XE 16.4 CSR1000v "
        "(tests/data/ios-public/csr1000v, batfish/lab-validation) and on no port of IOS-XE "
        "15.5 (csr1000v/napalm-CSR1.cfg): negating them would turn MOP on",
    ),
}
WORD_PAIRS = frozenset(
    {
        "ip",
        "ipv6",
        "switchport",
        "spanning-tree",
        "mls",
        "service-policy",
        "transport",
        "snmp",
        "mop",
    }
)


def _body(text: str) -> str:
    return text[3:] if text.startswith("no ") else text


def key(node: Node) -> tuple[str, Family | None]:
    """The key a top-level line is owned by, and its row (None: no row knows it)."""
    body = _body(node.text.split("\n", 1)[0])
    for pattern, family in _COMPILED:
        m = pattern.match(body)
        if m:
            return (m.group("key") if "key" in pattern.groupindex else m.group(0)), family
    words = body.split()
    return (body if node.children else " ".join(words[:2])), None


def child_key(text: str) -> str:
    words = _body(text).split()
    return " ".join(words[:2] if words and words[0] in WORD_PAIRS else words[:1])


def _owned_child(parent: str, child: Node, wanted: set[str]) -> bool:
    for prefix, (only, families, _why) in CHILD_SCOPE.items():
        if parent.startswith(prefix):
            k = child_key(child.text)
            listed = any(k == f or k.startswith(f + " ") for f in families)
            return k in wanted or listed == only
    return True


def split(running: list[Node], intended: list[Node]) -> tuple[list[Node], list[str]]:
    """(the running tree rollout owns, the unmanaged lines as `section / line` texts)."""
    # A header the intent shows without lines under it (`router ospf 1`, `line aux 0`) owns the
    # running section of that header too: keyed by its two first words alone, the running
    # section would stay unmanaged and the intent's line be added again at every plan (an
    # ISR4221 16.9 shows an empty `router ospf 1`: tests/data/ios-public/isr4221/fls-R1.cfg).
    wanted = {key(n)[0] for n in intended} | {n.text for n in intended}
    sections = {n.text: n for n in intended}
    owned: list[Node] = []
    unmanaged: list[str] = []
    for node in running:
        k, family = key(node)
        if not ((family is not None and family.always) or k in wanted):
            unmanaged.append(node.text)
            continue
        mine = sections.get(node.text)
        child_wanted = {child_key(c.text) for c in mine.children} if mine else set()
        kids: list[Node] = []
        for child in node.children:
            if _owned_child(node.text, child, child_wanted):
                kids.append(child)
            else:
                unmanaged.append(f"{node.text} / {child.text}")
        owned.append(Node(node.text, kids))
    return owned, unmanaged
