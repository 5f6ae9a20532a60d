"""A short test call from the codec to the hub's MCU: the backup path, judged from the codec's
own statistics (``advnetstats``, ``netstats``). The call is always hung up, also on error."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rollout.drivers.base import DeviceError
from rollout.inventory.model import Thresholds
from rollout.parsers.polycom_stats import (
    MediaStats,
    NetStats,
    parse_advnetstats,
    parse_callinfo,
    parse_netstats,
)
from rollout.quality import Check

Send = Callable[[str], str]
"""Sends one API command to the codec and returns its reply."""


@dataclass(frozen=True, slots=True)
class Dial:
    """What the codec dials: the MCU's address, the call rate, SIP or H.323."""

    number: str
    kbps: int
    protocol: str

    def command(self) -> str:
        return f'dial manual {self.kbps} "{self.number}" {self.protocol}'

    def describe(self) -> str:
        return f"{self.number}, {self.protocol.upper()}, {self.kbps} kbit/s"


def _in_call(send: Send) -> bool:
    return bool(parse_callinfo(send("callinfo all")))


def place_test_call(
    codec: str, send: Send, dial: Dial, hold_s: float, sleep: Callable[[float], None] = time.sleep
) -> tuple[bool, MediaStats | None, NetStats | None]:
    """Place the call, hold it ``hold_s`` seconds, read the statistics, hang up.

    Returns whether the call connected and the statistics of connection 0.
    """
    if _in_call(send):
        raise DeviceError(
            codec,
            "test call",
            "the codec is in a call; a test call would disturb it",
            "run verify when the room is free (or hang up: it is a live meeting?)",
        )
    connected, media, net = False, None, None
    send(dial.command())
    try:
        sleep(hold_s)
        connected = _in_call(send)
        if connected:
            media = parse_advnetstats(send("advnetstats 0"))
            net = parse_netstats(send("netstats 0"))
    finally:
        send("hangup all")
    if _in_call(send):
        raise DeviceError(
            codec, "hang up", "the test call is still up after `hangup all`", "hang up by hand"
        )
    return connected, media, net


def check_call(
    dial: Dial,
    connected: bool,
    media: MediaStats | None,
    net: NetStats | None,
    t: Thresholds,
) -> tuple[list[Check], dict[str, dict[str, Any]]]:
    """Checks of the backup path from the call's statistics, and its figures per medium."""
    title = f"backup path: test call from the codec to the MCU ({dial.describe()})"
    if not connected:
        return [Check(title, False, "the call did not connect (check registration and MCU)")], {}
    if media is None or net is None:
        return [Check(title, False, "connected, but the codec gave no call statistics")], {}
    checks = [Check(title, True, f"connected; {net.lost} packets lost in all")]
    figures: dict[str, dict[str, Any]] = {}
    for medium, jitter, lost in (
        ("audio", media.audio_jitter_ms, media.tapl + media.rapl),
        ("video", media.video_jitter_ms, media.tvpl + media.rvpl),
    ):
        bad = []
        if jitter > t.jitter_ms:
            bad.append(f"jitter {jitter:g} ms > {t.jitter_ms:g}")
        if net.loss_percent > t.loss_percent:
            bad.append(f"loss {net.loss_percent:.2f} % > {t.loss_percent:g}")
        text = f"jitter {jitter:g} ms, loss {net.loss_percent:.2f} % ({lost} packets)"
        detail = "; ".join(bad) + f" ({text})" if bad else text
        checks.append(Check(f"backup path: {medium} on the codec", not bad, detail))
        figures[f"codec {medium}"] = {
            "jitter_ms": jitter,
            "loss_percent": net.loss_percent,
            "lost_packets": lost,
            "source": "advnetstats 0, netstats 0",
        }
    return checks, figures
