"""Text of ``show`` commands, derived from the device state."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from rollout.lab.ios.config import ConfigTree, Node
from rollout.lab.ios.render import render_node
from rollout.lab.ios.rules import ROOT_MODE
from rollout.lab.ios.state import FLASH_SIZE, NVRAM_SIZE, DeviceState, SlaResult, ios_time


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


def show_version(device: DeviceState) -> str:
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


def show_ip_interface_brief(device: DeviceState) -> str:
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


def show_access_lists(device: DeviceState, name: str | None = None) -> str:
    """Entries with their hit counters, ``10 permit ... (1234 matches)`` (``(1 match)``),
    as the ntc-templates ``cisco_ios_show_ip_access-lists`` parser reads them; the counts
    are the lab's calls (rollout.lab.ios.traffic)."""
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
    hits = device.network.sample(device.tree).values  # "(N matches)": the lab's traffic
    for kind, acl, entries in lists:
        if name is not None and acl != name:
            continue
        out.append(f"{kind} IP access list {acl}")
        for seq, entry in entries:
            shown = _standard_text(entry) if kind == "Standard" else entry
            n = int(hits.get(f"acl:{acl}:{seq}", 0.0))
            out.append(f"    {seq} {shown}" + (f" ({n} match{'es' if n > 1 else ''})" if n else ""))
    return "\n".join(out)


def _standard_text(text: str) -> str:
    parts = text.split()
    if len(parts) == 3 and parts[0] in {"permit", "deny"} and parts[2][0].isdigit():
        return f"{parts[0]} {parts[1]}, wildcard bits {parts[2]}"
    return text


NO_ROLLBACK_PENDING = "%No Rollback Confirmed Change pending"


def show_rollback_timer(device: DeviceState) -> str:
    """``show archive config rollback timer``: the pending revert timer, in the fields and
    order of the sample output in the Cisco IOS Configuration Fundamentals Command Reference
    ("show archive config rollback timer": Time configured(or reconfigured), Timer type, Timer
    value, User), parsed so by NAPALM (napalm-automation/napalm, napalm/ios/ios.py,
    ``_get_pending_commits``); with nothing pending, "%No Rollback Confirmed Change pending"
    (the string the same NAPALM function tests for). The timer rollout arms is absolute
    (``configure terminal revert timer N``), never idle."""
    shown = device.revert_shown
    if not device.revert_pending or shown is None:
        return NO_ROLLBACK_PENDING
    configured, minutes, user = shown
    return "\n".join(
        [
            f"Time configured(or reconfigured): {ios_time(configured)}",
            "Timer type: absolute timer",
            f"Timer value: {int(minutes)} min",
            f"User: {user}",
        ]
    )


def show_archive(device: DeviceState) -> str:
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


def show_ip_sla_statistics(device: DeviceState, operation: str | None = None) -> str:
    """``show ip sla statistics [N]`` in the IOS 15 layout (checked against real outputs).

    Figures follow from the operation's configuration (packets, codec, threshold) and from
    what the simulated network does to it (`DeviceState.sla_result`).
    """
    ts = device.now()
    synced = any(True for _ in device.tree.top("ntp server"))
    lines = ["IPSLAs Latest Operation Statistics", ""]
    for node in device.tree.top("ip sla"):
        toks = node.tokens()
        if len(toks) != 3 or not toks[2].isdigit() or node.children is None:
            continue
        op = toks[2]
        if operation is not None and op != operation:
            continue
        spec = _SlaSpec.of([c.tokens() for c in node.children])
        scheduled = device.tree.find("ip", "sla", "schedule", op) is not None
        if not scheduled:
            lines += [
                f"IPSLA operation id: {op}",
                "Number of successes: Unknown",
                "Number of failures: Unknown",
                "Operation time to live: 0",
            ]
        else:
            result = _on_network(device, spec, device.sla_result(op))
            lines += _sla_block(op, spec, result, ts, synced)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


