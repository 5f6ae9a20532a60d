"""What a linux_router shows, parsed: ``tc -s class show``, ``tc qdisc show``, ``ip -s link
show``, ``nft list ruleset``, FRR's ``show interface`` and the names of rollout's qos.tc.

Pure functions over the text the router printed (the collector reads it; these only read
text). Each parser cites the format it follows; the samples in tests/diagnose/test_linux_parse.py
are this machine's iproute2 6.1 / nftables 1.0.6 / FRR 8.4 output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rollout.drivers.linux_checks import kbit, verdict

# --- tc ----------------------------------------------------------------------------------------
# tc(8), "-s, -stats": each class is a header line ("class htb 1:10 parent 1:1 leaf 10: prio 0
# rate 950Kbit ceil 950Kbit burst 1599b cburst 1599b", tc-htb(8) parameters) followed by
# indented statistics lines, the first " Sent N bytes P pkt (dropped D, overlimits O requeues
# R)" (iproute2 tc/tc_util.c print_tcstats2_attr: fprintf(fp, " (dropped %u, overlimits %u
# requeues %u) ", ...); https://man7.org/linux/man-pages/man8/tc.8.html).
TC_CLASS = re.compile(
    r"^class htb (?P<id>\S+) (?:parent (?P<parent>\S+)|root)\b.*?"
    r"\brate (?P<rate>\S+) ceil (?P<ceil>\S+)"
)
TC_SENT = re.compile(
    r"Sent (?P<bytes>\d+) bytes (?P<pkts>\d+) pkt \(dropped (?P<dropped>\d+), "
    r"overlimits (?P<over>\d+)"
)
# tc(8) "tc qdisc show": "qdisc htb 1: root refcnt 3 r2q 10 default 0x99 ..." (kind, handle,
# then "root" or "parent X:Y").
TC_QDISC_ROOT = re.compile(r"^qdisc (?P<kind>\S+) (?P<handle>\S+) root\b", re.M)
# rollout's qos.tc (templates/linux_router/qos.tc.j2): "# <class name>: <description>" above
# each "class add dev <if> parent 1:1 classid 1:<n> htb ..." line.
QOS_NAME = re.compile(
    r"^# (?P<name>[\w-]+): .*\n(?:#.*\n)*class add dev \S+ .*?classid (?P<id>\S+)", re.M
)


@dataclass(frozen=True)
class HtbClass:
    classid: str
    parent: str  # "" for a root class
    rate_kbps: int
    ceil_kbps: int
    bytes: int = 0
    packets: int = 0
    dropped: int = 0
    overlimits: int = 0
    lines: tuple[str, ...] = ()


def htb_classes(text: str) -> dict[str, HtbClass]:
    """The HTB classes of ``tc -s class show dev IF`` by class id."""
    out: dict[str, HtbClass] = {}
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [ln for ln in block.splitlines() if ln.strip()]
        if not lines:
            continue
        head = TC_CLASS.match(lines[0])
        if head is None:
            continue
        sent = TC_SENT.search(block)
        out[head["id"]] = HtbClass(
            head["id"],
            head["parent"] or "",
            kbit(head["rate"]),
            kbit(head["ceil"]),
            int(sent["bytes"]) if sent else 0,
            int(sent["pkts"]) if sent else 0,
            int(sent["dropped"]) if sent else 0,
            int(sent["over"]) if sent else 0,
            tuple(ln.strip() for ln in lines[:2]),
        )
    return out


def root_qdisc(text: str) -> tuple[str, str]:
    """(kind, line) of the root qdisc in ``tc qdisc show dev IF``; ("", "") when none shows."""
    m = TC_QDISC_ROOT.search(text)
    if m is None:
        return "", ""
    line = text[m.start() :].splitlines()[0].strip()
    return m["kind"], line


def class_names(qos_tc: str) -> dict[str, str]:
    """Class id -> class name, from the comments of rollout's qos.tc."""
    return {m["id"]: m["name"] for m in QOS_NAME.finditer(qos_tc)}


# --- ip -s link ----------------------------------------------------------------------------------
# ip-link(8) "ip -s link show": "N: NAME[@PEER]: <FLAGS> mtu ... state STATE ...", then per
# direction a header line ("RX:  bytes packets errors dropped  missed   mcast" in iproute2 6.1,
# "RX: bytes  packets  errors  dropped overrun mcast" before 5.x) and a line of figures
# (https://man7.org/linux/man-pages/man8/ip-link.8.html). The figures are read by their header.
LINK_HEAD = re.compile(
    r"^\d+: (?P<name>[^:@\s]+)(?:@\S+)?: <(?P<flags>[^>]*)>.*?state (?P<state>\S+)"
)


