"""Cisco IOS over SSH (Netmiko): plan with hier_config, commit with archive revert timer."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from rollout.drivers import ios_rules
from rollout.drivers.base import DeviceError, Plan, Target
from rollout.drivers.ios_same import same_config
from rollout.drivers.session import open_session


def ios_plan(device: str, running: str, intended: str) -> Plan:
    from rollout.inventory.model import Platform

    want_text = ios_rules.clean(intended)
    run_text = ios_rules.drop_unmanaged_ports(ios_rules.clean(running), want_text)
    if same_config(run_text, want_text):
        # hier_config would build the same two trees and find nothing to send (a converged
        # device, the nightly case): skip building them (tools/rollout/drivers/ios_same.py).
        commands: list[str] = []
    else:
        commands = remediation(run_text, want_text, intended)
    return Plan(device=device, platform=Platform.CISCO_IOS, commands=tuple(commands))


def remediation(run_text: str, want_text: str, intended: str) -> list[str]:
    """hier_config's commands from the cleaned running text to the cleaned intended text."""
    from hier_config import Platform as HPlatform
    from hier_config import WorkflowRemediation, get_hconfig

    run = get_hconfig(HPlatform.CISCO_IOS, run_text)
    want = get_hconfig(HPlatform.CISCO_IOS, want_text)
    commands = list(WorkflowRemediation(run, want).remediation_config.lines(sectional_exiting=True))
    commands = ios_rules.whole_numbered_acls(ios_rules.fix_negations(commands), want_text)
    if commands:
        # IOS never shows these lines, so they never diff; assert them with any real change.
        commands += ios_rules.write_only(intended)
    return commands


def split_archive(commands: list[str]) -> tuple[list[str], list[str]]:
    """The top-level 'archive' section (with its children) apart from the other commands."""
    archive: list[str] = []
    rest: list[str] = []
    inside = False
    for line in commands:
        if not line.startswith(" "):
            inside = line == "archive"
        (archive if inside else rest).append(line)
    return archive, rest


class CiscoIosDriver:
    """One Netmiko session with an IOS router or switch."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._conn: Any = None

    def connect(self) -> None:
        self._conn = open_session(self.target, "cisco_ios")

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

    @property
    def _long(self) -> float:
        """Read timeout of long commands (a whole config): three connect timeouts."""
        return 3 * self.target.timeout

    def _send(self, step: str, command: str, **kwargs: Any) -> str:
        from netmiko.exceptions import NetmikoBaseException

        try:
            output: str = self.conn.send_command(command, **kwargs)
        except (NetmikoBaseException, OSError, EOFError) as exc:
            raise DeviceError(self.target.name, step, f"the session failed ({exc})") from None
        if any(marker in output for marker in ("% Invalid", "% Incomplete", "% Ambiguous")):
            raise DeviceError(
                self.target.name, step, f"the device rejected {command!r}: {output.strip()}"
            )
        return output

    def running_config(self) -> str:
        step, command = "read running config", "show running-config"
        if self._conn is not None:
            return self._send(step, command, read_timeout=self._long)
        # A new session: Netmiko learnt the prompt while opening it, and by default looks for
        # it again before every command (one more round trip). Read up to that prompt instead,
        # at the start of a line (Netmiko keeps at most 16 characters of it).
        prompt = re.escape(self.conn.base_prompt)
        return self._send(
            step, command, read_timeout=self._long, expect_string=rf"(?:^|[\r\n]){prompt}\S*[>#]"
        )

    def plan(self, running: str, intended: str) -> Plan:
        return ios_plan(self.target.name, running, intended)

    def _configure(self, step: str, commands: list[str], mode: str) -> None:
        from netmiko.exceptions import ConfigInvalidException, NetmikoBaseException

        try:
            self.conn.send_config_set(
                commands,
                config_mode_command=mode,
                error_pattern=ios_rules.ERROR_PATTERN,
                read_timeout=self._long,
                cmd_verify=True,
            )
            # A changed hostname changes the prompt: learn it again for the next command.
            self.conn.set_base_prompt()
        except ConfigInvalidException as exc:
            raise DeviceError(
                self.target.name, step, f"the device rejected a line: {str(exc).strip()}"
            ) from None
        except (NetmikoBaseException, OSError, EOFError) as exc:
            raise DeviceError(
                self.target.name, step, f"the session failed while configuring ({exc})"
            ) from None

    def commit(self, plan: Plan, revert_minutes: int) -> None:
        if not plan.commands:
            return
        archive, rest = split_archive(list(plan.commands))
        if archive:
            # The revert timer needs an archive path: configure the archive first, on its own.
            self._configure("push archive", archive, "configure terminal")
        if rest:
            self._configure("push", rest, f"configure terminal revert timer {revert_minutes}")

    def confirm(self) -> None:
        self._send("confirm", "configure confirm")

    def rollback(self, backup: str) -> None:
        # A pending revert timer restores the archived config at once; then converge exactly.
        from netmiko.exceptions import NetmikoBaseException

        try:
            self.conn.send_command(
                "configure revert now", expect_string=r"#", read_timeout=self._long
            )
        except (NetmikoBaseException, OSError, EOFError) as exc:
            raise DeviceError(self.target.name, "rollback", f"the session failed ({exc})") from None
        running = self.running_config()
        plan = self.plan(running, backup)
        if plan.commands:
            self._configure("rollback", list(plan.commands), "configure terminal")
        self.save()

    def save(self) -> None:
        self._send("save", "write memory", expect_string=r"#", read_timeout=self._long)
