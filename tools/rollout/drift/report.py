"""What drift found: one `DeviceDrift` per device (made from the pool's `fleet.Result`) and the
run's `Report`, with the JSON shape `rollout drift --format json` prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rollout.drivers.base import ErrorKind

Kind = ErrorKind
"""Why a device could not be checked: unreachable, auth, timeout, host_key or error."""


class State(StrEnum):
    CLEAN = "clean"
    DRIFT = "drift"
    ALLOWED = "allowed"
    ERROR = "error"


@dataclass(frozen=True)
class Line:
    """One line a rollout would send; `allowed` holds the allow-list reason when approved."""

    text: str
    allowed: str | None = None


@dataclass(frozen=True)
class DeviceDrift:
    device: str
    site: str
    platform: str
    role: str
    state: State
    lines: tuple[Line, ...] = ()
    kind: Kind | None = None
    error: str = ""
    fix: str = ""
    seconds: float = 0.0
    attempts: int = 1
    unmanaged: tuple[str, ...] = ()
    """Running lines outside the scope rollout owns (never drift, only reported)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "site": self.site,
            "platform": self.platform,
            "role": self.role,
            "state": self.state.value,
            "kind": self.kind.value if self.kind else None,
            "lines": [{"line": x.text, "allowed": x.allowed} for x in self.lines],
            "error": self.error,
            "fix": self.fix,
            "seconds": round(self.seconds, 3),
            "attempts": self.attempts,
            "unmanaged_count": len(self.unmanaged),
            "unmanaged": list(self.unmanaged),
        }


@dataclass
class Report:
    devices: list[DeviceDrift]
    seconds: float
    workers: int
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.counts = {s.value: 0 for s in State}
        for d in self.devices:
            self.counts[d.state.value] += 1

    @property
    def exit_code(self) -> int:
        """0 clean (allowed deviations included), 2 drift, 1 any device not checked."""
        if self.counts[State.ERROR]:
            return 1
        return 2 if self.counts[State.DRIFT] else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": {
                **self.counts,
                "devices": len(self.devices),
                "seconds": round(self.seconds, 3),
                "workers": self.workers,
                "exit_code": self.exit_code,
            },
            "devices": [d.to_json() for d in self.devices],
        }
