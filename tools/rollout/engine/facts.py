"""What the engine needs to know of a target beyond its address: read in one place each.

`Target` is to carry `minute_seconds` (the length of its revert timer's minute: 60, or a
lab's faster scale) and `where` ("lab" or "live"), filled in by the labs. Until it does,
these functions read them the way the rollout always has; each becomes one line then
(`return target.minute_seconds`, `return target.where`).
"""

from __future__ import annotations

import os

from rollout.drivers.base import Target

ENV_MINUTE = "ROLLOUT_MINUTE_SECONDS"


def minute_seconds(target: Target | None = None) -> float:
    """Seconds in one minute of the target's revert timer: 60, or $ROLLOUT_MINUTE_SECONDS."""
    try:
        return max(0.05, float(os.environ.get(ENV_MINUTE, "") or 60))
    except ValueError:
        return 60.0


def where(target: Target) -> str:
    """'lab' when the target's known-hosts file is a running lab's, else 'live'."""
    known = target.known_hosts
    lab = (
        known is not None and known.name == "known_hosts" and (known.parent / "state.json").exists()
    )
    return "lab" if lab else "live"
