"""Typed records of the IOS grammar files."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ModeInfo:
    prompt: str
    """What goes between ``(`` and ``)#`` in the prompt."""
    footer: str = ""
    """Line IOS prints (and accepts) to close the section, e.g. ``exit-address-family``."""
    lenient: bool = False
    """Accept any command (rarely used modes): parent modes are tried first."""
    numbered: bool = False
    """Lines may start with a number (ACL sequence numbers, object-group addresses)."""
    sequenced: bool = False
    """Entries carry IOS sequence numbers (named access lists)."""


@dataclass(frozen=True, slots=True)
class Opener:
    """A command that opens a sub-mode when entered in a given mode."""

    pattern: tuple[str, ...]
    """Tokens: literal keyword, ``*`` any token, ``#`` numeric token, ``*.*`` token with a dot,
    ``%`` a token that is not a number, ``-:`` a token without a colon, ``$`` end of line."""
    mode: str
    flat: bool = False
    """The sub-mode's lines are stored in the parent section (``ip sla`` operations)."""
    raw_until: str = ""
    """The sub-mode reads raw lines until this word (certificates: ``quit``)."""


@dataclass(frozen=True, slots=True)
class KeyRule:
    """Lines matching ``pattern`` are one slot per ``key`` (token positions)."""

    pattern: tuple[str, ...]
    key: tuple[int, ...]
    merge: bool = False
    """Values after the key accumulate on one line (``match ip address 101 102``)."""


@dataclass(frozen=True, slots=True)
class TrainForm:
    """A global command two trains spell differently; the twin stores ``new``."""

    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Confirmed:
    """A negation IOS asks about before doing it (when the section holds what it destroys)."""

    pattern: tuple[str, ...]
    """The section header negated (``*`` one free token: the name)."""
    holds: str
    """Header of the section it also destroys, ``{}`` the name; no question without it."""
    warning: str
    question: str
    done: str


@dataclass(frozen=True, slots=True)
class HiddenDefault:
    """A command typed with its default value: IOS keeps no line for it."""

    mode: str
    line: str
    source: str


@dataclass(frozen=True, slots=True)
class DefaultArguments:
    """Optional arguments typed with their default values, left out of the line IOS shows."""

    mode: str
    command: str
    words: tuple[str, ...]
    source: str
