"""``show logging``: the logging settings and the log buffer, with the link messages of the
lab's flaps.

Messages as IOS writes them: ``%LINK-3-UPDOWN: Interface X, changed state to down`` then
``%LINEPROTO-5-UPDOWN: Line protocol on Interface X, changed state to down`` (and ``up``)
(Cisco System Message Guide, LINK-3-UPDOWN and LINEPROTO-5-UPDOWN; the ntc-templates
``cisco_ios_show_logging.textfsm`` samples). Time stamps follow ``service timestamps log``:
``datetime`` [``msec``] [``localtime``] [``show-timezone``] gives ``Nov 29 23:01:02.123 ICT:``
(local time of ``clock timezone``), ``uptime`` gives the time since boot (Cisco IOS
Configuration Fundamentals Command Reference, "service timestamps"); a leading ``*`` when
the clock is not synchronised (no ``ntp server`` here). ``service sequence-numbers`` adds
``000123: ``. The header follows a Catalyst/ISR ``show logging`` (ntc-templates test
outputs); its counters are the lab's. Unconfirmed: the default stamp without any
``service timestamps`` line (uptime here).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rollout.lab.ios.network import FlapEvent
from rollout.lab.ios.state import DeviceState


def _stamp_settings(device: DeviceState) -> tuple[list[str], str, int]:
    """(service timestamps log words, zone name, zone offset minutes)."""
    words: list[str] = ["uptime"]
    for node in device.tree.top("service timestamps"):
        t = node.tokens()
        if len(t) >= 3 and t[2] == "log":
            words = t[3:] or ["uptime"]
    zone, offset = "UTC", 0
    zones = device.tree.top("clock timezone")
    if zones:
        t = zones[0].tokens()
        if len(t) >= 4:
            zone = t[2]
            hours = int(t[3]) if t[3].lstrip("-").isdigit() else 0
            minutes = int(t[4]) if len(t) > 4 and t[4].isdigit() else 0
            offset = hours * 60 + (minutes if hours >= 0 else -minutes)
    return words, zone, offset


def show_clock(device: DeviceState) -> str:
    """``show clock`` in the zone of ``clock timezone`` (UTC without one), ``*`` while the
    time is not authoritative (no NTP server here, as `stamp` decides): Cisco IOS Basic System
    Management Command Reference, "show clock" ("*18:56:47.251 UTC Thu Jan 1 2004"; with
    ``clock timezone PST -8`` the zone's name and local time)."""
    _words, zone, offset = _stamp_settings(device)
    ts = device.now() + timedelta(minutes=offset)
    star = "" if device.tree.top("ntp server") else "*"
    return f"{star}{ts:%H:%M:%S}.{ts.microsecond // 1000:03d} {zone} {ts:%a %b} {ts.day} {ts.year}"


def stamp(device: DeviceState, at: datetime) -> str:
    words, zone, offset = _stamp_settings(device)
    synced = bool(device.tree.top("ntp server"))
    star = "" if synced else "*"
    if words[0] != "datetime":
        up = int((at - device.boot_time).total_seconds())
        h, rest = divmod(up, 3600)
        return f"{star}{h:02d}:{rest // 60:02d}:{rest % 60:02d}"
    local = at + timedelta(minutes=offset) if "localtime" in words else at
    text = f"{local:%b} {local.day:>2} {local:%H:%M:%S}"
    if "msec" in words:
        text += f".{local.microsecond // 1000:03d}"
    if "show-timezone" in words:
        text += f" {zone if 'localtime' in words else 'UTC'}"
    return star + text


def message(e: FlapEvent) -> str:
    state = "up" if e.up else "down"
    if e.facility == "LINK":
        return f"%LINK-3-UPDOWN: Interface {e.interface}, changed state to {state}"
    return (
        f"%LINEPROTO-5-UPDOWN: Line protocol on Interface {e.interface}, changed state to {state}"
    )


def show_logging(device: DeviceState) -> str:
    shut = {
        n.tokens()[1]
        for n in device.tree.top("interface")
        if ["shutdown"] in [c.tokens() for c in n.children or ()]
    }
    since = device.network.log_cleared
    events = [
        e
        for e in device.network.flap_events()
        if e.interface not in shut and (since is None or e.at > since)
    ]
    numbered = bool(device.tree.top("service sequence-numbers"))
    entries = []
    for n, e in enumerate(events, start=1):
        seq = f"{n:06d}: " if numbered else ""
        entries.append(f"{seq}{stamp(device, e.at)}: {message(e)}")
    size, level = 4096, "debugging"
    for node in device.tree.top("logging buffered"):
        for w in node.tokens()[2:]:
            if w.isdigit():
                size = int(w)
            else:
                level = w
    hosts = [n.tokens()[2] for n in device.tree.top("logging host") if len(n.tokens()) > 2]
    console = "disabled" if device.tree.top("no logging console") else "level debugging"
    head = [
        "Syslog logging: enabled (0 messages dropped, 0 messages rate-limited, 0 flushes, "
        "0 overruns, xml disabled, filtering disabled)",
        "",
        "No Active Message Discriminator.",
        "",
        "",
        "No Inactive Message Discriminator.",
        "",
        "",
        f"    Console logging: {console}",
        "    Monitor logging: level debugging, 0 messages logged, xml disabled,",
        "                     filtering disabled",
        f"    Buffer logging:  level {level}, {len(entries)} messages logged, xml disabled,",
        "                    filtering disabled",
        "    Exception Logging: size (4096 bytes)",
        "    Count and timestamp logging messages: disabled",
        "    Persistent logging: disabled",
        "",
        "No active filter modules.",
        "",
        f"    Trap logging: level informational, {len(entries)} message lines logged",
    ]
    for host in hosts:
        head += [
            f"        Logging to {host}  (udp port 514, audit disabled,",
            "              link up),",
            f"              {len(entries)} message lines logged,",
            "              0 message lines rate-limited,",
            "              0 message lines dropped-by-MD,",
            "              xml disabled, sequence number disabled",
            "              filtering disabled",
        ]
    head += ["", f"Log Buffer ({size} bytes):", ""]
    return "\n".join([*head, *entries])
