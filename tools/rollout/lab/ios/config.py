"""The configuration tree of a simulated IOS device: its lines, their order and place.

What a command means (section, single value, sequence number, negation shown or not) comes
from :mod:`rollout.lab.ios.rules`; :mod:`rollout.lab.ios.editor` changes the tree line by
line, :mod:`rollout.lab.ios.render` shows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rollout.lab.ios import rules
from rollout.lab.ios.match import strip_no


class Node:
    """One line of the configuration; a section when ``children`` is a list."""

    __slots__ = ("body", "children", "mode", "order", "seq", "text")

    def __init__(
        self,
        text: str,
        mode: str | None = None,
        order: tuple[int, ...] = (),
        seq: int = 0,
    ) -> None:
        self.text = text
        self.mode = mode
        self.children: list[Node] | None = [] if mode is not None else None
        self.order = order
        self.seq = seq
        self.body: str | None = None

    def __repr__(self) -> str:
        return f"Node({self.text!r})"

    def copy(self) -> Node:
        new = Node(self.text, self.mode, self.order, self.seq)
        new.body = self.body
        if self.children is not None:
            new.children = [c.copy() for c in self.children]
        return new

    def tokens(self) -> list[str]:
        return self.text.split()


def top_order(toks: list[str], ports: dict[str, int] | None = None) -> tuple[int, ...]:
    """Sort key of a top-level line; ``ports`` ranks the hardware's own ports (its order)."""
    rank = rules.DEFAULT_TOP_RANK
    t = strip_no(toks)
    for n in (3, 2, 1):
        r = rules.TOP_RANK.get(tuple(t[:n]))
        if r is not None:
            rank = r
            break
    if t and t[0] == "interface" and len(t) > 1:
        name = t[1]
        if ports and name in ports:
            return (rank, rules.INTERFACE_RANK.get(rules.interface_type(name), 6), ports[name])
        kind = rules.interface_type(name)
        nums = tuple(int(x) for x in _numbers(name[len(kind) :]))
        return (rank, rules.INTERFACE_RANK.get(kind, 6), *nums)
    if t and t[0] == "access-list" and len(t) > 1 and t[1].isdigit():
        return (rank, int(t[1]))
    if t and t[0] in rules.TOP_SUBRANK:
        return (rank, rules.TOP_SUBRANK[t[0]])
    return (rank,)


def _numbers(text: str) -> Iterator[str]:
    cur = ""
    for ch in text:
        if ch.isdigit():
            cur += ch
        elif cur:
            yield cur
            cur = ""
    if cur:
        yield cur


def child_order(mode: str, toks: list[str], section: bool) -> tuple[int, ...]:
    if section and mode in rules.CHILD_SECTIONS_FIRST:
        return (10,)
    if section and mode in rules.CHILD_SECTION_SEPARATOR:
        return (90,)
    table = rules.CHILD_ORDER.get(mode)
    if not table:
        return (50,)
    t = strip_no(toks)
    for n in (2, 1):
        r = table.get(tuple(t[:n]))
        if r is not None:
            return (r,)
    return (50,)


def default_children(lines: Iterable[str], mode: str) -> list[Node]:
    return [Node(t, order=child_order(mode, t.split(), False)) for t in lines]


def is_physical(name: str) -> bool:
    return "." not in name and rules.interface_type(name) in rules.PHYSICAL_TYPES


def is_write_only(toks: list[str]) -> bool:
    return any(tuple(toks[: len(p)]) == p for p in rules.WRITE_ONLY["config"])


