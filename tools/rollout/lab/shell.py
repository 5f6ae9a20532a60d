"""The contract between the SSH server and a simulated device's command interpreter.

A shell knows nothing about SSH: it receives one line at a time (without the line ending)
and answers with the text to print and the prompt to show next. The SSH server owns
echo, line editing, prompts on the wire, timing faults and the session's lifetime.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Reply:
    """What a shell answers to one line."""

    output: str = ""
    """Text printed before the next prompt, lines joined by '\\n', no trailing prompt."""
    close: bool = False
    """True when the session ends after this output (``exit`` in user mode, ``logout``)."""


class DeviceShell(Protocol):
    """One interactive session with a device (one per SSH channel).

    Sessions of the same device share the device state (running config, archive, ...);
    each session has its own mode (user/privileged/config, current section).
    """

    def banner(self) -> str:
        """Text shown once when the session opens, before the first prompt ('' for none)."""
        ...

    def prompt(self) -> str:
        """The prompt to print now, e.g. ``bt-rtr01#`` or ``bt-rtr01(config-if)#``."""
        ...

    def handle(self, line: str) -> Reply:
        """Interpret one line typed by the client."""
        ...

    def exec_command(self, command: str) -> Reply:
        """Run a command sent as an SSH ``exec`` request (no interactive session)."""
        ...
