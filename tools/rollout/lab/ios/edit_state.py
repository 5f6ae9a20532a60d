"""The state one configuration session edits: the tree and the stack of open sections."""

from __future__ import annotations

from dataclasses import dataclass, field

from rollout.lab.ios import rules
from rollout.lab.ios.config import ConfigTree, Node


@dataclass(slots=True)
class Frame:
    mode: str
    node: Node
    indent: int = -1
    """Indentation of the header line of a learned section (rules.LEARNED_MODE)."""


@dataclass(slots=True)
class RawText:
    """Collecting raw text (banner body or certificate data)."""

    node: Node
    until: str
    banner: bool
    lines: list[str] = field(default_factory=list)


class EditState:
    """The tree, the open sections (innermost last) and raw text being collected."""

    __slots__ = ("changed", "last_line", "learn", "raw", "stack", "tree")

    def __init__(self, tree: ConfigTree, *, learn: bool = False) -> None:
        self.tree = tree
        self.stack: list[Frame] = [Frame(rules.ROOT_MODE, tree.root)]
        self.raw: RawText | None = None
        self.learn = learn
        """Loading a file: learn the device's train and kept negations from what it shows."""
        self.changed = False
        self.last_line: tuple[Node, int, int] | None = None
        """The last line set without a sub-mode: (node, its indentation, the depth of the stack
        it was set at). A line indented deeper right after it makes it a section."""

    @property
    def mode(self) -> str:
        return self.stack[-1].mode

    @property
    def collecting(self) -> bool:
        return self.raw is not None

    def touch(self) -> None:
        self.tree.version += 1
        self.changed = True
