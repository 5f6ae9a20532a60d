"""Small Cisco IOS outputs `rollout diagnose` reads: ``ping``, ``show logging`` (link flaps),
``show access-lists`` (hit counters), ``show clock``, ``show running-config interface``.

Each shape is cited where it is read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

# --- ping ------------------------------------------------------------------------------------
# "Success rate is 100 percent (5/5), round-trip min/avg/max = 1/1/4 ms", and with no answer
# "Success rate is 0 percent (0/5)": Cisco, "Understanding the Ping and Traceroute Commands",
# https://www.cisco.com/c/en/us/support/docs/ios-nx-os-software/ios-software-releases-121-mainline/12778-ping-traceroute.html
_PING = re.compile(
    r"Success rate is (\d+) percent \((\d+)/(\d+)\)"
    r"(?:, round-trip min/avg/max = (\d+)/(\d+)/(\d+) ms)?"
)


@dataclass(frozen=True, slots=True)
class Ping:
    success_percent: int
    received: int
    sent: int
    rtt_avg_ms: int  # 0 when nothing came back
    line: str


def parse_ping(text: str) -> Ping | None:
    """The summary line of an IOS ``ping``, or None when the output has none."""
    m = _PING.search(text)
    if m is None:
        return None
    return Ping(int(m[1]), int(m[2]), int(m[3]), int(m[5] or 0), m[0])


# --- show logging: link and line-protocol transitions ----------------------------------------
# "%LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down" and
# "%LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/1, changed state to down":
# Cisco IOS System Message Guide (LINK-3-UPDOWN, LINEPROTO-5-UPDOWN),
# https://www.cisco.com/c/en/us/td/docs/ios/15_0sy/system/messages/15sysmg/sm1501.html
# Timestamps as `service timestamps log datetime msec localtime show-timezone` prints them
# (templates/cisco_ios/_base.j2): "*Nov 29 22:01:02.123 UTC: %LINK-3-UPDOWN: ..." (a leading
# "*" or "." marks an unsynchronised clock), optionally after a sequence number "000123: ".
_UPDOWN = re.compile(
    r"%(LINK-3-UPDOWN|LINEPROTO-5-UPDOWN): (?:Line protocol on )?Interface (\S+), "
    r"changed state to (\w+(?: \w+)?)"
)
_STAMP = re.compile(r"^(?:\d+:\s+)?[*.]?([A-Z][a-z]{2})\s+(\d+)\s+(\d+):(\d+):(\d+)")
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True, slots=True)
class LinkEvent:
    interface: str
    facility: str  # LINK-3-UPDOWN | LINEPROTO-5-UPDOWN
    state: str  # up | down | administratively down
    when: tuple[int, int, int, int, int] | None  # (month, day, hour, minute, second)
    line: str


def parse_link_events(text: str) -> list[LinkEvent]:
    out = []
    for line in text.splitlines():
        m = _UPDOWN.search(line)
        if m is None:
            continue
        s = _STAMP.match(line.strip())
        when = None
        if s and s[1] in _MONTHS:
            when = (_MONTHS.index(s[1]) + 1, int(s[2]), int(s[3]), int(s[4]), int(s[5]))
        out.append(LinkEvent(m[2], m[1], m[3], when, line.strip()))
    return out


# "*22:01:05.123 UTC Sun Nov 29 2026" (`show clock`; the "*" marks an unsynchronised clock):
# Cisco IOS Basic System Management Command Reference, show clock,
# https://www.cisco.com/c/en/us/td/docs/ios-xml/ios/bsm/command/bsm-cr-book/bsm-cr-s1.html
_CLOCK = re.compile(r"(\d+):(\d+):(\d+)(?:\.\d+)?\s+\S+\s+\w{3}\s+(\w{3})\s+(\d+)\s+(\d{4})")


def parse_clock(text: str) -> datetime | None:
    m = _CLOCK.search(text)
    if m is None or m[4] not in _MONTHS:
        return None
    return datetime(int(m[6]), _MONTHS.index(m[4]) + 1, int(m[5]), int(m[1]), int(m[2]), int(m[3]))


def event_time(event: LinkEvent, now: datetime) -> datetime | None:
    """The event's time, in the year that puts it at or before ``now`` (logs print no year)."""
    if event.when is None:
        return None
    month, day, hh, mm, ss = event.when
    try:
        at = datetime(now.year, month, day, hh, mm, ss)
    except ValueError:
        return None
    return at if at <= now else at.replace(year=now.year - 1)


