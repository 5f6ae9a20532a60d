"""Changing a scheduled IP SLA operation: delete it and configure it again, as IOS requires.

IOS refuses to re-enter an operation that is scheduled: "Entry already running and cannot be
modified (only can delete (no) and start over)" (an IOL transcript cited in docs/hardware.md;
Cisco NSO's cisco-ios NED and Ansible's `cisco.ios` terminal plugin match the first line). That
the no form of `ip sla` also removes the operation's schedule and reaction configuration is
**unconfirmed** here (no command-reference text was retrieved; the message's "start over"
implies it, and the twin does so). A plan that would enter a scheduled operation instead sends
`no ip sla N`, the operation as the intent has it, then the intent's schedule and reaction
lines of that operation.
"""

from __future__ import annotations

import re

from rollout.drivers.ios_sections import Node, parse

OPERATION = re.compile(r"^ip sla (\d+)$")
RELATED = re.compile(
    r"^(?:no )?ip sla (?:schedule|reaction-configuration|reaction-trigger) (\d+)\b"
)


def _blocks(commands: list[str]) -> list[list[str]]:
    """The plan as top-level commands, each with the indented lines under it."""
    blocks: list[list[str]] = []
    for command in commands:
        if command.startswith(" ") and blocks:
            blocks[-1].append(command)
        else:
            blocks.append([command])
    return blocks


def _lines(node: Node, depth: int) -> list[str]:
    """A section as hier_config writes it: two spaces a level, `exit` closing each level."""
    out = [" " * (2 * depth) + node.text]
    for child in node.children:
        out += _lines(child, depth + 1)
    if node.children:
        out.append(" " * (2 * depth + 2) + "exit")
    return out


def restart_scheduled(commands: list[str], running: str, intended: str) -> list[str]:
    """The plan with every change to a scheduled operation made by deleting and re-creating it.

    running / intended: the compared texts (canonical, one space of indentation a level).
    """
    have = parse(running)
    scheduled = {m.group(1) for n in have if (m := RELATED.match(n.text)) and "schedule" in n.text}
    operations = {m.group(1) for n in have if (m := OPERATION.match(n.text))}
    blocks = _blocks(commands)
    restart = {
        m.group(1)
        for block in blocks
        if (m := OPERATION.match(block[0])) and len(block) > 1 and m.group(1) in scheduled
    } & operations
    if not restart:
        return commands
    want = {n.text: n for n in parse(intended)}
    out: list[str] = []
    for block in blocks:
        head = block[0].strip()
        op = OPERATION.match(head)
        related = RELATED.match(head)
        if related and related.group(1) in restart:
            continue  # sent again below, after the operation
        if op is None or op.group(1) not in restart:
            out += block
            continue
        number = op.group(1)
        out.append(f"no ip sla {number}")
        if head in want:
            out += _lines(want[head], 0)
        out += [
            n.text
            for n in want.values()
            if (m := RELATED.match(n.text)) and m.group(1) == number and not n.children
        ]
    return out
