"""The rollout lock marker on an IOS device: a flash directory made with ``mkdir`` (the atomic
step: IOS refuses to make a directory that is there), the holder written into it from
``tclsh``, read with ``more``; ``show archive config rollback timer`` tells a pending revert.

Why not IOS's own configuration lock (``configuration mode exclusive``, ``configure terminal
lock``; Cisco "Exclusive Configuration Change Access and Access Session Locking", IOS 12.3(14)T
and later): it belongs to one session and ends with it (the lock is released when its owner
leaves configuration mode or the session ends), while a rollout runs its steps in several
sessions (backup, push, verify, confirm, save, each its own), from Ansible tasks or the CLI. A
marker in flash outlives them, needs no line in the running configuration, and is read by
anyone (``more``). Public forms used, cited in rollout/lab/ios/exec_lock.py where the twin
answers them: ``mkdir flash:NAME`` -> ``Create directory filename [NAME]?`` ->
``Created dir flash:NAME``; ``tclsh`` / ``puts [open "flash:FILE" w+] {TEXT}`` / ``tclquit``;
``show archive config rollback timer`` -> ``%No Rollback Confirmed Change pending`` or
``Timer value: N min`` (NAPALM napalm/ios/ios.py ``_get_pending_commits``).
Tcl is on IOS-XE routers (ISR 4321/4331: the lock's device); see docs/reliability.md.
"""

from __future__ import annotations

import re
from typing import Any

from rollout.drivers.base import DeviceError, ErrorKind
from rollout.drivers.session import session_lost

LOCK_DIR = "flash:rollout-lock"
HOLDER = f"{LOCK_DIR}/holder"
_PROMPTS = r"\]\?\s*$|\[confirm\]\s*$|#\s*$"
_SAFE = re.compile(r"[{}\\\[\]$\"\r\n]")
"""Characters a marker must not carry inside a Tcl brace word or a quoted file name."""


class IosLock:
    """The marker commands, over the driver's open Netmiko session."""

    def __init__(self, name: str, conn: Any, timeout: float) -> None:
        self.name = name
        self.conn = conn
        self.timeout = timeout

    def _send(self, step: str, command: str, expect: str = r"#\s*$") -> str:
        from netmiko.exceptions import NetmikoBaseException

        try:
            out: str = self.conn.send_command(
                command, expect_string=expect, read_timeout=self.timeout, strip_prompt=False
            )
        except (NetmikoBaseException, OSError, EOFError) as exc:
            raise session_lost(self.name, step, exc) from None
        return out

    def _answered(self, step: str, command: str) -> str:
        """A command that asks for a file name (and maybe a [confirm]): take the defaults."""
        out = self._send(step, command, _PROMPTS)
        for _ in range(3):
            if not re.search(r"\]\?\s*$|\[confirm\]\s*$", out.rstrip("\n")):
                break
            out += self._send(step, "", _PROMPTS)
        return out

    def take(self, marker: str) -> bool:
        if _SAFE.search(marker):
            raise DeviceError(self.name, "lock", "the lock marker holds characters Tcl reads")
        made = self._answered("lock", f"mkdir {LOCK_DIR}")
        if "Created dir" not in made:
            return False
        self._send("lock", "tclsh", r"\(tcl\)#\s*$")
        out = self._send("lock", f'puts [open "{HOLDER}" w+] {{{marker}}}', r"\(tcl\)#\s*$")
        self._send("lock", "tclquit")
        if "couldn't" in out or "invalid command" in out:
            raise DeviceError(
                self.name,
                "lock",
                f"the lock marker could not be written: {out.strip()}",
                f"check flash space; remove {LOCK_DIR} by hand if it is left empty",
                kind=ErrorKind.REFUSED,
            )
        return True

    def holder(self) -> str | None:
        text = self._send("read lock", f"more {HOLDER}")
        body = _strip_prompt(text)
        if not body.startswith("%Error"):
            return body.strip()
        listed = _strip_prompt(self._send("read lock", f"dir {LOCK_DIR}"))
        return None if "%Error" in listed else ""

    def release(self) -> None:
        self._send("unlock", f"delete /force {HOLDER}")
        self._answered("unlock", f"rmdir {LOCK_DIR}")
        if self.holder() is not None:
            raise DeviceError(
                self.name,
                "unlock",
                f"the lock marker {LOCK_DIR} is still there after rmdir",
                f"remove it by hand: delete /force {HOLDER}; rmdir {LOCK_DIR}",
                kind=ErrorKind.REFUSED,
            )

    def revert_pending(self) -> bool:
        out = self._send("read lock", "show archive config rollback timer")
        return "Timer value" in out


def _strip_prompt(text: str) -> str:
    lines = text.rstrip().splitlines()
    if lines and re.search(r"[>#]\s*$", lines[-1]) and len(lines[-1]) < 80:
        lines = lines[:-1]
    return "\n".join(lines).strip()