@dataclass(frozen=True)
class Link:
    name: str
    admin_up: bool
    carrier: bool
    rx: dict[str, int] = field(default_factory=dict)
    tx: dict[str, int] = field(default_factory=dict)
    lines: tuple[str, ...] = ()


def link_stats(text: str) -> Link | None:
    lines = text.splitlines()
    head = next((LINK_HEAD.match(ln) for ln in lines if LINK_HEAD.match(ln)), None)
    if head is None:
        return None
    flags = set(head["flags"].split(","))
    stats: dict[str, dict[str, int]] = {"RX": {}, "TX": {}}
    for i, line in enumerate(lines[:-1]):
        words = line.replace(":", " ").split()
        if words and words[0] in stats:
            values = lines[i + 1].split()
            if all(v.isdigit() for v in values):
                stats[words[0]] = dict(zip(words[1:], (int(v) for v in values), strict=False))
    return Link(
        head["name"],
        "UP" in flags,
        "LOWER_UP" in flags,
        stats["RX"],
        stats["TX"],
        tuple(ln.strip() for ln in lines if ln.strip()),
    )


# --- nft list ruleset ----------------------------------------------------------------------------
# nft(8) LISTING: "table FAMILY NAME {", "chain NAME {", one rule a line; a counter shows as
# "counter packets N bytes M" (nft(8) "COUNTER STATEMENT"); a port match as "udp dport 3230",
# "udp dport 3230-3329" or an anonymous set "udp dport { 3230-3329, 49152-65535 }" (nft(8)
# "PAYLOAD EXPRESSION", "SETS"; https://www.netfilter.org/projects/nftables/manpage.html).
NFT_TABLE = re.compile(r"^table (\S+) (\S+) \{")
NFT_CHAIN = re.compile(r"^chain (\S+) \{")
NFT_PORTS = re.compile(r"\b(?:udp|th) dport (\{[^}]*\}|\S+)")
NFT_COUNTER = re.compile(r"counter packets (\d+) bytes (\d+)")


@dataclass(frozen=True)
class MediaDrop:
    chain: str  # "inet rollout forward"
    packets: int
    line: str


def port_spans(spec: str) -> list[tuple[int, int]]:
    out = []
    for item in spec.strip("{} ").split(","):
        first, _, last = item.strip().partition("-")
        if first.isdigit() and (not last or last.isdigit()):
            out.append((int(first), int(last or first)))
    return out


def media_drops(ruleset: str, media: list[tuple[int, int]]) -> list[MediaDrop]:
    """Drop and reject rules whose UDP destination ports reach into the media ranges."""
    out = []
    table = chain = ""
    for raw in ruleset.splitlines():
        line = raw.strip()
        if m := NFT_TABLE.match(line):
            table = f"{m[1]} {m[2]}"
            continue
        if m := NFT_CHAIN.match(line):
            chain = m[1]
            continue
        ports = NFT_PORTS.search(line)
        if ports is None or verdict(line) not in ("drop", "reject"):
            continue
        if "tcp dport" in line or ("th dport" in line and "udp" not in line):
            continue
        spans = port_spans(ports[1])
        if not any(a <= y and x <= b for a, b in spans for x, y in media):
            continue
        counter = NFT_COUNTER.search(line)
        shown = re.sub(r"\s*# handle \d+$", "", line)
        out.append(MediaDrop(f"{table} {chain}", int(counter[1]) if counter else 0, shown))
    return out


# --- FRR show interface -------------------------------------------------------------------------
# FRR zebra "show interface IFNAME": 'vty_out(vty, "  Link ups:   %5u    last: %s\n",
# zebra_if->up_count, zebra_if->up_last[0] ? zebra_if->up_last : "(never)")', the same for
# "Link downs" (FRRouting/frr zebra/interface.c, if_dump_vty); shown here by FRR 8.4 as
# "Link ups:       3    last: 2026/11/29 22:59:48.77" (the router's local time).
FRR_LINK = re.compile(r"Link (?P<dir>ups|downs):\s+(?P<count>\d+)\s+last: (?P<last>.+)")


def frr_link_events(text: str) -> dict[str, tuple[int, str]]:
    """{"ups": (count, last), "downs": (count, last)}; last "" when never."""
    out: dict[str, tuple[int, str]] = {}
    for m in FRR_LINK.finditer(text):
        last = m["last"].strip()
        out[m["dir"]] = (int(m["count"]), "" if last.startswith("(never") else last)
    return out
