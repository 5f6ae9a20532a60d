"""The call commands: ``dial manual``, ``hangup``, ``callinfo``, ``advnetstats``, ``netstats``.

Syntax from the HDX API wrappers (hdx-api ``Dial``, ``Hangup``, ``CallInfo``, ``NetStats``,
``AdvNetStats``); reply shapes as a public Group Series driver reads them (gs-avispl).
"""

from __future__ import annotations

from rollout.lab.polycom.api import (
    DIALING,
    ERR_ILLEGAL,
    ERR_MORE_PARAMS,
    HANGING_UP_ALL,
    HANGING_UP_VIDEO,
    NOT_IN_CALL,
    connection_not_active,
)
from rollout.lab.polycom.media import media_stats
from rollout.lab.polycom.state import Call, CodecState

DIAL_TYPES = ("h323", "sip", "ip", "h320", "isdn", "gateway")
"""Call types ``dial manual`` takes (hdx-api ``Dial``: ``h323|h320|ip|isdn|sip``;
``gateway`` is unconfirmed)."""


def dial(device: CodecState, args: list[str]) -> str:
    if not args:
        return ERR_MORE_PARAMS
    if args[0].lower() != "manual":
        return ERR_ILLEGAL
    if len(args) < 3:
        return ERR_MORE_PARAMS
    if len(args) > 4:
        return ERR_ILLEGAL
    speed_text, number = args[1], args[2]
    protocol = args[3].lower() if len(args) == 4 else "h323"
    if not speed_text.isdigit() or not 64 <= int(speed_text) <= 6144:
        return ERR_ILLEGAL
    if protocol not in DIAL_TYPES or number == "":
        return ERR_ILLEGAL
    device.dial(int(speed_text), number, protocol)
    return DIALING


def hangup(device: CodecState, args: list[str]) -> str:
    if not args:
        return ERR_MORE_PARAMS
    what = args[0].lower()
    if what == "all" and len(args) == 1:
        device.hangup()
        return HANGING_UP_ALL
    if what == "video" and len(args) <= 2:
        if len(args) == 2:
            if not args[1].isdigit():
                return ERR_ILLEGAL
            device.hangup(int(args[1]))
        else:
            device.hangup()
        return HANGING_UP_VIDEO
    return ERR_ILLEGAL


def callinfo(device: CodecState, args: list[str]) -> str:
    if not args:
        return ERR_MORE_PARAMS
    if args != ["all"] and not (args[0] == "callid" and len(args) == 2):
        return ERR_ILLEGAL
    calls = device.calls
    if args[0] == "callid":
        calls = [c for c in calls if str(c.call_id) == args[1]]
    if not calls:
        return NOT_IN_CALL
    lines = ["callinfo begin"]
    lines += [
        f"callinfo:{c.call_id}::{c.number}:{c.speed}:connected:notmuted:outgoing:videocall"
        for c in calls
    ]
    lines.append("callinfo end")
    return "\n".join(lines)


def _connection(device: CodecState, args: list[str]) -> tuple[int, Call | None] | None:
    if len(args) > 1 or (args and not args[0].isdigit()):
        return None
    index = int(args[0]) if args else 0
    calls = device.calls
    return index, calls[index] if index < len(calls) else None


def advnetstats(device: CodecState, args: list[str]) -> str:
    found = _connection(device, args)
    if found is None:
        return ERR_ILLEGAL
    index, call = found
    if call is None:
        return connection_not_active(index)
    call.samples += 1
    stats = media_stats(call, device.link)
    return (
        f"call:{index} tar:{stats.audio} K rar:{stats.audio} K "
        f"tvr:{stats.video} K rvr:{stats.video} K\n"
        f"tvru:{stats.video_used_tx} K rvru:{stats.video_used_rx} K "
        f"tvfr:{stats.fps_tx} rvfr:{stats.fps_rx} vfe:0\n"
        f"tapl:{stats.tapl} rapl:{stats.rapl} taj:{stats.taj} ms raj:{stats.raj} ms "
        f"tvpl:{stats.tvpl} rvpl:{stats.rvpl}\n"
        f"tvj:{stats.tvj} ms rvj:{stats.rvj} ms dc:Disabled rsid:{call.number} ccaps:---"
    )


def netstats(device: CodecState, args: list[str]) -> str:
    found = _connection(device, args)
    if found is None:
        return ERR_ILLEGAL
    index, call = found
    if call is None:
        return connection_not_active(index)
    stats = media_stats(call, device.link)
    # 'Both pktloss and %pktloss report only numbers related to packet loss on the transmit
    # [...] %pktloss is not cumulative and is calculated every 5 seconds. The number listed
    # for pktloss is calculated every 5 seconds and is cumulative' (the Group Series guide as
    # quoted in gs-avispl): pktloss counts the transmitted packets lost so far, %pktloss is
    # the share lost in the last 5 s sample, i.e. what the link does now.
    lost = stats.tapl + stats.tvpl
    percent = device.link.loss_pct if stats.sent else 0.0
    protocol = "SIP" if call.protocol == "sip" else "H.323"
    return (
        f"call:{index} txrate:{call.speed} K rxrate:{call.speed} K "
        f"pktloss:{lost} %pktloss:{percent:.1f} %\n"
        f"tvp:H.264 rvp:H.264 tvf:1280x720 rvf:1280x720 tap:G.722.1C rap:G.722.1C "
        f"tcp:{protocol} rcp:{protocol}"
    )
