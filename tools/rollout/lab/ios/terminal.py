"""What every exec command works on: the session's terminal state and its shared helpers."""

from __future__ import annotations

from collections.abc import Callable

from rollout.lab.ios.editor import Editor
from rollout.lab.ios.outcome import AMBIGUOUS, INCOMPLETE, INVALID
from rollout.lab.ios.rules import complete_keyword
from rollout.lab.ios.state import DeviceState
from rollout.lab.shell import Reply

CONFIG_HINT = "Enter configuration commands, one per line.  End with CNTL/Z."
INVALID_MARKER = "% Invalid input detected at '^' marker."

Pending = Callable[[str], Reply]


class CommandError(Exception):
    """An exec command IOS rejects; ``kind`` is INVALID / INCOMPLETE / AMBIGUOUS."""

    def __init__(self, kind: int, pos: int = 0) -> None:
        super().__init__(kind, pos)
        self.kind = kind
        self.pos = pos


def word(toks: list[tuple[int, str]], i: int, choices: tuple[str, ...]) -> str:
    """The keyword of ``choices`` that word ``i`` abbreviates; CommandError if none or many."""
    if i >= len(toks):
        raise CommandError(INCOMPLETE)
    pos, typed = toks[i]
    hits = complete_keyword(sorted(choices), typed.lower())
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise CommandError(AMBIGUOUS, pos)
    raise CommandError(INVALID, pos)


def error_text(kind: int, pos: int, prompt: str, line: str) -> str:
    """What IOS prints for a rejected line (the caret under column ``pos`` of the line)."""
    if kind == INCOMPLETE:
        return "% Incomplete command.\n"
    if kind == AMBIGUOUS:
        return f'% Ambiguous command:  "{line.strip()}"\n'
    return " " * (len(prompt) + pos) + "^\n" + INVALID_MARKER + "\n"


class Terminal:
    """Mode and terminal state of one session; device state is shared."""

    def __init__(
        self, device: DeviceState, *, username: str = "admin", privilege: int = 15
    ) -> None:
        self.device = device
        self.username = username
        self.privilege = 15 if privilege >= 15 else 1
        self.editor: Editor | None = None
        self._generation = 0
        self._pending: Pending | None = None
        self._pending_prompt = ""
        self.term_length = 24
        self.term_width = 80
        self.closed = False

    def ask(self, prompt: str, then: Pending, output: str = "") -> Reply:
        """Print ``output``, prompt with ``prompt``; the next line typed goes to ``then``."""
        self._pending = then
        self._pending_prompt = prompt
        return Reply(output)

    def enter_config(self) -> None:
        self.editor = Editor(self.device.tree)
        self._generation = self.device.generation

    def leave_config(self) -> None:
        editor = self.editor
        self.editor = None
        if editor is not None and editor.changed:
            self.device.emit("config-changed")

    def merge(self, text: str) -> int:
        """Merge a configuration text into the running config; returns its size."""
        editor = Editor(self.device.tree)
        for raw in text.splitlines():
            out = editor.feed(raw)
            if out.leave:
                break
        if editor.changed:
            self.device.touched(self.username)
            self.device.emit("config-changed")
        return len(text)
