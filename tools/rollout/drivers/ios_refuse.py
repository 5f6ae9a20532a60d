"""Changes the IOS planner refuses to send, as data: the safety net behind the managed scope.

Scope (ios_scope.py) already leaves lines rollout does not own alone; a line of this table
can still reach a plan when the intent owns its family (the intent owns `aaa`, the device
shows `no aaa new-model`, and the plan would turn AAA on by implication). Unless the intent
names that exact line, the device's plan stops with a DeviceError naming the line and the fix.

A row marked `single_value` holds one value per key (ios_scope.key: `platform console`):
when the plan sends the intent's line of that key (`platform console virtual`), the negation
of the device's other value (`no platform console serial`) is not sent: typing the new line
replaces the value. A pure removal (the intent has no line of that key) is still refused.
Rows whose lines are entries of a list (`boot system`, ISR 4000 `license boot level` per
package, trustpoints by name) are not single-value: adding one entry does not remove another.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rollout.drivers.base import DeviceError
from rollout.drivers.ios_canon import PHYSICAL_KINDS
from rollout.drivers.ios_scope import key as scope_key
from rollout.drivers.ios_sections import Node


class Refused(NamedTuple):
    pattern: str
    why: str
    fix: str
    single_value: str = ""
    """Why (with a source) the family holds one value per key; empty: not single-value."""


_PHYSICAL = "|".join(PHYSICAL_KINDS)
_TEMPLATE_FIX = "add the exact line to the template (templates/cisco_ios/) if it is meant"

REFUSED: tuple[Refused, ...] = (
    Refused(
        r"(?:no )?license\b",
        "licensing changes the feature set at the next reload",
        "change the licence by hand, then plan again",
        # Not single-value: an ISR4321 shows 'license boot level uck9' and 'license boot level
        # securityk9' together (public GitHub show running-config, code index id 63138882478).
    ),
    Refused(
        r"(?:no )?crypto (?:pki|key)\b",
        "PKI trustpoints and crypto keys prompt for confirmation (an interactive prompt "
        "stalls a scripted session) and removing them breaks SSH and HTTPS",
        "manage keys and trustpoints by hand",
    ),
    Refused(
        r"(?:no )?boot\b",
        "boot statements decide which image loads at the next reload",
        "change boot statements by hand",
    ),
    Refused(
        r"(?:no )?config-register\b",
        "the configuration register decides how the device boots (and whether it reads its "
        "startup configuration)",
        "change it by hand",
    ),
    Refused(r"no aaa new-model$", "turns AAA off by implication", _TEMPLATE_FIX),
    Refused(
        r"aaa new-model$",
        "turns AAA on by implication (changes how every line logs in)",
        _TEMPLATE_FIX,
    ),
    Refused(
        rf"no interface (?:{_PHYSICAL})\d[\d/]*$",
        "a physical port cannot be deleted",
        "reset it with 'default interface', or leave it out of the intent",
    ),
    Refused(
        r"no platform\b",
        "platform settings belong to the device",
        "change it by hand",
        "one value per setting: every CSR1000v file of tests/data/ios-public shows exactly one "
        "'platform console serial|auto' (batfish/lab-validation, napalm test data); that IOS "
        "replaces the value when another is typed is unconfirmed (see docs/ios.md)",
    ),
    Refused(
        r"(?:no )?switch \d+ provision\b",
        "stack member provisioning removes or retypes a switch's ports",
        "change stack provisioning by hand",
        # Not single-value for the planner: retyping needs the member out of the stack first
        # (Catalyst 3750 Switch Command Reference OL-8552-07, 'switch provision': "To change
        # the switch type, you must also remove the specified switch from the switch stack").
    ),
    Refused(
        r"(?:no )?redundancy$",
        "redundancy mode belongs to the chassis",
        "change it by hand",
    ),
    Refused(
        r"(?:no )?control-plane$",
        "control-plane policing belongs to the platform",
        "change it by hand",
    ),
    Refused(
        r"no vrf definition Mgmt-intf$",
        "the management VRF of the ISR 4000 management port",
        "leave it; rollout does not own it",
    ),
    Refused(
        r"no line\b",
        "console, aux and vty lines cannot be deleted",
        "reset settings inside the line instead",
    ),
)
_COMPILED = tuple((re.compile(r.pattern), r) for r in REFUSED)


def _command_key(commands: list[str], i: int) -> str:
    """The scope key of the top-level command i (a section when the next line is under it)."""
    has_children = i + 1 < len(commands) and commands[i + 1].startswith(" ")
    text = commands[i].strip()
    return scope_key(Node(text, [Node("")] if has_children else []))[0]


def replaced(commands: list[str], intended: set[str]) -> list[str]:
    """The commands without the negations a single-value row's intended line replaces.

    `no platform console serial` is left out when the plan sends `platform console virtual`
    (a line of the intent with the same key); without such a line the negation stays, and
    check() refuses it.
    """
    sent = {
        _command_key(commands, i)
        for i, c in enumerate(commands)
        if not c.startswith((" ", "no ")) and c in intended
    }
    out: list[str] = []
    for i, command in enumerate(commands):
        if command.startswith("no ") and _command_key(commands, i) in sent:
            row = next((r for p, r in _COMPILED if p.match(command)), None)
            if row is not None and row.single_value:
                continue
        out.append(command)
    return out


def check(device: str, commands: list[str], intended: set[str], login_user: str = "") -> None:
    """Raise a DeviceError for the first command the table refuses and the intent lacks.

    intended: the intent's lines (stripped) that may be sent as they are.
    login_user: the user rollout logs in as: `no username <it>` locks rollout out.
    """
    for command in commands:
        line = command.strip()
        if line in intended:
            continue
        if login_user and re.match(rf"no username {re.escape(login_user)}(?: |$)", line):
            raise DeviceError(
                device,
                "plan",
                f"refused to send {line!r}: it deletes the user rollout logs in as",
                "keep this user in the intent (username in templates/cisco_ios/_header.j2)",
            )
        for pattern, refused in _COMPILED:
            if pattern.match(line):
                raise DeviceError(
                    device,
                    "plan",
                    f"refused to send {line!r}: {refused.why}",
                    refused.fix,
                )
