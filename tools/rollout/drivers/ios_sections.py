"""An IOS configuration as a tree of sections, merged the way IOS merges what it is given.

IOS keeps one section per header: typing `interface X` twice, or `router bgp N` twice, enters
the same section again, and a child that holds one value (`description`, `ip address`, ...)
replaces the one before. hier_config refuses or duplicates such input, so the planner merges
it here first. A banner (`banner login ^C ... ^C`, any delimiter) is one unit: one node whose
text holds every line of it. Mode-exit lines (`exit`, `quit`, `end`, `exit-address-family`...)
are not configuration and are dropped: the planner decides where a plan leaves a sub-mode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

EXITS = re.compile(
    r"^\s*(?:exit|quit|end|exit-address-family|exit-peer-policy|exit-peer-session"
    r"|exit-af-topology|exit-af-interface|exit-sf-topology|exit-sf-interface"
    r"|exit-service-family)\s*$"
)
"""Lines that move between modes; they are no part of the configuration's content.

EIGRP named mode shows `exit-af-topology` after `topology base` (real CSR1000v IOS-XE 16.4
show running-config, tests/data/ios-public/csr1000v/labval-eigrp-dc1border.cfg from
batfish/lab-validation); `exit-af-interface`, `exit-sf-topology`, `exit-sf-interface` and
`exit-service-family` close the other named-mode sub-modes (Cisco IP Routing: EIGRP
Configuration Guide, 'EIGRP Named Mode'; not seen in a captured output here)."""

# Children that hold one value per section: a later one replaces an earlier one, as on IOS
# (Cisco IOS Interface and Hardware Component Command Reference, `description`: "a new
# description replaces the old"; `ip address` without `secondary` replaces the primary
# address, IP Addressing Command Reference). The key is the words that name the setting.
SINGLE_VALUE_CHILDREN: tuple[str, ...] = (
    "description",
    "ip address",
    "bandwidth",
    "encapsulation dot1Q",
    "name",
    "switchport mode",
    "switchport access vlan",
    "switchport trunk allowed vlan",
    "switchport trunk native vlan",
    "exec-timeout",
    "login",
    "shutdown",
    "speed",
    "duplex",
    "mtu",
    "frequency",
    "tag",
    "tos",
    "threshold",
    "timeout",
    "path",
    "maximum",
    "bgp router-id",
    "priority percent",
    "bandwidth percent",
    "shape average",
    "set dscp",
)
BARE_VALUES: tuple[str, ...] = ("login",)
"""Single-value children whose bare key is itself a value: `login` (password login) replaces
`login local` as `login local` replaces it (Cisco IOS Security Command Reference, `login
(line)` and `login local`: one login mode per line)."""
SINGLE_VALUE_TOP: tuple[str, ...] = (
    "hostname",
    "service timestamps debug",
    "service timestamps log",
    "enable secret",
    "clock timezone",
    "ip domain name",
    "ip default-gateway",
    "ip ssh version",
    "ip ssh time-out",
    "ip ssh authentication-retries",
    "logging buffered",
    "logging trap",
    "logging source-interface",
    "snmp-server location",
    "snmp-server contact",
    "snmp-server trap-source",
    "ntp source",
    "vtp mode",
    "spanning-tree mode",
    "login block-for",
)
"""Top-level settings that hold one value: re-entering replaces, changing needs no `no`."""

ORDERED = ("ip access-list ", "ipv6 access-list ")
"""Sections whose children are entries in order: a repeated remark is another entry."""

BANNER = re.compile(r"^banner (\S+)(?: (.*))?$")

TOP_LEVEL_INDENTED: frozenset[str] = frozenset({"vstack"})
"""Global commands IOS prints with a leading space (after `control-plane`): ` vstack` on a
Cisco 2901, 15.4(3)M10 and 15.7(3)M (tests/data/ios-public/isr2901/oxi-r1.cfg, oxi-r2.cfg).
Read as top-level lines, not as lines of the section above them."""


@dataclass
class Node:
    """One line of configuration and the lines under it (a banner: its whole text)."""

    text: str
    children: list[Node] = field(default_factory=list)

    @property
    def is_banner(self) -> bool:
        return "\n" in self.text or self.text.startswith("banner ")

    def lines(self, depth: int = 0) -> list[str]:
        out = [" " * depth + self.text]
        for child in self.children:
            out += child.lines(depth + 1)
        return out


class BannerError(ValueError):
    """A banner that never ends."""


USERNAME = re.compile(r"^username \S+")
"""`username X ...` entered again replaces user X (IOS keeps one entry per name)."""


def words_key(text: str, prefixes: tuple[str, ...]) -> str | None:
    """The single-value setting a line sets (`no X` sets X too), or None."""
    body = text[3:] if text.startswith("no ") else text
    if prefixes is SINGLE_VALUE_TOP and (m := USERNAME.match(body)):
        return m.group(0)
    for prefix in prefixes:
        if body == prefix or body.startswith(prefix + " "):
            return prefix
    return None


def _delimiter(rest: str) -> str:
    """IOS shows a banner's delimiter as ^C whatever was typed; typed, it is one character."""
    return "^C" if rest.startswith("^C") else rest[:1]


