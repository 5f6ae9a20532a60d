"""Polycom Group Series over its SSH API (Netmiko): keyed diff, settings pushed one by one.

The codec has no revert timer: a failed rollout puts back the settings read in the backup.
The configuration's text form is the API command list, the same form the template renders.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from rollout.drivers import polycom_api as api
from rollout.drivers.base import DeviceError, Plan, Target
from rollout.drivers.session import open_session

_SET = re.compile(r"^(systemsetting\s+)?(\S+)\s+set(?:\s+(.*))?$")


def parse_commands(text: str) -> dict[str, str]:
    """A command list ('h323name set "x"', 'usegatekeeper specify') as keyed settings."""
    replies = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _SET.match(line)
        if match:
            prefix, name, value = match.groups()
            line = f"{prefix or ''}{name} {value or '<empty>'}"
        replies.append(line)
    return api.parse_settings("\n".join(replies))


def managed_keys() -> list[str]:
    return [
        s.key for s in api.SETTINGS if s.key not in api.STATUS_KEYS and s.key not in api.SECRET_KEYS
    ]


def polycom_plan(device: str, running: str, intended: str) -> Plan:
    from rollout.inventory.model import Platform

    want = parse_commands(intended)
    have = parse_commands(running)
    changes = api.keyed_diff(have, want)
    commands = api.settings_commands({c.key: c.new for c in changes})
    return Plan(device=device, platform=Platform.POLYCOM, commands=tuple(commands))


def _complete(buffer: str, commands: list[str]) -> bool:
    """Every command answered: as many prompts as commands, the last after the last echo."""
    if buffer.count(f"{api.PROMPT} ") < len(commands) or not buffer.endswith(f"{api.PROMPT} "):
        return False
    last = buffer.rfind(commands[-1]) if commands else 0
    return last >= 0 and buffer.find(f"{api.PROMPT} ", last) >= 0


class PolycomDriver:
    def __init__(self, target: Target) -> None:
        self.target = target
        self._conn: Any = None

    def connect(self) -> None:
        self._conn = open_session(self.target, api.DEVICE_TYPE)

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError, EOFError):
                self._conn.disconnect()
            self._conn = None

    @property
    def conn(self) -> Any:
        if self._conn is None:
            self.connect()
        return self._conn

    def _run(self, step: str, commands: list[str]) -> str:
        from netmiko.exceptions import NetmikoBaseException

        out = []
        try:
            for command in commands:
                reply: str = self.conn.send_command(
                    command,
                    expect_string=r"->",
                    auto_find_prompt=False,
                    read_timeout=self.target.timeout,
                )
                errors = api.api_errors(reply)
                if errors:
                    raise DeviceError(
                        self.target.name, step, f"the codec refused {command!r}: {errors[0]}"
                    )
                out.append(reply)
        except (NetmikoBaseException, OSError, EOFError) as exc:
            raise DeviceError(self.target.name, step, f"the session failed ({exc})") from None
        return "\n".join(out)

    def _read(self, step: str, commands: list[str]) -> str:
        """Read-only commands in one write; replies are read until the last prompt.

        The API answers commands in order, each reply ending with the ``-> `` prompt, so one
        round trip replaces one per command (32 for a full read: ~1.1 s -> ~0.05 s).
        """
        import time

        from netmiko.exceptions import NetmikoBaseException

        deadline = time.monotonic() + self.target.timeout * max(1, len(commands) // 8)
        buffer = ""
        try:
            conn = self.conn
            conn.write_channel("".join(f"{c}{conn.RETURN}" for c in commands))
            while not _complete(buffer, commands):
                chunk = conn.read_channel()
                if chunk:
                    buffer += chunk.replace("\r\n", "\n")
                    continue
                if time.monotonic() > deadline:
                    raise DeviceError(
                        self.target.name,
                        step,
                        f"no complete answer within {self.target.timeout:g} s "
                        f"({buffer.count(api.PROMPT)} of {len(commands)} replies)",
                        "the codec is slow or overloaded; raise --timeout",
                    )
                time.sleep(0.005)
        except (NetmikoBaseException, OSError, EOFError) as exc:
            raise DeviceError(self.target.name, step, f"the session failed ({exc})") from None
        replies = buffer[buffer.find(commands[0]) if commands else 0 :].split(f"{api.PROMPT} ")
        for command, reply in zip(commands, replies, strict=False):
            errors = api.api_errors(reply)
            if errors:
                raise DeviceError(
                    self.target.name, step, f"the codec refused {command!r}: {errors[0]}"
                )
        return buffer

    def running_config(self) -> str:
        settings = api.parse_settings(
            self._read("read settings", api.read_commands(managed_keys()))
        )
        return "\n".join(api.settings_commands(settings)) + "\n"

    def plan(self, running: str, intended: str) -> Plan:
        return polycom_plan(self.target.name, running, intended)

    def commit(self, plan: Plan, revert_minutes: int) -> None:
        self._run("push", list(plan.commands))

    def confirm(self) -> None:
        """Nothing to confirm: the codec applies settings at once."""

    def rollback(self, backup: str) -> None:
        plan = self.plan(self.running_config(), backup)
        self._run("rollback", list(plan.commands))

    def save(self) -> None:
        """Settings persist on the codec as they are set."""

    def registration_problems(self) -> list[str]:
        """What is not registered, from the codec's own status ('' when all is well)."""
        status = api.parse_settings(self._read("read status", api.read_commands(api.STATUS_KEYS)))
        problems = []
        for key, what in (("status.gatekeeper", "H.323 gatekeeper"), ("status.sipserver", "SIP")):
            value = status.get(key, "")
            if value and value.lower() not in {"online", "registered", "on", "up"}:
                problems.append(f"{what} {value}")
        return problems
