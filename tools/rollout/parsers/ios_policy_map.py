"""`show policy-map interface NAME` (Cisco IOS / IOS-XE): the attached policies and, per class,
its packets, offered and drop rates, drops and the shaper's rate.

Line shapes, as read by Cisco's own genieparser
(CiscoTestAutomation/genieparser, src/genie/libs/parser/iosxe/show_policy_map.py) and shown in
public outputs (tests/diagnose/data/show_policy_map_*.txt):

- ``Service-policy output: NAME`` (a nested one: ``Service-policy : NAME``);
- ``Class-map: NAME (match-any)``;
- ``184 packets, 18839 bytes``;
- ``5 minute offered rate 0 bps, drop rate 0 bps`` (IOS-XE: ``30 second ...``);
- ``(depth/total drops/no-buffer drops) 0/0/0`` or ``(queue depth/total drops/no-buffer
  drops) 0/250/0`` (IOS-XE), ``(total drops/bytes drops) 0/0`` (priority queue);
- the shaper: ``shape (average) cir 1000000, bc ...`` and ``target shape rate N``
  (IOS-XE), or the ``Target/Average`` table of classic IOS (``10000000/10000000 62500 ...``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_POLICY = re.compile(r"^\s*Service-policy\s*(input|output)?\s*:\s*(\S+)")
_CLASS = re.compile(r"^\s*Class-map:\s+(\S+)")
_PACKETS = re.compile(r"^\s*(\d+)\s+packets,\s+\d+\s+bytes")
_RATE = re.compile(r"offered\s+rate\s+(\d+)\s+bps,\s+drop\s+rate\s+(\d+)\s+bps")
_DROPS = re.compile(r"\((?:queue\s+)?depth/total\s+drops/no-buffer\s+drops\)\s+\d+/(\d+)/\d+")
_PRIO_DROPS = re.compile(r"\(total\s+drops/bytes\s+drops\)\s+(\d+)/\d+")
_CIR = re.compile(r"(?:shape\s+\(\w+\)\s+cir|target\s+shape\s+rate)\s+(\d+)")
_TABLE = re.compile(r"^\s*(\d+)/(\d+)\s+\d+\s+\d+")


@dataclass(slots=True)
class PolicyClass:
    """One class of one policy, with the policy and direction it belongs to."""

    policy: str
    direction: str  # input | output (a child policy inherits its parent's)
    name: str
    packets: int = 0
    offered_bps: int = 0
    drop_bps: int = 0
    drops: int = 0
    shape_bps: int = 0  # 0: the class has no shaper
    lines: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PolicyMap:
    """The output of one ``show policy-map interface NAME``."""

    attached: dict[str, str] = field(default_factory=dict)  # direction -> top policy name
    classes: list[PolicyClass] = field(default_factory=list)

    @property
    def shape_bps(self) -> int:
        """The first shaper met (the parent's), 0 when there is none."""
        return next((c.shape_bps for c in self.classes if c.shape_bps), 0)


def parse_policy_map(text: str) -> PolicyMap:
    out = PolicyMap()
    policy, direction = "", "output"
    current: PolicyClass | None = None
    in_table = False
    for line in text.splitlines():
        if m := _POLICY.match(line):
            policy = m.group(2)
            if m.group(1):
                direction = m.group(1)
                out.attached.setdefault(direction, policy)
            current = None
            continue
        if m := _CLASS.match(line):
            current = PolicyClass(policy, direction, m.group(1), lines=[line.strip()])
            out.classes.append(current)
            continue
        if current is None:
            continue
        if m := _PACKETS.match(line):
            current.packets = int(m.group(1))
        elif m := _RATE.search(line):
            current.offered_bps, current.drop_bps = int(m.group(1)), int(m.group(2))
            current.lines.append(line.strip())
        elif (m := _DROPS.search(line)) or (m := _PRIO_DROPS.search(line)):
            current.drops += int(m.group(1))
            current.lines.append(line.strip())
        elif m := _CIR.search(line):
            current.shape_bps = current.shape_bps or int(m.group(1))
            current.lines.append(line.strip())
        elif "Target/Average" in line:
            in_table = True
            continue
        elif in_table and (m := _TABLE.match(line)):
            current.shape_bps = current.shape_bps or int(m.group(1))
            current.lines.append(line.strip())
        in_table = False
    return out
