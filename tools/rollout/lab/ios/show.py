"""Text of ``show`` commands, derived from the device state."""

from __future__ import annotations

import re
from datetime import datetime

from rollout.lab.ios.config import ConfigTree, Node, render_node
from rollout.lab.ios.device import FLASH_SIZE, NVRAM_SIZE, IosDevice, SlaResult, ios_time
from rollout.lab.ios.rules import ROOT_MODE


def _uptime(delta_seconds: float) -> str:
    minutes = int(delta_seconds // 60)
    weeks, minutes = divmod(minutes, 7 * 24 * 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    for value, unit in ((weeks, "week"), (days, "day"), (hours, "hour")):
        if value:
            parts.append(f"{value} {unit}{'s' if value != 1 else ''}")
    parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return ", ".join(parts)


def show_version(device: IosDevice) -> str:
    now = device.now()
    uptime = _uptime((now - device.boot_time).total_seconds())
    family = _family(device.model)
    n_gig = sum(1 for n in device.tree.top("interface") if "Ethernet" in n.text.split()[1])
    image = f"{family.upper()}-UNIVERSALK9-M"
    version = "Version 15.2(4)M11, RELEASE SOFTWARE (fc2)"
    return f"""Cisco IOS Software, {family} Software ({image}), {version}
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2016 by Cisco Systems, Inc.
Compiled Fri 26-Aug-16 02:51 by prod_rel_team

ROM: System Bootstrap, Version 15.0(1r)M15, RELEASE SOFTWARE (fc1)

{device.hostname} uptime is {uptime}
System returned to ROM by power-on
System restarted at {ios_time(device.boot_time)}
System image file is "flash0:{family.lower()}-universalk9-mz.SPA.152-4.M11.bin"
Last reload type: Normal Reload
Last reload reason: power-on



This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use. Delivery of Cisco cryptographic products does not imply
third-party authority to import, export, distribute or use encryption.
Importers, exporters, distributors and users are responsible for
compliance with U.S. and local country laws. By using this product you
agree to comply with applicable laws and regulations. If you are unable
to comply with U.S. and local laws, return this product immediately.

A summary of U.S. laws governing Cisco cryptographic products may be found at:
http://www.cisco.com/wwl/export/crypto/tool/stqrg.html

If you require further assistance please contact us by sending email to
export@cisco.com.

Cisco {device.model} (revision 1.0) with 483328K/40960K bytes of memory.
Processor board ID {device.serial}
{n_gig} Gigabit Ethernet interfaces
1 terminal line
DRAM configuration is 64 bits wide with parity enabled.
255K bytes of non-volatile configuration memory.
250880K bytes of ATA System CompactFlash 0 (Read/Write)


License Info:

License UDI:

-------------------------------------------------
Device#   PID                   SN
-------------------------------------------------
*0        {device.model:<22}{device.serial}



Technology Package License Information for Module:'c2900'

-----------------------------------------------------------------
Technology    Technology-package           Technology-package
              Current       Type           Next reboot
------------------------------------------------------------------
ipbase        ipbasek9      Permanent      ipbasek9
security      securityk9    Permanent      securityk9
uc            None          None           None
data          None          None           None

Configuration register is 0x2102
"""


def _family(model: str) -> str:
    """``CISCO2911/K9`` -> ``C2900``."""
    digits = "".join(ch for ch in model if ch.isdigit())
    return f"C{digits[:2]}00" if len(digits) >= 2 else "C2900"


def show_clock(device: IosDevice) -> str:
    ts = device.now()
    return f"*{ts:%H:%M:%S}.{ts.microsecond // 1000:03d} UTC {ts:%a %b} {ts.day} {ts.year}"


def show_ip_interface_brief(device: IosDevice) -> str:
    lines = [f"{'Interface':<27}{'IP-Address':<16}{'OK?':<4}{'Method':<7}{'Status':<22}Protocol"]
    for node in device.tree.top("interface"):
        name = node.text.split()[1]
        address = "unassigned"
        method = "unset"
        status = "up"
        for child in node.children or ():
            toks = child.tokens()
            if toks[:2] == ["ip", "address"] and len(toks) >= 3 and toks[-1] != "secondary":
                address = "dhcp" if toks[2] == "dhcp" else toks[2]
                method = "DHCP" if toks[2] == "dhcp" else "NVRAM"
            elif toks == ["no", "ip", "address"]:
                method = "NVRAM"
            elif toks == ["shutdown"]:
                status = "administratively down"
        proto = "up" if status == "up" else "down"
        lines.append(f"{name:<27}{address:<16}{'YES':<4}{method:<7}{status:<22}{proto}")
    return "\n".join(lines)


def show_access_lists(device: IosDevice, name: str | None = None) -> str:
    numbered: dict[str, list[str]] = {}
    for node in device.tree.root.children or ():
        toks = node.tokens()
        if toks[0] == "access-list" and len(toks) > 2 and toks[2] != "remark":
            numbered.setdefault(toks[1], []).append(" ".join(toks[2:]))
    lists: list[tuple[str, str, list[tuple[int, str]]]] = []
    for number, texts in numbered.items():
        kind = "Standard" if int(number) < 100 or 1300 <= int(number) < 2000 else "Extended"
        lists.append((kind, number, [((i + 1) * 10, e) for i, e in enumerate(texts)]))
    for node in device.tree.top("ip access-list"):
        toks = node.tokens()
        kind = "Standard" if toks[2] == "standard" else "Extended"
        entries = [(c.seq, c.text) for c in node.children or () if not c.text.startswith("remark")]
        lists.append((kind, toks[3], entries))
    out: list[str] = []
    for kind, acl, entries in lists:
        if name is not None and acl != name:
            continue
        out.append(f"{kind} IP access list {acl}")
        for seq, entry in entries:
            shown = _standard_text(entry) if kind == "Standard" else entry
            out.append(f"    {seq} {shown}")
    return "\n".join(out)


def _standard_text(text: str) -> str:
    parts = text.split()
    if len(parts) == 3 and parts[0] in {"permit", "deny"} and parts[2][0].isdigit():
        return f"{parts[0]} {parts[1]}, wildcard bits {parts[2]}"
    return text


def show_archive(device: IosDevice) -> str:
    path, maximum, _wm = device.archive_settings()
    if path is None:
        return "Archive feature not enabled"
    nxt = device.next_archive_name(timestamp=False)
    lines = [
        f"The maximum archive configurations allowed is {maximum}.",
        f"There are currently {len(device.archive)} archive configurations saved.",
        f"The next archive file will be named {nxt}",
        " Archive #  Name",
    ]
    for i in range(maximum):
        if i < len(device.archive):
            recent = " <- Most Recent" if i == len(device.archive) - 1 else ""
            lines.append(f"   {i + 1:<9}{device.archive[i]}{recent}")
        else:
            lines.append(f"   {i + 1}")
    return "\n".join(lines)


def show_ip_sla_statistics(device: IosDevice, operation: str | None = None) -> str:
    ts = device.now()
    lines = ["IPSLAs Latest Operation Statistics", ""]
    for node in device.tree.top("ip sla"):
        toks = node.tokens()
        if len(toks) != 3 or not toks[2].isdigit() or node.children is None:
            continue
        op = toks[2]
        if operation is not None and op != operation:
            continue
        kind = next(
            (c.tokens()[0] for c in node.children if c.tokens()[0] in _SLA_TYPES), "unknown"
        )
        r = device.sla_results.get(op, SlaResult())
        scheduled = device.tree.find("ip", "sla", "schedule", op) is not None
        lines += _sla_block(op, kind, r, ts, scheduled)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


_SLA_TYPES = {
    "udp-jitter": "udp-jitter",
    "icmp-echo": "icmp-echo",
    "udp-echo": "udp-echo",
    "tcp-connect": "tcp-connect",
    "http": "http",
    "dns": "dns",
    "path-echo": "path-echo",
    "icmp-jitter": "icmp-jitter",
}


def _sla_block(op: str, kind: str, r: SlaResult, ts: datetime, scheduled: bool) -> list[str]:
    when = ios_time(ts)
    if not scheduled:
        return [
            f"IPSLA operation id: {op}",
            "        Number of successes: Unknown",
            "        Number of failures: Unknown",
            "        Operation time to live: 0",
        ]
    head = [
        f"IPSLA operation id: {op}",
        f"Type of operation: {kind}",
        f"        Latest RTT: {r.rtt_ms} milliseconds",
        f"Latest operation start time: {when}",
        f"Latest operation return code: {r.return_code}",
    ]
    if kind != "udp-jitter":
        return [
            *head,
            f"Number of successes: {r.successes}",
            f"Number of failures: {r.failures}",
            "Operation time to live: Forever",
        ]
    n = 10 - r.loss
    lo = max(r.rtt_ms - 1, 0)
    jitter = f"0/{r.jitter_ms}/{r.jitter_ms * 2}"
    return [
        *head,
        "RTT Values:",
        f"        Number Of RTT: {n}               RTT Min/Avg/Max: "
        f"{lo}/{r.rtt_ms}/{r.rtt_ms + 2} milliseconds",
        "Latency one-way time:",
        "        Number of Latency one-way Samples: 0",
        "        Source to Destination Latency one way Min/Avg/Max: 0/0/0 milliseconds",
        "        Destination to Source Latency one way Min/Avg/Max: 0/0/0 milliseconds",
        "Jitter Time:",
        f"        Number of SD Jitter Samples: {max(n - 1, 0)}",
        f"        Number of DS Jitter Samples: {max(n - 1, 0)}",
        f"        Source to Destination Jitter Min/Avg/Max: {jitter} milliseconds",
        f"        Destination to Source Jitter Min/Avg/Max: {jitter} milliseconds",
        "Over Threshold:",
        "        Number Of RTT Over Threshold: 0 (0%)",
        "Packet Loss Values:",
        f"        Loss Source to Destination: {r.loss}",
        "        Source to Destination Loss Periods Number: 0",
        "        Source to Destination Loss Period Length Min/Max: 0/0",
        "        Source to Destination Inter Loss Period Length Min/Max: 0/0",
        "        Loss Destination to Source: 0",
        "        Destination to Source Loss Periods Number: 0",
        "        Destination to Source Loss Period Length Min/Max: 0/0",
        "        Destination to Source Inter Loss Period Length Min/Max: 0/0",
        "        Out Of Sequence: 0      Tail Drop: 0",
        "        Packet Late Arrival: 0  Packet Skipped: 0",
        "Voice Score Values:",
        f"        Calculated Planning Impairment Factor (ICPIF): {r.icpif}",
        f"        MOS score: {r.mos:.2f}",
        f"Number of successes: {r.successes}",
        f"Number of failures: {r.failures}",
        "Operation time to live: Forever",
    ]


def show_startup(device: IosDevice) -> str:
    if device.startup is None:
        return "startup-config is not present"
    text = device.startup.rstrip("\n")
    return f"Using {len(device.startup)} out of {NVRAM_SIZE} bytes\n{text}"


def show_running_interface(device: IosDevice, name: str) -> str | None:
    node = next((n for n in device.tree.top("interface") if n.text.split()[1] == name), None)
    if node is None:
        return None
    body: list[str] = []
    render_node(node, 0, body, ROOT_MODE)
    body = ["!", *body, "end"]
    size = sum(len(line) + 1 for line in body)
    return "\n".join(
        ["Building configuration...", "", f"Current configuration : {size} bytes", *body]
    )


def dir_flash(device: IosDevice) -> str:
    lines = ["Directory of flash0:/", ""]
    used = 0
    for i, (name, f) in enumerate(sorted(device.flash.items()), start=1):
        size = len(f.content)
        used += size
        stamp = f"{f.mtime:%b} {f.mtime.day:>2} {f.mtime.year} {f.mtime:%H:%M:%S} +00:00"
        lines.append(f"{i:>5}  -rw-{size:>14}  {stamp}  {name}")
    lines += ["", f"{FLASH_SIZE} bytes total ({FLASH_SIZE - used - 1048576} bytes free)"]
    return "\n".join(lines)


# ------------------------------------------------------------------ output filters


def apply_filter(text: str, how: str, pattern: str) -> str:
    """``| include``, ``| exclude``, ``| begin``, ``| section``, ``| count``."""
    regex = re.compile(pattern)
    lines = text.split("\n")
    if how == "include":
        return "\n".join(line for line in lines if regex.search(line))
    if how == "exclude":
        return "\n".join(line for line in lines if not regex.search(line))
    if how == "begin":
        for i, line in enumerate(lines):
            if regex.search(line):
                return "\n".join(lines[i:])
        return ""
    if how == "count":
        return f"Number of lines which match regexp = {sum(1 for x in lines if regex.search(x))}"
    if how == "section":
        return "\n".join(_section(lines, regex))
    return text


def _section(lines: list[str], regex: re.Pattern[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        head = lines[i]
        j = i + 1
        while j < len(lines) and lines[j].startswith(" "):
            j += 1
        block = lines[i:j]
        if regex.search(head):
            out.extend(block)
        else:
            hits = [line for line in block[1:] if regex.search(line)]
            if hits:
                out.append(head)
                out.extend(hits)
        i = j
    return out


def tree_lines(tree: ConfigTree) -> list[str]:
    out: list[str] = []
    for node in tree.root.children or ():
        render_node(node, 0, out, ROOT_MODE)
    return out


def find_interface(tree: ConfigTree, name: str) -> Node | None:
    return next((n for n in tree.top("interface") if n.text.split()[1] == name), None)
