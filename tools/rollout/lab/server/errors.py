"""The lab server's errors: each message says what happened and what to do."""

from __future__ import annotations

from collections.abc import Iterable


class LabError(Exception):
    """Base class of the lab's errors; the message says what happened and what to do."""


class UnknownDeviceError(LabError):
    """A request names a device this lab does not host."""

    def __init__(self, name: str, known: Iterable[str] = ()) -> None:
        names = sorted(known)
        hint = f" Known devices: {', '.join(names[:20])}" if names else ""
        if len(names) > 20:
            hint += f", ... ({len(names)} in all)"
        super().__init__(f"no lab device named {name!r}.{hint}")
        self.name = name


class DeviceSetupError(LabError):
    """A device could not be added (bad name, duplicate, port busy, unreadable host key)."""
