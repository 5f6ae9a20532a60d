"""A device lost during a push or a rollback: decided on the error's kind, never its text."""

from __future__ import annotations

from dataclasses import replace

from rollout.drivers.base import DeviceError, ErrorKind
from rollout.inventory.model import Platform
from rollout.targets import Managed, driver_for

COMES_BACK = frozenset(
    {ErrorKind.UNREACHABLE, ErrorKind.TIMEOUT, ErrorKind.AUTH, ErrorKind.SESSION_LOST}
)
"""Failures a device's revert timer can cure (management cut, a login the push changed);
a changed host key, a refused line or a bad input is not waited for."""


def may_come_back(exc: DeviceError) -> bool:
    """Whether a rollback that failed so is worth another attempt after the revert timer."""
    return exc.kind in COMES_BACK


def explain(m: Managed, exc: DeviceError, revert_minutes: int) -> DeviceError:
    """A push whose session died: if the device no longer lets us in, say so plainly."""
    if exc.kind is not ErrorKind.SESSION_LOST:
        return exc
    probe = driver_for(replace(m.target, timeout=min(m.target.timeout, 5.0)))
    try:
        probe.connect()
    except DeviceError:
        timer = (
            f"its revert timer restores the old configuration within {revert_minutes} min"
            if m.device.platform is not Platform.POLYCOM
            else "the codec has no revert timer"
        )
        return DeviceError(
            m.device.hostname,
            exc.step,
            f"management was lost after the push (the pushed ACL or addressing cut this "
            f"session and new ones are refused); {timer}",
            "the rollout waits for the device to come back and rolls the site back; then fix "
            "the template that cut management (`rollout lint`, `rollout plan`)",
            kind=ErrorKind.SESSION_LOST,
        )
    finally:
        probe.close()
    return exc