def banner_body(node_text: str) -> tuple[str, str]:
    """(kind, body) of a banner node: the text between its delimiters, newlines included."""
    first, _, more = node_text.partition("\n")
    m = BANNER.match(first)
    if m is None or not m.group(2):
        raise BannerError(f"not a banner: {first!r}")
    rest = m.group(2)
    delim = _delimiter(rest)
    text = rest[len(delim) :] + ("\n" + more if more or "\n" in node_text else "")
    end = text.rfind(delim)
    if end < 0:
        raise BannerError(f"banner {m.group(1)} never ends (no closing {delim!r})")
    return m.group(1), text[:end]


def parse(text: str) -> list[Node]:
    """The tree of a configuration text, sections merged, exits dropped, banners whole."""
    roots: list[Node] = []
    stack: list[tuple[int, Node]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if not line.strip() or EXITS.match(line):
            continue
        m = BANNER.match(line)
        if m and not line.startswith(" ") and m.group(2):
            delim = _delimiter(m.group(2))
            rest = m.group(2)[len(delim) :]
            body = [line]
            closed = delim in rest
            while not closed and i < len(lines):
                body.append(lines[i].rstrip("\r"))
                closed = delim in lines[i]
                i += 1
            if not closed:
                raise BannerError(f"banner {m.group(1)} never ends (no closing {delim!r})")
            roots.append(Node("\n".join(body)))
            stack = []
            continue
        indent = len(line) - len(line.lstrip())
        node = Node(" ".join(line.split()))
        if node.text in TOP_LEVEL_INDENTED:
            indent = 0
        while stack and stack[-1][0] >= indent:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(node)
        stack.append((indent, node))
    return merge(roots, top=True)


def merge(nodes: list[Node], *, top: bool = False) -> list[Node]:
    """Re-entered sections as one, repeated lines once, a single-value setting's last value."""
    prefixes = SINGLE_VALUE_TOP if top else SINGLE_VALUE_CHILDREN
    out: list[Node] = []
    by_text: dict[str, Node] = {}
    by_key: dict[str, int] = {}
    for node in nodes:
        if node.is_banner:
            kind = BANNER.match(node.text.split("\n", 1)[0])
            key = f"banner {kind.group(1)}" if kind else node.text
        else:
            key = words_key(node.text, prefixes) or ""
        if node.text in by_text and not node.is_banner:
            by_text[node.text].children += node.children
            continue
        if key and key in by_key:
            old = out[by_key[key]]
            by_text.pop(old.text, None)
            out[by_key[key]] = node
        else:
            if key:
                by_key[key] = len(out)
            out.append(node)
        by_text[node.text] = node
    for node in out:
        if node.children and not node.text.startswith(ORDERED):
            node.children = merge(node.children)
    return out


def render(nodes: list[Node]) -> str:
    """The text of a tree (one space of indentation per level)."""
    return "".join(line + "\n" for node in nodes for line in node.lines())
