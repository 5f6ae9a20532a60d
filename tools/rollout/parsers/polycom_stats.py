"""Polycom API call statistics (``advnetstats``, ``netstats``, ``callinfo``) as typed records.

The replies are ``key:value`` words over one or more lines. Units follow the number with or
without a space depending on the software (``64 K`` or ``64k``, ``3 ms`` or ``3ms``,
``0.0 %`` or ``0.00%``); both read the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNIT = re.compile(r"(\d)\s+(K|k|M|ms|%)(?=\s|$)")
_WORD = re.compile(r"(%?\w+):(\S*)")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?")


def _words(text: str) -> dict[str, str]:
    return dict(_WORD.findall(_UNIT.sub(r"\1\2", text)))


def _number(value: str) -> float:
    match = _NUMBER.match(value)
    return float(match.group()) if match else 0.0


@dataclass(frozen=True, slots=True)
class MediaStats:
    """``advnetstats N``: per-media loss counters (cumulative packets) and jitter (ms)."""

    call: str
    tapl: int
    rapl: int
    taj: float
    raj: float
    tvpl: int
    rvpl: int
    tvj: float
    rvj: float

    @property
    def audio_jitter_ms(self) -> float:
        return max(self.taj, self.raj)

    @property
    def video_jitter_ms(self) -> float:
        return max(self.tvj, self.rvj)


@dataclass(frozen=True, slots=True)
class NetStats:
    """``netstats N``: packets lost and their share of the call's packets."""

    call: str
    lost: int
    loss_percent: float


@dataclass(frozen=True, slots=True)
class CallInfo:
    """One ``callinfo:`` line: id, far site name and number, speed, state."""

    call_id: str
    name: str
    number: str
    speed_kbps: int
    state: str


def parse_advnetstats(text: str) -> MediaStats | None:
    """The statistics of one connection, or None when the reply has none."""
    w = _words(text)
    if "call" not in w or "tapl" not in w:
        return None

    def n(key: str) -> float:
        return _number(w.get(key, "0"))

    return MediaStats(
        call=w["call"],
        tapl=int(n("tapl")),
        rapl=int(n("rapl")),
        taj=n("taj"),
        raj=n("raj"),
        tvpl=int(n("tvpl")),
        rvpl=int(n("rvpl")),
        tvj=n("tvj"),
        rvj=n("rvj"),
    )


def parse_netstats(text: str) -> NetStats | None:
    w = _words(text)
    if "call" not in w or "pktloss" not in w:
        return None
    return NetStats(w["call"], int(_number(w["pktloss"])), _number(w.get("%pktloss", "0")))


def parse_callinfo(text: str) -> list[CallInfo]:
    """Calls in ``callinfo all`` (none when the system is not in a call).

    ``callinfo:<id>:<far name>:<far number>:<speed>:<state>:...``; a far end without a name
    prints one field less, so fields are found from the state backwards.
    """
    calls = []
    for line in text.splitlines():
        parts = line.strip().split(":")
        if parts[0] != "callinfo" or len(parts) < 5 or parts[1] in {"begin", "end"}:
            continue
        at = next((i for i, p in enumerate(parts) if i >= 3 and p in _STATES), None)
        if at is None:
            continue
        speed = parts[at - 1] if parts[at - 1].isdigit() else "0"
        name = parts[2] if at - 2 > 2 else ""
        calls.append(CallInfo(parts[1], name, parts[at - 2], int(speed), parts[at]))
    return calls


_STATES = frozenset(
    {"connected", "connecting", "disconnected", "disconnecting", "ringing", "inactive"}
)
