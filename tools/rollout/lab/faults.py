"""Faults the lab can inject into a simulated device, as data.

A fault is a small frozen dataclass; its JSON form is an object with a ``kind`` key and the
fault's fields, for example ``{"kind": "slow", "seconds": 2.5}``. A device holds at most one
fault of each kind; setting a fault of a kind the device already has replaces it.

Kinds and what a client sees:

``unreachable``
    The device stops accepting connections and its open sessions are dropped. ``mode``
    ``"refuse"`` (default) closes the listener (the client gets "connection refused");
    ``"blackhole"`` accepts TCP connections but never speaks SSH (the client times out).
``auth_fail``
    Every login (password or key) is rejected.
``slow``
    Every reply (to an interactive line or an ``exec`` request) is delayed by ``seconds``;
    changing or clearing the fault sends the replies held back so far.
``drop_after_lines``
    In each interactive session, the TCP connection is dropped right after the ``lines``-th
    non-empty line typed in configuration mode (prompt containing ``(config``) has been
    executed; that line's reply is never sent. Empty lines (prompt probes) do not count.
``reject_command``
    A line matching the regular expression ``pattern`` (``re.fullmatch`` on the stripped
    line) is not passed to the device; the client gets IOS's
    ``% Invalid input detected at '^' marker.`` with the caret line.
``mgmt_cut_after_acl``
    When a configuration session that touched an ACL (lines starting with ``access-list``,
    ``ip access-list``, ``access-class`` or ``ip access-group``) leaves configuration mode
    or ends, the device drops every session and refuses new ones until the device reports
    a ``"reverted"`` event or the fault is cleared.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeAlias

ACL_LINE_PREFIXES: tuple[str, ...] = (
    "access-list",
    "ip access-list",
    "access-class",
    "ip access-group",
)
"""Configuration lines that make a session count as "touched an ACL"."""


class FaultSpecError(ValueError):
    """A fault description (JSON or arguments) is not valid."""


@dataclass(frozen=True, slots=True)
class Unreachable:
    """Stop accepting connections and drop the open ones."""

    kind: ClassVar[str] = "unreachable"
    mode: Literal["refuse", "blackhole"] = "refuse"

    def __post_init__(self) -> None:
        if self.mode not in ("refuse", "blackhole"):
            raise FaultSpecError(
                f"unreachable: mode must be 'refuse' or 'blackhole', not {self.mode!r}"
            )


@dataclass(frozen=True, slots=True)
class AuthFail:
    """Reject every login."""

    kind: ClassVar[str] = "auth_fail"


@dataclass(frozen=True, slots=True)
class Slow:
    """Delay every reply by ``seconds``."""

    kind: ClassVar[str] = "slow"
    seconds: float

    def __post_init__(self) -> None:
        if not 0 <= self.seconds <= 3600:
            raise FaultSpecError(f"slow: seconds must be within 0..3600, not {self.seconds!r}")


@dataclass(frozen=True, slots=True)
class DropAfterLines:
    """Drop the TCP connection after ``lines`` lines typed in configuration mode."""

    kind: ClassVar[str] = "drop_after_lines"
    lines: int

    def __post_init__(self) -> None:
        if self.lines < 1:
            raise FaultSpecError(f"drop_after_lines: lines must be >= 1, not {self.lines!r}")


@dataclass(frozen=True, slots=True)
class RejectCommand:
    """Answer lines matching ``pattern`` with IOS's invalid-input error."""

    kind: ClassVar[str] = "reject_command"
    pattern: str

    def __post_init__(self) -> None:
        try:
            re.compile(self.pattern)
        except re.error as exc:
            raise FaultSpecError(
                f"reject_command: pattern {self.pattern!r} is not a valid regular expression: {exc}"
            ) from exc

    def matches(self, line: str) -> bool:
        """True when ``line`` (stripped) matches the whole pattern."""
        return re.fullmatch(self.pattern, line.strip()) is not None


@dataclass(frozen=True, slots=True)
class MgmtCutAfterAcl:
    """Lose management access after a configuration session that touched an ACL."""

    kind: ClassVar[str] = "mgmt_cut_after_acl"


Fault: TypeAlias = Unreachable | AuthFail | Slow | DropAfterLines | RejectCommand | MgmtCutAfterAcl

FAULT_KINDS: dict[str, type[Fault]] = {
    cls.kind: cls
    for cls in (Unreachable, AuthFail, Slow, DropAfterLines, RejectCommand, MgmtCutAfterAcl)
}
"""Fault classes by their JSON ``kind``."""

_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "mode": (str,),
    "seconds": (int, float),
    "lines": (int,),
    "pattern": (str,),
}


def parse_fault(data: Mapping[str, Any]) -> Fault:
    """Build a fault from its JSON form, e.g. ``{"kind": "slow", "seconds": 2}``.

    Raises :class:`FaultSpecError` naming the problem and the accepted kinds or fields.
    """
    if not isinstance(data, Mapping):
        raise FaultSpecError(f"a fault must be a JSON object with a 'kind', not {data!r}")
    kind = data.get("kind")
    cls = FAULT_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise FaultSpecError(
            f"unknown fault kind {kind!r}; use one of: {', '.join(sorted(FAULT_KINDS))}"
        )
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields) - {"kind"})
    if unknown:
        raise FaultSpecError(
            f"{kind}: unknown field(s) {', '.join(unknown)}; "
            f"accepted: {', '.join(fields) or '(none)'}"
        )
    kwargs: dict[str, Any] = {}
    for name, field in fields.items():
        if name not in data:
            if field.default is dataclasses.MISSING:
                raise FaultSpecError(f"{kind}: missing field {name!r}")
            continue
        value: Any = data[name]
        if isinstance(value, bool) or not isinstance(value, _FIELD_TYPES[name]):
            raise FaultSpecError(f"{kind}: field {name!r} has the wrong type: {value!r}")
        kwargs[name] = value
    if "seconds" in kwargs:
        kwargs["seconds"] = float(kwargs["seconds"])
    return cls(**kwargs)


def fault_to_json(fault: Fault) -> dict[str, Any]:
    """The JSON form of a fault (inverse of :func:`parse_fault`)."""
    return {"kind": fault.kind, **dataclasses.asdict(fault)}


def touches_acl(line: str) -> bool:
    """True when a configuration line creates, changes or applies an ACL."""
    words = line.strip().lower().split()
    if words[:1] == ["no"]:
        words = words[1:]
    text = " ".join(words)
    return any(text == p or text.startswith(p + " ") for p in ACL_LINE_PREFIXES)


def invalid_input(prompt: str, line: str) -> str:
    """IOS's answer to a rejected line: the caret under the line's first word, the error
    and an empty line (the echoed line is on screen after ``prompt``)."""
    column = len(prompt) + (len(line) - len(line.lstrip()))
    return " " * column + "^\n% Invalid input detected at '^' marker.\n\n"
