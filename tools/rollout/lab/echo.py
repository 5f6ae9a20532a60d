"""A trivial IOS-like device for testing the lab server (not a simulator).

It knows ``terminal length 0``, ``terminal width N``, ``show version``,
``show running-config``, ``configure terminal``, ``end`` and ``exit``; in configuration mode
it records every line in its running config and reports ``"config-changed"``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from rollout.lab.faults import invalid_input
from rollout.lab.shell import Reply

if TYPE_CHECKING:
    from rollout.lab.manager import LabDeviceSpec, LabOptions

Listener = Callable[[str], None]


class EchoDevice:
    """Device state shared by all sessions, and the factory the lab server uses."""

    def __init__(
        self,
        hostname: str = "lab1",
        *,
        username: str = "admin",
        password: str = "admin",
        authorized_keys: Sequence[str] = (),
        config: Sequence[str] = (),
    ) -> None:
        self.hostname = hostname
        self.username = username
        self.password = password
        self.authorized_keys = tuple(authorized_keys)
        self.config: list[str] = list(config)
        self._day0 = list(config)
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def new_session(self) -> EchoShell:
        return EchoShell(self)

    def check_password(self, username: str, password: str) -> bool:
        return username == self.username and password == self.password

    def add_listener(self, callback: Listener) -> None:
        self._listeners.append(callback)

    def emit(self, event: str) -> None:
        """Tell the listeners about ``event`` ("config-changed", "reverted", "saved")."""
        for callback in list(self._listeners):
            callback(event)

    def revert(self) -> None:
        """Go back to the day-0 config and report ``"reverted"`` (any thread)."""
        with self._lock:
            self.config = list(self._day0)
        self.emit("reverted")

    def running_config(self) -> str:
        with self._lock:
            lines = list(self.config)
        return "\n".join([f"hostname {self.hostname}", *lines, "end"])


class EchoShell:
    """One session with an :class:`EchoDevice`."""

    def __init__(self, device: EchoDevice) -> None:
        self._device = device
        self._config = False

    def banner(self) -> str:
        return ""

    def prompt(self) -> str:
        return f"{self._device.hostname}{'(config)' if self._config else ''}#"

    def handle(self, line: str) -> Reply:
        command = " ".join(line.split())
        if self._config:
            return self._handle_config(command)
        return self._handle_exec(line, command)

    def exec_command(self, command: str) -> Reply:
        return self._handle_exec(command, " ".join(command.split()))

    def _handle_exec(self, line: str, command: str) -> Reply:
        if command in ("", "enable", "terminal length 0") or command.startswith("terminal width "):
            return Reply()
        if command == "show version":
            return Reply(f"Lab echo device {self._device.hostname}\nVersion 1.0, uptime 1 minute")
        if command in ("show running-config", "show run"):
            return Reply(self._device.running_config())
        if command in ("configure terminal", "conf t"):
            self._config = True
            return Reply("Enter configuration commands, one per line.  End with CNTL/Z.")
        if command in ("exit", "logout", "quit"):
            return Reply(close=True)
        return Reply(invalid_input(self.prompt(), line))

    def _handle_config(self, command: str) -> Reply:
        if command in ("end", "exit"):
            self._config = False
            return Reply()
        if command:
            with self._device._lock:
                self._device.config.append(command)
            self._device.emit("config-changed")
        return Reply()


def make_factory(spec: LabDeviceSpec, options: LabOptions) -> EchoDevice:
    """The lab manager's factory hook for the ``echo`` test platform."""
    config: Sequence[str] = ()
    if isinstance(spec.config, str):
        config = [ln for ln in spec.config.splitlines() if ln.strip()]
    elif isinstance(spec.config, Mapping):
        config = [f"{k} {v}" for k, v in spec.config.items()]
    return EchoDevice(
        spec.name,
        username=spec.username,
        password=spec.password,
        authorized_keys=spec.authorized_keys,
        config=config,
    )