# --- show access-lists: entries and their hit counters ---------------------------------------
# "Extended IP access list 101" / "    10 permit tcp any host 10.1.1.2 eq www (5 matches)":
# Cisco, "Configure Commonly Used IP ACLs",
# https://www.cisco.com/c/en/us/support/docs/ip/access-lists/26448-ACLsamples.html
_LIST = re.compile(r"^(Standard|Extended)\s+IP\s+access\s+list\s+(\S+)")
_ENTRY = re.compile(r"^\s+(\d+)\s+(permit|deny)\s+(.*?)(?:\s+\((\d+) matches\))?\s*$")


@dataclass(frozen=True, slots=True)
class AclEntry:
    acl: str
    seq: int
    action: str
    text: str  # the entry without its sequence number and counter
    matches: int
    line: str


def parse_access_lists(text: str) -> list[AclEntry]:
    out: list[AclEntry] = []
    acl = ""
    for line in text.splitlines():
        if m := _LIST.match(line):
            acl = m[2]
        elif acl and (m := _ENTRY.match(line)):
            out.append(AclEntry(acl, int(m[1]), m[2], m[3], int(m[4] or 0), line.strip()))
    return out


# Named ports IOS shows in place of numbers (Cisco IOS Security Command Reference, "permit (IP
# extended)": port names); only those of UDP/TCP conference traffic matter here.
PORT_NAMES: dict[str, int] = {"sip": 5060, "www": 80, "domain": 53, "ntp": 123, "snmp": 161}
_PORTS = re.compile(r"\b(eq|gt|lt|neq|range)\s+(\S+)(?:\s+(\S+))?")


def _port(text: str) -> int | None:
    return int(text) if text.isdigit() else PORT_NAMES.get(text)


def is_catch_all(text: str) -> bool:
    """``ip any any [log]``: the closing deny of a list (rollout.flows closes WAN-IN with
    ``deny ip any any log``), whose counter shows every stray packet
    (scans from the Internet ...), never a sign of a media block on its own."""
    return text.replace(" log", "").split() == ["ip", "any", "any"]


def entry_catches(entry: AclEntry, protocol: str, first: int, last: int) -> bool:
    """Whether the entry can match traffic of ``protocol`` to or from ports first..last."""
    words = entry.text.split()
    if not words or words[0] not in ("ip", protocol):
        return False
    specs = _PORTS.findall(entry.text)
    if not specs:
        return True
    for op, a, b in specs:
        lo, hi = _port(a), _port(b) if op == "range" else None
        if lo is None:
            continue
        span = {
            "eq": (lo, lo),
            "gt": (lo + 1, 65535),
            "lt": (0, lo - 1),
            "neq": (0, 65535),
            "range": (lo, hi if hi is not None else lo),
        }[op]
        if span[0] <= last and first <= span[1]:
            return True
    return False


# --- show running-config interface NAME: the attached service policies ----------------------
_SERVICE_POLICY = re.compile(r"^\s*service-policy\s+(input|output)\s+(\S+)", re.M)


def service_policies(text: str) -> dict[str, str]:
    """direction -> policy name attached in ``show running-config interface NAME``."""
    return {m[1]: m[2] for m in _SERVICE_POLICY.finditer(text)}


# --- show running-config | section policy-map: the configured shaper -------------------------
# "policy-map NAME" / " class class-default" / "  shape average 9500000" (bits per second:
# Cisco IOS Quality of Service Solutions Command Reference, shape average,
# https://www.cisco.com/c/en/us/td/docs/ios-xml/ios/qos/command/qos-cr-book/qos-s1.html).
_SHAPE = re.compile(r"^\s+shape\s+average\s+(\d+)")


def configured_shape(text: str, policy: str) -> tuple[int, str] | None:
    """(bits per second, the line) of the first ``shape average`` in policy-map ``policy``."""
    inside = False
    for line in text.splitlines():
        if line and not line[0].isspace():
            inside = line.split() == ["policy-map", policy]
        elif inside and (m := _SHAPE.match(line)):
            return int(m[1]), line.strip()
    return None
