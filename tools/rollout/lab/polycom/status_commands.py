"""What the codec says about itself: ``status``, ``whoami`` (also the login banner),
``serialnum``.

``status`` lists registration and readiness as ``<item> online|offline`` up to
``status end`` (gs-avispl, g7500-x30); ``whoami`` prints the lines a public driver waits
for after login (the last one ``SNMP Enabled: ...``, gs-avispl).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from rollout.lab.polycom.api import ERR_ILLEGAL
from rollout.lab.polycom.specs import MODEL, SOFTWARE_VERSION
from rollout.lab.polycom.state import CodecState

# Local time shown by whoami: the province runs on ICT (UTC+7).
_ICT = timezone(timedelta(hours=7))


def status(device: CodecState, args: list[str]) -> str:
    """``status``: one ``<item> online|offline`` line each, then ``status end``."""
    if args:
        return ERR_ILLEGAL

    def state(flag: bool) -> str:
        return "online" if flag else "offline"

    lines = [
        f"inacall {state(bool(device.calls))}",
        "autoanswerp2p offline",
        "remotecontrol online",
        "microphones online",
        "visualboard offline",
        "globaldirectory offline",
        "ipnetwork online",
        f"gatekeeper {state(device.gatekeeper_online())}",
        f"sipserver {state(device.sipserver_online())}",
        "logthreshold offline",
        "meetingpassword offline",
        "rpms offline",
        "status end",
    ]
    return "\n".join(lines)


def whoami(device: CodecState) -> str:
    """The self description ``whoami`` prints and every session opens with."""
    settings = device.settings
    now = datetime.now(UTC).astimezone(_ICT).strftime("%a, %d %b %Y %H:%M:%S %z")
    ntp = {"auto": "Auto", "off": "Off", "manual": "Manual"}[settings["ntpmode"]]
    lines = [
        f"Hi, my name is : {device.name}",
        "Here is what I know about myself:",
        f"Model:               {MODEL}",
        f"Serial Number:       {device.serial}",
        f"Software Version:    {SOFTWARE_VERSION}",
        "Build Information:   662011",
        f"Contact Number:      {settings['e164ext']}".rstrip(),
        "Time In Last Call:   0:00:00",
        "Total Time In Calls: 0:00:00",
        f"Total Calls:         {device.total_calls}",
        f"SNTP Time Service:   {ntp}",
        f"Local Time is:       {now}",
        f"IP Video Number:     {settings['ipaddress'] or device.ip_address}",
        f"H323 Enabled:        {settings['systemsetting.iph323enable']}",
        "HTTP Enabled:        True",
        f"SNMP Enabled:        {'True' if settings['enablesnmp'] == 'yes' else 'False'}",
    ]
    return "\n".join(lines)


def whoami_command(device: CodecState, args: list[str]) -> str:
    """``whoami``: the self description (no arguments)."""
    return ERR_ILLEGAL if args else whoami(device)


def serialnum(device: CodecState, args: list[str]) -> str:
    """``serialnum``: ``serialnum <serial>`` (no arguments)."""
    return ERR_ILLEGAL if args else f"serialnum {device.serial}"
