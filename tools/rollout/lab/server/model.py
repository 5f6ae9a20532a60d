"""What callers of the lab server give it and get back: device factories and snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from rollout.lab.faults import Fault
from rollout.lab.server.hostkeys import HostKey
from rollout.lab.shell import DeviceShell

LOOPBACK = "127.0.0.1"
"""The only address the lab listens on."""


class DeviceFactory(Protocol):
    """What the server needs from a simulated device.

    Optional extras:

    * ``new_session`` may take a keyword ``username``: the server then passes the name the
      client logged in with (for per-user privilege levels);
    * ``authorized_keys`` (attribute): OpenSSH public key lines (``ssh-ed25519 AAAA...``)
      accepted for public-key login under any user name;
    * ``add_listener(callback)`` (method): the device calls ``callback(event, ...)`` with an
      event name (``"config-changed"``, ``"reverted"``, ``"saved"``) as the first argument,
      or an event object with a ``kind``/``name`` attribute. Any thread may call it.
    """

    def new_session(self) -> DeviceShell:
        """A new interactive (or exec) session with the device."""
        ...

    def check_password(self, username: str, password: str) -> bool:
        """True when the credentials are accepted."""
        ...


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """A snapshot of one hosted device."""

    name: str
    host: str
    port: int
    platform: str
    host_key: HostKey
    faults: tuple[Fault, ...]
    listening: bool
    """False while the device refuses connections (``unreachable`` or a management cut)."""
    sessions: int
    """Open SSH connections."""

    def known_hosts_line(self) -> str:
        """This device's line for an OpenSSH ``known_hosts`` file."""
        return f"[{self.host}]:{self.port} {self.host_key.public_key}"
