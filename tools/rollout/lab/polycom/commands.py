"""The API's command table: each command word, what answers it, and its public source.

Settings commands are looked up in the tables of `rollout.lab.polycom.specs` after this
one; a word in neither answers `rollout.lab.polycom.api.ERR_NOT_FOUND`. Sources are keys of
`rollout.lab.polycom.api.SOURCES`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rollout.lab.polycom import call_commands, setting_commands, status_commands
from rollout.lab.polycom.state import CodecState

Handler = Callable[[CodecState, list[str]], str]
"""Answers a command: the device and the words after the command word; the reply text."""


@dataclass(frozen=True, slots=True)
class Command:
    """One command word of the API."""

    handler: Handler
    source: str
    """Key of `SOURCES`: where the command's syntax and reply form are documented."""


COMMANDS: Mapping[str, Command] = {
    # 'systemsetting get <name>' / 'systemsetting <name> <value>' (g7500-x30, mividas-hdx).
    "systemsetting": Command(setting_commands.systemsetting, "gs-avispl"),
    # 'dns get {1..4}' / 'dns set {1..4} <addr>' (hdx-api Dns); reply form unconfirmed.
    "dns": Command(setting_commands.dns, "hdx-api"),
    # 'setpassword admin room <current> <new>' (hdx-api SetPassword); replies unconfirmed.
    "setpassword": Command(setting_commands.setpassword, "hdx-api"),
    # 'dial manual <speed> <dialstr> [type]' (hdx-api Dial); reply 'dialing manual'.
    "dial": Command(call_commands.dial, "hdx-api"),
    # 'hangup all' / 'hangup video [callid]' (hdx-api Hangup); replies 'hanging up ...'.
    "hangup": Command(call_commands.hangup, "hdx-api"),
    # 'callinfo all' / 'callinfo callid <id>': 'callinfo begin' ... 'callinfo end'.
    "callinfo": Command(call_commands.callinfo, "gs-avispl"),
    "advnetstats": Command(call_commands.advnetstats, "gs-avispl"),
    "netstats": Command(call_commands.netstats, "gs-avispl"),
    "status": Command(status_commands.status, "gs-avispl"),
    "whoami": Command(status_commands.whoami_command, "gs-ai4av"),
    # 'serialnum' (hdx-api SerialNum); the 'serialnum <serial>' reply form is unconfirmed.
    "serialnum": Command(status_commands.serialnum, "hdx-api"),
}
"""Command words answered by a handler, in no particular order."""
