"""What one configuration line did: its status, output, and IOS's messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

OK, INVALID, INCOMPLETE, AMBIGUOUS = 0, 1, 2, 3

PHYSICAL_DELETE_MESSAGE = "% Physical interfaces cannot be deleted"
# What IOS prints when a scheduled IP SLA operation is re-entered (an IOL transcript in a
# public lab notebook: the three lines, the last two indented with a tab; Cisco NSO's
# cisco-ios NED and Ansible's cisco.ios terminal plugin match the first line).
SLA_RUNNING_MESSAGE = (
    "Entry already running and cannot be modified\n"
    "\t(only can delete (no) and start over)\n"
    "\t(check to see if the probe has finished exiting)"
)


@dataclass(slots=True)
class Outcome:
    """What one configuration line did."""

    output: str = ""
    error: int = OK
    pos: int = 0
    word: str = ""
    leave: bool = False
    do: str | None = None
    ask: str = ""
    """A question IOS asks before doing it; the answer goes to ``answer``."""
    answer: Callable[[str], Outcome] | None = None