_SLA_TYPES = frozenset(
    {
        "udp-jitter",
        "icmp-echo",
        "udp-echo",
        "tcp-connect",
        "http",
        "dns",
        "path-echo",
        "icmp-jitter",
    }
)
_CODEC_PACKETS = 1000
"""IOS's default ``codec-numpackets`` for a udp-jitter operation with a codec."""
_JITTER_PACKETS = 10
"""IOS's default ``num-packets`` for a udp-jitter operation without one."""
_THRESHOLD_MS = 5000
_NO_RTT = "NoConnection/Busy/Timeout"


@dataclass(frozen=True, slots=True)
class _SlaSpec:
    """What the configuration says about one operation."""

    kind: str
    packets: int
    codec: bool
    threshold_ms: int
    target: str = ""
    tos: int = 0

    @classmethod
    def of(cls, children: list[list[str]]) -> _SlaSpec:
        kind, packets, codec, threshold = "unknown", _JITTER_PACKETS, False, _THRESHOLD_MS
        target, tos = "", 0
        for toks in children:
            if toks[0] == "tos" and len(toks) == 2 and toks[1].isdigit():
                tos = int(toks[1])
            if toks[0] in _SLA_TYPES:
                kind = toks[0]
                target = toks[1] if len(toks) > 1 and toks[1][0].isdigit() else ""
                codec = "codec" in toks
                packets = _CODEC_PACKETS if codec else _JITTER_PACKETS
                for word in ("num-packets", "codec-numpackets"):
                    if word in toks and toks.index(word) + 1 < len(toks):
                        packets = int(toks[toks.index(word) + 1])
            elif toks[0] == "threshold" and len(toks) == 2 and toks[1].isdigit():
                threshold = int(toks[1])
        return cls(kind, packets, codec, threshold, target, tos)


def _on_network(device: DeviceState, spec: _SlaSpec, r: SlaResult) -> SlaResult:
    """The result once the lab's conditions are applied: a target that does not answer
    times the operation out; congestion drops of the probe's class and the provider's
    policer add loss (rollout.lab.ios.network)."""
    if not spec.target:
        return r
    reach = device.network.reach(device.tree, spec.target, spec.tos >> 2, with_path=False)
    if reach.interface is None:  # no route in the config: the result set by the lab stands
        return r
    if not reach.reachable:
        runs = r.successes + r.failures
        return replace(r, successes=0, failures=runs, return_code="Timeout")
    if reach.loss_percent <= 0:
        return r
    keep = (1 - r.loss_percent / 100) * (1 - reach.loss_percent / 100)
    return replace(r, loss_percent=round(100 * (1 - keep), 2))


def voice_score(rtt_ms: int, jitter_ms: int, loss_percent: float) -> tuple[int, float]:
    """ICPIF and MOS of a G.711 call over the simulated path (the lab's own small model).

    Delay impairment from the one-way delay plus a jitter buffer of twice the jitter, loss
    impairment of G.711 with concealment; R = 91 - ICPIF, so a clean path scores ICPIF 1 and
    MOS 4.34, the best IOS reports for g711alaw.
    """
    d = rtt_ms / 2 + 2 * jitter_ms
    idd = 0.024 * d + (0.11 * (d - 177.3) if d > 177.3 else 0.0)
    ie = 95 * loss_percent / (loss_percent + 25.1)
    icpif = max(1, round(idd + ie))
    r = 91 - icpif
    mos = 1.0 if r <= 0 else 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6
    return icpif, round(mos, 2)


def _sla_block(op: str, spec: _SlaSpec, r: SlaResult, ts: datetime, synced: bool) -> list[str]:
    ok = r.return_code == "OK"
    head = [f"IPSLA operation id: {op}", f"Type of operation: {spec.kind}"]
    head.append(f"        Latest RTT: {f'{r.rtt_ms} milliseconds' if ok else _NO_RTT}")
    head += [
        f"Latest operation start time: {ios_time(ts)}",
        f"Latest operation return code: {r.return_code}",
    ]
    tail = [
        f"Number of successes: {r.successes}",
        f"Number of failures: {r.failures}",
        "Operation time to live: Forever",
    ]
    if spec.kind != "udp-jitter":
        return [*head, *tail]
    return [*head, *_jitter_values(spec, r if ok else None, synced), *tail]


