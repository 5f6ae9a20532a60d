"""Errors that reach the user: each names where the problem is and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about the repository's data: where, what, and the fix."""

    file: str
    path: str
    message: str
    fix: str = ""
    line: int | None = None

    def location(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}" if self.path else where

    def __str__(self) -> str:
        text = f"{self.location()}: {self.message}"
        return f"{text} Fix: {self.fix}" if self.fix else text

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "path": self.path,
            "message": self.message,
            "fix": self.fix,
        }


class RolloutError(Exception):
    """Base of every error the CLI turns into a message and exit code 1."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} Fix: {self.fix}" if self.fix else self.message


@dataclass
class InvalidInventory(RolloutError):
    """The inventory has one or more problems; nothing may be rendered or pushed."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        count = len(self.problems)
        RolloutError.__init__(self, f"the inventory has {count} problem{'s' if count != 1 else ''}")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def __hash__(self) -> int:
        return id(self)
