"""A simulated IOS router or switch: its shared state, and the sessions it opens."""

from __future__ import annotations

from rollout.lab.ios.session import IosSession
from rollout.lab.ios.state import (
    EVENTS,
    FLASH_SIZE,
    NVRAM_SIZE,
    DeviceState,
    FlashFile,
    Listener,
    SlaResult,
    ios_time,
)
from rollout.lab.ios.users import UserEntry

__all__ = [
    "EVENTS",
    "FLASH_SIZE",
    "NVRAM_SIZE",
    "FlashFile",
    "IosDevice",
    "Listener",
    "SlaResult",
    "UserEntry",
    "ios_time",
]


class IosDevice(DeviceState):
    """One simulated device: running/startup config, flash, archive, users, revert timer.

    Construction is cheap: the configuration text is parsed on first use.
    """

    def session(self, username: str = "", privilege: int | None = None) -> IosSession:
        """A new interactive session (one per SSH channel)."""
        if privilege is None:
            user = self.user(username) if username else None
            default = 1 if self.users() else 15
            privilege = user.privilege if user is not None else default
        return IosSession(self, username=username or "admin", privilege=privilege)
