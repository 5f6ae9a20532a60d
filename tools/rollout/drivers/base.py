"""The one Protocol every device driver implements, and the data it trades in.

Vocabulary after NAPALM: running config, plan (candidate vs running), commit with a revert
timer, confirm, rollback, save. Drivers compose a transport (a Netmiko session); they do not
inherit one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol, runtime_checkable

from rollout.endpoints import Where
from rollout.errors import RolloutError
from rollout.inventory.model import Platform


class ErrorKind(StrEnum):
    """What went wrong with a device, set where the failure is raised (never read from text)."""

    UNREACHABLE = "unreachable"
    """No TCP connection, or the connection failed before any login."""
    AUTH = "auth"
    """The device refused the login."""
    TIMEOUT = "timeout"
    """The device did not answer in time (connect, banner or a command)."""
    HOST_KEY = "host_key"
    """The device's host key is unknown or changed: the connection was stopped."""
    REFUSED = "refused"
    """The device answered and rejected a line or a command."""
    SESSION_LOST = "session_lost"
    """An open session failed (closed, reset, end of file) while a step ran."""
    ERROR = "error"
    """Anything else: a bad input, a plan that cannot be sent, a driver's own check."""


class DeviceError(RolloutError):
    """A device refused, failed or could not be reached; says which, what kind and what to do."""

    def __init__(
        self,
        device: str,
        step: str,
        message: str,
        fix: str = "",
        *,
        kind: ErrorKind = ErrorKind.ERROR,
    ) -> None:
        super().__init__(f"{device}: {step}: {message}", fix)
        self.device = device
        self.step = step
        self.kind = kind


@dataclass(frozen=True)
class Target:
    """Where and how to reach a device. Neither password nor key ever appears in repr.

    key: an OpenSSH private key (text from the vault) for key-only logins; folder: where a
    device that keeps its configuration as files has them ("" = the platform's default);
    where: who runs the device (rollout.endpoints); minute_seconds: the length of a device
    minute for revert timers (60 live, the lab's scale in a lab); previous_password: the login
    that worked before a rotation, tried only when password is refused (the codec, whose
    driver then plans the change: docs/codec.md, "Secrets").
    """

    name: str
    platform: Platform
    host: str
    port: int
    username: str
    password: str = field(repr=False)
    known_hosts: Path | None = None
    timeout: float = 20.0
    key: str = field(repr=False, default="")
    folder: str = ""
    where: Where = Where.LIVE
    minute_seconds: float = 60.0
    previous_password: str = field(repr=False, default="")


@dataclass(frozen=True)
class Pending:
    """A change the device will undo by itself unless it is confirmed: its own revert timer.

    deadline: when it reverts (epoch seconds, by the device's own clock where it tells it),
    None when the device does not say; detail: the device's own words, one line.
    """

    deadline: float | None
    detail: str


@dataclass(frozen=True)
class Plan:
    """What would be sent to one device to make it match its intended configuration."""

    device: str
    platform: Platform
    commands: tuple[str, ...]
    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    unmanaged: tuple[str, ...] = ()
    """Running lines outside the scope rollout owns: never changed, only reported."""
    unconfirmed: str = ""
    """Why the running configuration is not settled although it may match (a change pushed
    and not confirmed: the device's revert timer, or an unfinished rollout's journal); a plan
    with no commands is still no "no changes" then. Not part of `changed`: a push or a verify
    of the same device goes on as before."""

    @property
    def changed(self) -> bool:
        return bool(self.commands)


class Driver(Protocol):
    """One session with one device."""

    target: Target

    def connect(self) -> None: ...

    def close(self) -> None: ...

    def running_config(self) -> str:
        """The device's configuration as text (the form backups and drift compare)."""
        ...

    def plan(self, running: str, intended: str) -> Plan:
        """Commands that turn running into intended (pure; no device I/O)."""
        ...

    def commit(self, plan: Plan, revert_minutes: int) -> None:
        """Apply the plan; if the device supports it, revert by itself unless confirmed."""
        ...

    def confirm(self) -> None: ...

    def verify(self) -> None:
        """What "verified" means for this device beyond "no lines left to send".

        Called after a push once the plan is empty; raises DeviceError (step "verify") when
        the device does not do what its configuration says (a codec not registered, a router
        whose kernel does not run its files). Nothing more to check: return.
        """
        ...

    def rollback(self, backup: str) -> None:
        """Bring the device back to the given configuration text."""
        ...

    def pending(self) -> Pending | None:
        """The device's own unconfirmed change (a running revert timer), None when there is
        none or the platform has no revert timer (the codec)."""
        ...

    def save(self) -> None: ...


@runtime_checkable
class DeviceLocking(Protocol):
    """A device that can hold a rollout's lock marker (rollout.engine.devlock).

    The marker outlives the session that wrote it (a lock across the steps of a run, each with
    its own session, and across controllers). Platforms without it (polycom) do not implement
    this: the lock of a site sits on its WAN router (docs/reliability.md, "Locks").
    """

    def take_lock(self, marker: str) -> bool:
        """Create the marker atomically; False when one is there already (nothing written)."""
        ...

    def lock_holder(self) -> str | None:
        """The marker's text; "" when the marker exists without its text yet; None when none."""
        ...

    def release_lock(self) -> None:
        """Remove the marker (nothing when there is none)."""
        ...

    def revert_pending(self) -> bool:
        """True while a change pushed with a revert timer waits for its confirm."""
        ...
