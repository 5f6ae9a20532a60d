"""The faults set on one hosted device, and what each means for the server's next step.

The faults themselves are data (:mod:`rollout.lab.faults`); this module answers the
questions the SSH layers ask of them: should the listener accept SSH, refuse or swallow
connections; is this login refused; is this line rejected; does this configuration line
drop the connection; how long is a reply held back; does leaving an ACL change cut
management access.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from rollout.lab.faults import (
    AuthFail,
    DropAfterLines,
    Fault,
    MgmtCutAfterAcl,
    RejectCommand,
    Slow,
    Unreachable,
)

_T = TypeVar("_T")


class DeviceFaults:
    """At most one fault of each kind, plus the management cut an ACL change caused."""

    def __init__(self) -> None:
        self._faults: dict[str, Fault] = {}
        self.cut = False
        """True while a ``mgmt_cut_after_acl`` fault has cut management access."""

    def get(self, cls: type[_T]) -> _T | None:
        """The fault of kind ``cls`` when set."""
        found = self._faults.get(cast(Any, cls).kind)
        return cast(_T, found) if found is not None else None

    def active(self) -> tuple[Fault, ...]:
        """The faults set, in the order they were first set."""
        return tuple(self._faults.values())

    def set(self, fault: Fault) -> None:
        """Set ``fault``, replacing one of the same kind."""
        self._faults[fault.kind] = fault

    def clear(self, kind: str | None) -> None:
        """Remove the fault ``kind`` (all faults when None); a lifted cut fault ends the cut."""
        if kind is None:
            self._faults.clear()
        else:
            self._faults.pop(kind, None)
        if self.get(MgmtCutAfterAcl) is None:
            self.cut = False

    def listener_mode(self) -> str:
        """``ssh`` (serve), ``refuse`` (no listener) or ``blackhole`` (accept, never answer)."""
        unreachable = self.get(Unreachable)
        if unreachable is not None:
            return unreachable.mode
        return "refuse" if self.cut else "ssh"

    def refuses_login(self) -> bool:
        """True when every login is to be rejected (``auth_fail``)."""
        return self.get(AuthFail) is not None

    def rejects(self, line: str) -> bool:
        """True when ``line`` is to be answered as invalid input (``reject_command``)."""
        reject = self.get(RejectCommand)
        return reject is not None and reject.matches(line)

    def drops_after(self, config_lines: int) -> bool:
        """True when the ``config_lines``-th configuration line drops the connection."""
        drop = self.get(DropAfterLines)
        return drop is not None and config_lines >= drop.lines

    def delay(self) -> float:
        """Seconds every reply is held back (``slow``); 0 when replies go out at once."""
        slow = self.get(Slow)
        return slow.seconds if slow is not None and slow.seconds > 0 else 0.0

    def cuts_after_acl(self) -> bool:
        """True when leaving an ACL change is to cut management access now."""
        return self.get(MgmtCutAfterAcl) is not None and not self.cut
