"""Which line of an IOS access list a flow of the lab's traffic meets (first match wins).

The entry syntax is the one of the Cisco IOS Security Command Reference ("permit (IP)",
"deny (IP)": protocol, source, source port operator, destination, destination port
operator, ``established``, ICMP type, ``dscp``, ``log``); port names are the IOS keyword
table of the same reference (``ntp`` 123, ``snmp`` 161, ``www`` 80, ...).
"""

from __future__ import annotations

import ipaddress

from rollout.lab.conditions import DSCP_VALUES, Flow
from rollout.lab.ios.config import ConfigTree

PORT_NAMES: dict[str, int] = {
    "bootpc": 68,
    "bootps": 67,
    "domain": 53,
    "ftp": 21,
    "isakmp": 500,
    "ntp": 123,
    "snmp": 161,
    "snmptrap": 162,
    "syslog": 514,
    "tftp": 69,
    "telnet": 23,
    "www": 80,
    "ssh": 22,
}
_ICMP_WORDS = frozenset({"echo", "echo-reply", "unreachable", "ttl-exceeded", "time-exceeded"})


def acl_entries(tree: ConfigTree) -> dict[str, list[tuple[int, str]]]:
    """Every ACL's entries (sequence, text), named and numbered, remarks left out."""
    out: dict[str, list[tuple[int, str]]] = {}
    for node in tree.root.children or ():
        toks = node.tokens()
        if toks[0] == "access-list" and len(toks) > 2 and toks[2] != "remark":
            entries = out.setdefault(toks[1], [])
            entries.append(((len(entries) + 1) * 10, " ".join(toks[2:])))
    for node in tree.top("ip access-list"):
        toks = node.tokens()
        out[toks[3]] = [
            (c.seq, c.text) for c in node.children or () if not c.text.startswith("remark")
        ]
    return out


def first_match(entries: list[tuple[int, str]], flow: Flow) -> tuple[int, str] | None:
    """The first entry matching ``flow``, or None (the implicit deny)."""
    for seq, text in entries:
        if entry_matches(text, flow):
            return seq, text
    return None


def entry_matches(text: str, flow: Flow) -> bool:
    words = text.replace(",", " ").split()
    if not words or words[0] not in ("permit", "deny"):
        return False
    rest = [w for w in words[1:] if w not in ("wildcard", "bits")]
    if rest and _is_address_start(rest[0]) and rest[0] not in ("ip", "udp", "tcp", "icmp"):
        return _address(rest, 0, flow.src)[0]  # standard ACL: source only
    proto, i = rest[0] if rest else "", 1
    if proto not in ("ip", flow.proto):
        return False
    ok, i = _address(rest, i, flow.src)
    if not ok:
        return False
    ok, i = _ports(rest, i, flow.sport)
    if not ok:
        return False
    ok, i = _address(rest, i, flow.dst)
    if not ok:
        return False
    ok, i = _ports(rest, i, flow.dport)
    if not ok:
        return False
    while i < len(rest):
        w = rest[i]
        if w == "dscp" and i + 1 < len(rest):
            want = DSCP_VALUES.get(rest[i + 1], int(rest[i + 1]) if rest[i + 1].isdigit() else -1)
            if want != flow.dscp:
                return False
            i += 2
            continue
        if w in _ICMP_WORDS and flow.proto == "icmp":
            return w == "echo" if flow.dport == 8 else w == "echo-reply"
        i += 1
    return True


def _is_address_start(word: str) -> bool:
    return word in ("any", "host") or word[0].isdigit()


def _address(words: list[str], i: int, addr: str) -> tuple[bool, int]:
    if i >= len(words):
        return False, i
    ip = int(ipaddress.IPv4Address(addr.split("/", maxsplit=1)[0]))
    if words[i] == "any":
        return True, i + 1
    if words[i] == "host" and i + 1 < len(words):
        return int(ipaddress.IPv4Address(words[i + 1])) == ip, i + 2
    try:
        base = int(ipaddress.IPv4Address(words[i]))
    except ValueError:
        return False, i
    wild = 0
    if i + 1 < len(words) and words[i + 1][:1].isdigit() and words[i + 1].count(".") == 3:
        wild = int(ipaddress.IPv4Address(words[i + 1]))
        i += 1
    return (ip & ~wild & 0xFFFFFFFF) == (base & ~wild & 0xFFFFFFFF), i + 1


def _port(word: str) -> int:
    return int(word) if word.isdigit() else PORT_NAMES.get(word, -1)


def _ports(words: list[str], i: int, port: int) -> tuple[bool, int]:
    if i >= len(words):
        return True, i
    op = words[i]
    if op == "range" and i + 2 < len(words):
        return _port(words[i + 1]) <= port <= _port(words[i + 2]), i + 3
    if op in ("eq", "neq", "gt", "lt") and i + 1 < len(words):
        value = _port(words[i + 1])
        ok = {"eq": port == value, "neq": port != value, "gt": port > value, "lt": port < value}
        return ok[op], i + 2
    return True, i
