"""What the engine needs to know of a target beyond its address: read in one place each.

Both come from the target's endpoint (`rollout.endpoints`): a live device has a 60 s minute and
is `live`; a lab writes its own scale and `lab`/`netlab` into the endpoints it publishes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rollout.drivers.base import Target
from rollout.endpoints import LIVE_MINUTE_SECONDS, read_endpoints


def minute_seconds(target: Target) -> float:
    """Seconds in one minute of the target's revert timer (60 live, the lab's scale in a lab)."""
    return target.minute_seconds


def slowest_minute(folders: Iterable[Path | None]) -> float:
    """The longest revert-timer minute of the devices the labs in folders publish (60 live)."""
    minutes = [
        e.minute_seconds
        for folder in folders
        if folder is not None
        for e in read_endpoints(folder).values()
    ]
    return max(minutes) if minutes else LIVE_MINUTE_SECONDS


def where(target: Target) -> str:
    """Who runs the device: 'live', 'lab' or 'netlab' (the audit log's target field)."""
    return target.where.value