class ConfigTree:
    """The running configuration of one device."""

    __slots__ = (
        "hidden_negations",
        "learned_negations",
        "learned_openers",
        "learned_words",
        "numbered_acls",
        "old_forms",
        "port_defaults",
        "port_order",
        "root",
        "version",
    )

    def __init__(
        self,
        port_order: dict[str, int] | None = None,
        port_defaults: dict[str, tuple[str, ...]] | None = None,
        old_forms: Iterable[int] = (),
        numbered_acls: bool = False,
    ) -> None:
        self.root = Node("", rules.ROOT_MODE)
        self.version = 0
        self.learned_negations: dict[tuple[str, str], str] = {}
        self.learned_words: set[tuple[str, tuple[str, ...]]] = set()
        self.learned_openers: set[tuple[str, tuple[str, ...]]] = set()
        """(mode, first keywords) of lines shown or typed with lines indented under them where
        the twin's grammar knows no sub-mode: they open one (rules.LEARNED_MODE)."""
        """(mode, first two words) of lines a loaded config showed in a section the twin's
        grammar does not know them in: the device takes that command there."""
        self.hidden_negations: set[tuple[str, str]] = set()
        """(mode, key) whose negation this platform hides (POSITIVE_SHOWN_HIDES_NEGATION)."""
        self.port_order = port_order or {}
        """Running-config position of each port of the hardware (empty: by number)."""
        self.port_defaults = port_defaults or {}
        """What each port of the hardware shows when reset (else the type's defaults)."""
        self.old_forms: set[int] = set(old_forms)
        """Rows of rules.TRAIN_FORMS this device's train shows in their old spelling."""
        self.numbered_acls = numbered_acls
        """The train shows named ACL entries with their sequence numbers (rules)."""

    def copy(self) -> ConfigTree:
        new = ConfigTree(self.port_order, self.port_defaults, self.old_forms, self.numbered_acls)
        new.root = self.root.copy()
        new.learned_negations = dict(self.learned_negations)
        new.learned_words = set(self.learned_words)
        new.learned_openers = set(self.learned_openers)
        new.hidden_negations = set(self.hidden_negations)
        return new

    def shown_text(self, text: str) -> str:
        """A top-level line as this device's train spells it (rules.TRAIN_FORMS)."""
        if not self.old_forms:
            return text
        toks = text.split()
        neg = toks[:1] == ["no"]
        body = toks[1:] if neg else toks
        for i in sorted(self.old_forms):
            form = rules.TRAIN_FORMS[i]
            if tuple(body[: len(form.new)]) == form.new:
                return " ".join(["no"] * neg + [*form.old, *body[len(form.new) :]])
        return text

    def physical_defaults(self, name: str) -> tuple[str, ...]:
        found = self.port_defaults.get(name)
        return found if found is not None else rules.physical_defaults(name)

    # ------------------------------------------------------------ queries

    def find(self, *words: str) -> Node | None:
        prefix = " ".join(words)
        for node in self.root.children or ():
            if node.text == prefix or node.text.startswith(prefix + " "):
                return node
        return None

    def top(self, prefix: str) -> list[Node]:
        return [
            n
            for n in self.root.children or ()
            if n.text == prefix or n.text.startswith(prefix + " ")
        ]

    @property
    def hostname(self) -> str:
        node = self.find("hostname")
        if node is None:
            return "Router"
        parts = node.text.split(None, 1)
        return parts[1] if len(parts) > 1 else "Router"


def insert_node(parent: Node, node: Node, mode: str) -> None:
    """Insert ``node`` where IOS would show it."""
    children = parent.children
    assert children is not None
    toks = node.tokens()
    group = _group_key(toks)
    if group is not None:
        name, seq = group
        last = -1
        for idx, c in enumerate(children):
            cg = _group_key(c.tokens())
            if cg is not None and cg[0] == name:
                if cg[1] > seq:
                    children.insert(idx, node)
                    return
                last = idx
        if last >= 0:
            children.insert(last + 1, node)
            return
    idx = len(children)
    while idx > 0 and children[idx - 1].order > node.order:
        idx -= 1
    children.insert(idx, node)


def _group_key(toks: list[str]) -> tuple[str, int] | None:
    """Route-map sequences and prefix-list entries group by name, sorted by sequence."""
    if len(toks) >= 4 and toks[0] == "route-map" and toks[3].isdigit():
        return ("route-map " + toks[1], int(toks[3]))
    if (
        len(toks) >= 5
        and toks[:2] == ["ip", "prefix-list"]
        and toks[3] == "seq"
        and toks[4].isdigit()
    ):
        return ("prefix-list " + toks[2], int(toks[4]))
    return None