def _jitter_values(spec: _SlaSpec, r: SlaResult | None, synced: bool) -> list[str]:
    """The udp-jitter figures; all zero when the operation failed (``r`` is None)."""
    if r is None:
        sent = lost_sd = lost_ds = 0
        rtt = jitter = 0
    else:
        sent, rtt, jitter = spec.packets, r.rtt_ms, r.jitter_ms
        lost = min(round(sent * r.loss_percent / 100), sent)
        lost_sd, lost_ds = (lost + 1) // 2, lost // 2
    n = sent - lost_sd - lost_ds
    rtt_min, rtt_max = (max(rtt - jitter, 1), rtt + 2 * jitter) if n else (0, 0)
    rtt = rtt if n else 0
    one_way = n if synced else 0
    sd, ds = (rtt // 2, rtt - rtt // 2) if one_way else (0, 0)
    lo_sd, hi_sd = (max(rtt_min // 2, 1), rtt_max // 2) if one_way else (0, 0)
    lo_ds, hi_ds = (max(rtt_min - rtt_min // 2, 1), rtt_max - rtt_max // 2) if one_way else (0, 0)
    jit = f"0/{jitter}/{2 * jitter}" if n > 1 else "0/0/0"
    over = n if rtt > spec.threshold_ms else (1 if rtt_max > spec.threshold_ms else 0)
    over_pct = over * 100 // n if n else 0
    icpif, mos = (0, 0.0)
    if spec.codec and r is not None and n:
        icpif, mos = voice_score(rtt, jitter, r.loss_percent)
        if r.mos is not None:
            mos = r.mos
    periods_sd, periods_ds = int(lost_sd > 0), int(lost_ds > 0)
    return [
        "RTT Values:",
        f"        Number Of RTT: {n}               RTT Min/Avg/Max: "
        f"{rtt_min}/{rtt}/{rtt_max} milliseconds",
        "Latency one-way time:",
        f"        Number of Latency one-way Samples: {one_way}",
        f"        Source to Destination Latency one way Min/Avg/Max: "
        f"{lo_sd}/{sd}/{hi_sd} milliseconds",
        f"        Destination to Source Latency one way Min/Avg/Max: "
        f"{lo_ds}/{ds}/{hi_ds} milliseconds",
        "Jitter Time:",
        f"        Number of SD Jitter Samples: {max(n - 1, 0)}",
        f"        Number of DS Jitter Samples: {max(n - 1, 0)}",
        f"        Source to Destination Jitter Min/Avg/Max: {jit} milliseconds",
        f"        Destination to Source Jitter Min/Avg/Max: {jit} milliseconds",
        "Over Threshold:",
        f"        Number Of RTT Over Threshold: {over} ({over_pct}%)",
        "Packet Loss Values:",
        f"        Loss Source to Destination: {lost_sd}",
        f"        Source to Destination Loss Periods Number: {periods_sd}",
        f"        Source to Destination Loss Period Length Min/Max: {lost_sd}/{lost_sd}",
        "        Source to Destination Inter Loss Period Length Min/Max: 0/0",
        f"        Loss Destination to Source: {lost_ds}",
        f"        Destination to Source Loss Periods Number: {periods_ds}",
        f"        Destination to Source Loss Period Length Min/Max: {lost_ds}/{lost_ds}",
        "        Destination to Source Inter Loss Period Length Min/Max: 0/0",
        "        Out Of Sequence: 0      Tail Drop: 0",
        "        Packet Late Arrival: 0  Packet Skipped: 0",
        "Voice Score Values:",
        f"        Calculated Planning Impairment Factor (ICPIF): {icpif}",
        f"        Mean Opinion Score (MOS): {f'{mos:.2f}' if mos else '0'}",
    ]


def show_startup(device: DeviceState) -> str:
    if device.startup is None:
        return "startup-config is not present"
    text = device.startup.rstrip("\n")
    return f"Using {len(device.startup)} out of {NVRAM_SIZE} bytes\n{text}"


def show_running_interface(device: DeviceState, name: str) -> str | None:
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


def dir_flash(device: DeviceState) -> str:
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
        render_node(node, 0, out, ROOT_MODE, numbered=tree.numbered_acls)
    return out


def find_interface(tree: ConfigTree, name: str) -> Node | None:
    return next((n for n in tree.top("interface") if n.text.split()[1] == name), None)
