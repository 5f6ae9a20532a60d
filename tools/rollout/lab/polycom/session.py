"""One API session: the `DeviceShell` the lab SSH server drives, line by line.

A line is split into words (quotes group words); the first word picks the command from
`COMMANDS`, then from the settings tables (`GET_SET`, `MODES`); ``exit``/``bye`` end the
session. Every reply is followed by the prompt ``-> `` (added by the server).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rollout.lab.polycom.api import ERR_ILLEGAL, ERR_NOT_FOUND, PROMPT, SESSION_END
from rollout.lab.polycom.commands import COMMANDS
from rollout.lab.polycom.setting_commands import get_set, mode
from rollout.lab.polycom.specs import GET_SET, MODES
from rollout.lab.polycom.state import CodecState
from rollout.lab.polycom.status_commands import whoami
from rollout.lab.polycom.values import split_args
from rollout.lab.shell import Reply


@dataclass(slots=True)
class PolycomSession:
    """One API session: the `DeviceShell` served over SSH."""

    device: CodecState
    closed: bool = field(default=False)

    def banner(self) -> str:
        return whoami(self.device)

    def prompt(self) -> str:
        return PROMPT

    def handle(self, line: str) -> Reply:
        words = split_args(line.strip())
        if words is None:
            return Reply(ERR_ILLEGAL)
        if not words:
            return Reply("")
        command = words[0].lower()
        if command in SESSION_END:
            self.closed = True
            return Reply("", close=True)
        entry = COMMANDS.get(command)
        if entry is not None:
            return Reply(entry.handler(self.device, words[1:]))
        if command in GET_SET:
            return Reply(get_set(self.device, GET_SET[command], words[1:]))
        if command in MODES:
            return Reply(mode(self.device, MODES[command], words[1:]))
        return Reply(ERR_NOT_FOUND)

    def exec_command(self, command: str) -> Reply:
        reply = self.handle(command)
        return Reply(reply.output, close=True)
