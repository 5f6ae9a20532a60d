"""The configuration tree of a simulated IOS device and the configuration-mode interpreter.

The interpreter is generic: what a command means (section, single value, sequence number,
negation shown or not) comes from :mod:`rollout.lab.ios.rules`. Loading a running config
and typing lines in ``configure terminal`` go through the same code, so a loaded device and
a configured device are in the same state for the same input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from rollout.lab.ios import rules
from rollout.lab.ios.rules import Confirmed, KeyRule, Opener, Syntax

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


def tokenize(line: str) -> list[tuple[int, str]]:
    """Words of a line with their column."""
    out: list[tuple[int, str]] = []
    pos = 0
    for word in line.split():
        pos = line.find(word, pos)
        out.append((pos, word))
        pos += len(word)
    return out


@dataclass(slots=True)
class MatchResult:
    status: int
    words: list[str]
    fail: int = 0
    """Index of the word where matching failed (INVALID / AMBIGUOUS)."""
    raw_from: int = -1
    """Index of the first word of free text kept as typed."""
    abbreviated: bool = False
    """A keyword was abbreviated (an exact match in a parent mode wins)."""
    needs_args: bool = False
    """INCOMPLETE only because arguments are missing (fine for ``no``)."""


def match_syntax(syntax: Syntax, words: list[str], start: int) -> MatchResult:
    """Walk the syntax trie; expand abbreviated keywords."""
    node = syntax
    out: list[str] = []
    i = start
    n = len(words)
    abbreviated = False
    while i < n:
        word = words[i]
        low = word.lower()
        child = node.children.get(low)
        if child is None and node.keys:
            hits = rules.complete_keyword(node.keys, low)
            if len(hits) == 1:
                low = hits[0]
                child = node.children[low]
                abbreviated = True
            elif len(hits) > 1 and node.arg is None and not node.rest:
                return MatchResult(AMBIGUOUS, out, i)
        if child is not None:
            out.append(low)
            node = child
            i += 1
            continue
        if node.arg is not None and (not node.arg_numeric or word[0].isdigit()):
            out.append(word)
            node = node.arg
            i += 1
            continue
        if node.rest:
            out.extend(words[i:])
            return MatchResult(OK, out, raw_from=i if node.raw else -1, abbreviated=abbreviated)
        if node.terminal and not node.closed:
            out.extend(words[i:])
            return MatchResult(OK, out, abbreviated=abbreviated)
        return MatchResult(INVALID, out, i, abbreviated=abbreviated)
    if node.terminal:
        return MatchResult(OK, out, abbreviated=abbreviated)
    return MatchResult(
        INCOMPLETE,
        out,
        i,
        abbreviated=abbreviated,
        needs_args=i > start and (node.rest or node.arg is not None),
    )


def _pattern_match(pattern: tuple[str, ...], toks: list[str]) -> bool:
    if len(toks) < len(pattern) - (1 if pattern and pattern[-1] == "$" else 0):
        return False
    for i, p in enumerate(pattern):
        if p == "$":
            return len(toks) == i
        t = toks[i]
        if p == "*":
            continue
        if p == "#":
            if not t[0].isdigit():
                return False
            continue
        if p == "*.*":
            if "." not in t:
                return False
            continue
        if p == "%":
            if t[0].isdigit():
                return False
            continue
        if p == "-:":
            if ":" in t:
                return False
            continue
        if t != p:
            return False
    return True


def find_key_rule(mode: str, toks: list[str]) -> KeyRule | None:
    for rule in rules.KEYED.get(mode, ()):
        if _pattern_match(rule.pattern, toks):
            return rule
    return None


def _key(rule: KeyRule, toks: list[str]) -> tuple[str, ...]:
    return tuple(toks[i] for i in rule.key if i < len(toks))


def _strip_no(toks: list[str]) -> list[str]:
    return toks[1:] if toks and toks[0] == "no" else toks


def top_order(toks: list[str], ports: dict[str, int] | None = None) -> tuple[int, ...]:
    """Sort key of a top-level line; ``ports`` ranks the hardware's own ports (its order)."""
    rank = rules.DEFAULT_TOP_RANK
    t = _strip_no(toks)
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
    t = _strip_no(toks)
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
        new.hidden_negations = set(self.hidden_negations)
        return new

    @classmethod
    def parse(
        cls,
        text: str,
        port_order: dict[str, int] | None = None,
        port_defaults: dict[str, tuple[str, ...]] | None = None,
        old_forms: Iterable[int] = (),
        numbered_acls: bool = False,
    ) -> tuple[ConfigTree, list[str]]:
        """Load a configuration file; returns the tree and the error lines."""
        tree = cls(port_order, port_defaults, old_forms, numbered_acls)
        errors = tree.load(text)
        return tree, errors

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

    def load(self, text: str) -> list[str]:
        editor = Editor(self, learn=True)
        errors: list[str] = []
        for line in text.splitlines():
            out = editor.feed(line)
            if out.error:
                errors.append(line)
            if out.leave:
                break
        return errors

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


# ------------------------------------------------------------------ interpreter


@dataclass(slots=True)
class Frame:
    mode: str
    node: Node


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


@dataclass(slots=True)
class _Raw:
    """Collecting raw text (banner body or certificate data)."""

    node: Node
    until: str
    banner: bool
    lines: list[str] = field(default_factory=list)


class Editor:
    """Interprets configuration-mode lines against a tree (one per configuration session)."""

    __slots__ = ("changed", "learn", "raw", "stack", "tree")

    def __init__(self, tree: ConfigTree, *, learn: bool = False) -> None:
        self.tree = tree
        self.stack: list[Frame] = [Frame(rules.ROOT_MODE, tree.root)]
        self.raw: _Raw | None = None
        self.learn = learn
        self.changed = False

    @property
    def mode(self) -> str:
        return self.stack[-1].mode

    @property
    def collecting(self) -> bool:
        return self.raw is not None

    def _touch(self) -> None:
        self.tree.version += 1
        self.changed = True

    # ------------------------------------------------------------ feed

    def feed(self, line: str) -> Outcome:
        if self.raw is not None:
            return self._feed_raw(line)
        ctrl_z = "\x1a" in line
        if ctrl_z:
            line = line.split("\x1a", 1)[0]
        out = self._feed(line)
        if ctrl_z:
            out.leave = True
        return out

    def _feed(self, line: str) -> Outcome:
        toks = tokenize(line)
        if not toks or toks[0][1].startswith("!"):
            return Outcome()
        words = [w for _p, w in toks]
        first = words[0].lower()
        if first == "end" and len(words) == 1:
            self.stack[1:] = []
            return Outcome(leave=True)
        if first == "exit" and len(words) == 1:
            if len(self.stack) == 1:
                return Outcome(leave=True)
            self._pop_one()
            return Outcome()
        if first == "do":
            if len(words) == 1:
                return Outcome(error=INCOMPLETE)
            return Outcome(do=line[toks[1][0] :].strip())
        for depth in range(len(self.stack) - 1, 0, -1):
            info = rules.MODES[self.stack[depth].mode]
            if info.footer and first == info.footer and len(words) == 1:
                self.stack[depth:] = []
                return Outcome()
        negate = first == "no"
        default = first == "default"
        start = 1 if negate or default else 0
        if start >= len(words):
            return Outcome(error=INCOMPLETE)
        chosen, res = self._resolve(words, start, negate or default)
        if chosen < 0:
            return Outcome(error=res.status, pos=toks[min(res.fail, len(toks) - 1)][0], word=line)
        del self.stack[chosen + 1 :]
        canon = self._canonical(res, toks, line, start)
        frame = self.stack[-1]
        opener = self._opener(frame.mode, canon)
        if opener is not None:
            return self._open(frame, opener, canon, negate or default)
        return self._line(frame, canon, negate, default)

    def _resolve(self, words: list[str], start: int, negate: bool) -> tuple[int, MatchResult]:
        """Pick the innermost mode that accepts the command (IOS pops out of sub-modes).

        A keyword typed in full in an outer mode wins over an abbreviation in an inner one
        (``router bgp 1`` typed under ``router ospf`` is not ``router-id``).
        """
        best = MatchResult(INVALID, [], start)
        found: tuple[int, MatchResult] | None = None
        ambiguous: MatchResult | None = None
        order = list(range(len(self.stack) - 1, -1, -1))
        top = self.stack[-1].mode
        if rules.MODES[top].lenient and len(order) > 1:
            order = order[1:] + order[:1]
        for depth in order:
            mode = self.stack[depth].mode
            info = rules.MODES[mode]
            if info.numbered and words[start][0].isdigit():
                if len(words) == start + 1 or not info.sequenced:
                    res = MatchResult(OK, words[start:])
                else:
                    res = match_syntax(rules.SYNTAX[mode], words, start + 1)
                    res.words.insert(0, words[start])
                    res.abbreviated = False
            elif info.lenient and depth == len(self.stack) - 1:
                res = MatchResult(OK, words[start:])
            else:
                res = match_syntax(rules.SYNTAX[mode], words, start)
                if res.status == INCOMPLETE and negate and res.needs_args:
                    res.status = OK
            if res.status == OK:
                if not res.abbreviated:
                    return depth, res
                if found is None:
                    found = (depth, res)
                continue
            if res.status == AMBIGUOUS:
                ambiguous = ambiguous or res
                continue
            if (res.status == INCOMPLETE and best.status != INCOMPLETE) or (
                best.status == INVALID and res.fail > best.fail
            ):
                best = res
        if found is not None:
            return found
        return -1, ambiguous or best

    def _canonical(
        self, res: MatchResult, toks: list[tuple[int, str]], line: str, start: int
    ) -> list[str]:
        words = res.words
        if res.raw_from >= 0:
            raw = line[toks[res.raw_from][0] :].rstrip()
            words = [*words[: res.raw_from - start], raw]
        for old, new in rules.REWRITES.get(self.mode, ()):
            if tuple(words[: len(old)]) == old:
                words = [*new, *words[len(old) :]]
        if self.mode == rules.ROOT_MODE:
            words = self._train_form(words)
        for row in rules.DEFAULT_ARGUMENTS:
            if self.mode == row.mode and words[:1] == [row.command]:
                words = _without(words, row.words)
        if rules.INTERFACE_ARGUMENT_KEYWORDS.intersection(words):
            words = _canonical_interfaces(words)
        return words

    def _train_form(self, words: list[str]) -> list[str]:
        """Store the new spelling; a loaded file's spelling tells the device's train."""
        for i, form in enumerate(rules.TRAIN_FORMS):
            for spelling in (form.old, form.new):
                if tuple(w.lower() for w in words[: len(spelling)]) == spelling:
                    if self.learn:
                        if spelling == form.old:
                            self.tree.old_forms.add(i)
                        else:
                            self.tree.old_forms.discard(i)
                    return [*form.new, *words[len(spelling) :]]
        return words

    def _opener(self, mode: str, canon: list[str]) -> Opener | None:
        for op in rules.OPENERS.get(mode, ()):
            if _pattern_match(op.pattern, canon):
                return op
        return None

    def _pop_one(self) -> None:
        self.stack.pop()

    # ------------------------------------------------------------ sections

    def _open(self, frame: Frame, opener: Opener, canon: list[str], negate: bool) -> Outcome:
        parent = frame.node
        if opener.flat:
            out = self._line(frame, canon, negate, False)
            if not negate:
                self.stack.append(Frame(opener.mode, parent))
            return out
        header = _section_header(canon, parent.text)
        siblings = parent.children
        assert siblings is not None
        if negate:
            confirm = _confirmed(canon)
            if confirm is not None and not self.learn:
                return self._remove_confirmed(parent, header, canon, confirm)
            return self._remove_section(parent, header, canon)
        node = next((c for c in siblings if c.text == header and c.mode is not None), None)
        if node is None:
            msg = self._refuse_new_section(parent, canon)
            if msg:
                return Outcome(output=msg)
            rule = find_key_rule(frame.mode, canon)
            if rule is not None:
                key = _key(rule, canon)
                node = next((c for c in siblings if c.mode and _key(rule, c.tokens()) == key), None)
                if node is not None:
                    node.text = header
                    self._touch()
        elif canon[:2] == ["ip", "sla"] and self._sla_scheduled(canon[2]):
            return Outcome(output=SLA_RUNNING_MESSAGE)
        if node is None:
            node = Node(header, opener.mode)
            node.order = (
                top_order(canon, self.tree.port_order)
                if parent is self.tree.root
                else child_order(frame.mode, canon, True)
            )
            if canon[0] == "interface" and "." not in canon[1] and not self.learn:
                # A loaded file shows every line of the section itself.
                node.children = default_children(rules.SECTION_DEFAULTS["interface"], opener.mode)
            _insert(parent, node, frame.mode)
            self._touch()
        self.stack.append(Frame(opener.mode, node))
        if opener.raw_until:
            self.raw = _Raw(node, opener.raw_until, banner=False)
        return Outcome()

    def _remove_confirmed(
        self, parent: Node, header: str, canon: list[str], confirm: Confirmed
    ) -> Outcome:
        """IOS asks before it destroys what the section holds (a trustpoint's certificates)."""
        held = confirm.holds.format(canon[len(confirm.pattern) - 1])
        siblings = parent.children
        assert siblings is not None
        victim = next((c for c in siblings if c.text == held), None)
        if victim is None:
            return self._remove_section(parent, header, canon)

        def answer(reply: str) -> Outcome:
            if reply.strip().lower() not in {"yes", "y"}:
                return Outcome()
            siblings[:] = [c for c in siblings if c is not victim]
            self._remove_section(parent, header, canon)
            self._touch()
            return Outcome(output=confirm.done)

        return Outcome(output=confirm.warning, ask=confirm.question, answer=answer)

    def _refuse_new_section(self, parent: Node, canon: list[str]) -> str:
        if parent is self.tree.root and canon[:1] == ["router"] and canon[1:2] == ["bgp"]:
            running = self.tree.find("router", "bgp")
            if running is not None:
                return f"% BGP is already running; AS is {running.text.split()[2]}"
        return ""

    def _sla_scheduled(self, number: str) -> bool:
        return self.tree.find("ip", "sla", "schedule", number) is not None

    def _remove_section(self, parent: Node, header: str, canon: list[str]) -> Outcome:
        siblings = parent.children
        assert siblings is not None
        if canon[0] == "interface" and is_physical(canon[1]):
            node = next((c for c in siblings if c.text == header), None)
            if node is not None:
                node.children = default_children(self.tree.physical_defaults(canon[1]), "config-if")
                self._touch()
            return Outcome(output=PHYSICAL_DELETE_MESSAGE)
        if canon[0] == "route-map" and len(canon) == 2:
            victims = [c for c in siblings if c.tokens()[:2] == canon[:2]]
        elif canon[0] == "class-map":
            name = canon[-1]
            victims = [
                c
                for c in siblings
                if c.mode and c.text.startswith("class-map") and c.tokens()[-1] == name
            ]
        else:
            victims = [c for c in siblings if c.text == header]
            if not victims:
                prefix = " ".join(canon) + " "
                victims = [c for c in siblings if c.mode and c.text.startswith(prefix)]
        if not victims:
            return Outcome()
        for v in victims:
            siblings.remove(v)
        if canon[:2] == ["ip", "sla"] and len(canon) > 2:
            for extra in ("schedule", "reaction-configuration"):
                node = self.tree.find("ip", "sla", extra, canon[2])
                if node is not None:
                    self.tree.root.children.remove(node)  # type: ignore[union-attr]
        self._touch()
        return Outcome()

    # ------------------------------------------------------------ lines

    def _line(self, frame: Frame, toks: list[str], negate: bool, default: bool) -> Outcome:
        mode = frame.mode
        section = frame.node
        info = rules.MODES[mode]
        if info.sequenced:
            return self._acl_line(section, toks, negate or default)
        if toks[0] == "banner" and len(toks) >= 2 and section is self.tree.root:
            return self._banner(toks, negate or default)
        if section is self.tree.root:
            if toks[0] == "ip" and toks[1:2] == ["prefix-list"]:
                toks = self._prefix_list_seq(toks)
            if toks[0] == "access-list" and (negate or default):
                return self._remove_numbered_acl(toks)
        children = section.children
        assert children is not None
        text = " ".join(toks)
        rule = find_key_rule(mode, toks)
        if negate or default:
            display = self._negation_display(mode, rule, toks, children) if negate else None
            shown = display is not None
            if rule is not None:
                key = _key(rule, toks)
                slot = self._slot(children, rule, key)
                if rule.merge and negate and slot is not None and len(toks) > len(rule.key):
                    values = [
                        v for v in slot.tokens()[len(rule.key) :] if v not in toks[len(rule.key) :]
                    ]
                    if values:
                        slot.text = " ".join([*key, *values])
                    else:
                        children.remove(slot)
                    self._touch()
                elif shown:
                    new = f"no {display}"
                    if slot is None:
                        _insert(section, self._make(new, mode, section), mode)
                        self._touch()
                    elif slot.text != new:
                        slot.text = new
                        self._touch()
                elif slot is not None:
                    children.remove(slot)
                    self._touch()
                return Outcome()
            if shown:
                new = f"no {display}"
                if not any(c.text == new for c in children):
                    children[:] = [c for c in children if c.text != text]
                    _insert(section, self._make(new, mode, section), mode)
                    self._touch()
                return Outcome()
            before = len(children)
            children[:] = [c for c in children if c.text != text]
            if len(children) == before:
                prefix = text + " "
                children[:] = [
                    c for c in children if not (c.children is None and c.text.startswith(prefix))
                ]
            if len(children) != before:
                self._touch()
            return Outcome()
        # positive form
        if self.learn and text in rules.POSITIVE_SHOWN_HIDES_NEGATION.get(mode, ()):
            self.tree.hidden_negations.add((mode, text))
        if rules.hidden_default(mode, text):
            if rule is not None:
                slot = self._slot(children, rule, _key(rule, toks))
                if slot is not None:
                    children.remove(slot)
                    self._touch()
            return Outcome()
        if rule is not None:
            key = _key(rule, toks)
            slot = self._slot(children, rule, key)
            if slot is None:
                _insert(section, self._make(text, mode, section), mode)
                self._touch()
            elif rule.merge and not slot.text.startswith("no "):
                values = slot.tokens()[len(rule.key) :]
                new_values = [v for v in toks[len(rule.key) :] if v not in values]
                if new_values:
                    slot.text = " ".join([*key, *values, *new_values])
                    self._touch()
            elif slot.text != text:
                slot.text = text
                self._touch()
            return Outcome()
        if any(c.text == text for c in children):
            return Outcome()
        negated = "no " + text
        children[:] = [c for c in children if c.text != negated]
        _insert(section, self._make(text, mode, section), mode)
        self._touch()
        return Outcome()

    def _negation_display(
        self, mode: str, rule: KeyRule | None, toks: list[str], children: list[Node]
    ) -> str | None:
        """The text IOS shows after ``no`` for this negation, or None when it shows nothing."""
        table = rules.NEGATION_SHOWN.get(mode, {})
        key = _key(rule, toks) if rule is not None else tuple(toks)
        if (mode, " ".join(key)) in self.tree.hidden_negations:
            return None
        display = table.get(key)
        if display is not None:
            return display
        learned = self.tree.learned_negations.get((mode, " ".join(key)))
        if learned is not None:
            return learned
        if self.learn and not self._exists(children, rule, toks):
            # A loaded config shows this negation, so this IOS keeps it.
            text = " ".join(toks)
            self.tree.learned_negations[(mode, " ".join(key))] = text
            return text
        return None

    def _exists(self, children: list[Node], rule: KeyRule | None, toks: list[str]) -> bool:
        if rule is not None:
            return self._slot(children, rule, _key(rule, toks)) is not None
        text = " ".join(toks)
        return any(c.text == text or c.text.startswith(text + " ") for c in children)

    @staticmethod
    def _slot(children: list[Node], rule: KeyRule, key: tuple[str, ...]) -> Node | None:
        for c in children:
            if c.children is not None:
                continue
            ct = _strip_no(c.tokens())
            if _pattern_match(rule.pattern, ct) and _key(rule, ct) == key:
                return c
            if c.text.startswith("no ") and tuple(ct) == key:
                return c
        return None

    def _make(self, text: str, mode: str, section: Node) -> Node:
        toks = text.split()
        order = (
            top_order(toks, self.tree.port_order)
            if section is self.tree.root
            else child_order(mode, toks, False)
        )
        return Node(text, order=order)

    def _prefix_list_seq(self, toks: list[str]) -> list[str]:
        if len(toks) < 4 or toks[3] in {"seq", "description"} or toks[3] not in {"permit", "deny"}:
            return toks
        name = toks[2]
        seqs = [
            int(n.tokens()[4])
            for n in self.tree.top(f"ip prefix-list {name} seq")
            if n.tokens()[4].isdigit()
        ]
        return [*toks[:3], "seq", str(max(seqs, default=0) + 5), *toks[3:]]

    def _remove_numbered_acl(self, toks: list[str]) -> Outcome:
        # IOS deletes the whole numbered list, whatever entry is named after the number.
        if len(toks) < 2:
            return Outcome(error=INCOMPLETE)
        children = self.tree.root.children
        assert children is not None
        prefix = f"access-list {toks[1]} "
        before = len(children)
        children[:] = [c for c in children if not c.text.startswith(prefix)]
        if len(children) != before:
            self._touch()
        return Outcome()

    def _acl_line(self, section: Node, toks: list[str], negate: bool) -> Outcome:
        children = section.children
        assert children is not None
        seq = int(toks[0]) if toks[0].isdigit() else 0
        body = " ".join(toks[1:] if seq else toks)
        if seq and self.learn:
            # Only a train that shows sequence numbers writes them into its running config.
            self.tree.numbered_acls = True
        if negate:
            before = len(children)
            if seq:
                children[:] = [c for c in children if c.seq != seq]
            else:
                children[:] = [c for c in children if c.text != body]
            if len(children) != before:
                self._touch()
            return Outcome()
        if not body:
            return Outcome(error=INCOMPLETE)
        if any(c.text == body for c in children):
            return Outcome()
        if seq:
            if any(c.seq == seq for c in children):
                return Outcome(output="% Duplicate sequence number")
        else:
            seq = max((c.seq for c in children), default=0) + 10
        node = Node(body, order=(seq,), seq=seq)
        idx = len(children)
        while idx > 0 and children[idx - 1].seq > seq:
            idx -= 1
        children.insert(idx, node)
        self._touch()
        return Outcome()

    def _banner(self, toks: list[str], negate: bool) -> Outcome:
        kind = toks[1]
        header = f"banner {kind}"
        children = self.tree.root.children
        assert children is not None
        children[:] = [c for c in children if c.text != header]
        if negate:
            self._touch()
            return Outcome()
        rest = " ".join(toks[2:])
        if not rest:
            return Outcome(error=INCOMPLETE)
        if rest.startswith("^C"):
            delim, rest = "^C", rest[2:]
        else:
            delim, rest = rest[0], rest[1:]
        node = Node(header, order=top_order(toks))
        node.body = ""
        _insert(self.tree.root, node, rules.ROOT_MODE)
        self._touch()
        if delim in rest:
            node.body = rest.split(delim, 1)[0]
            return Outcome()
        self.raw = _Raw(node, delim, banner=True, lines=[rest] if rest else [""])
        return Outcome(output=f"Enter TEXT message.  End with the character '{delim}'.")

    def _feed_raw(self, line: str) -> Outcome:
        raw = self.raw
        assert raw is not None
        if raw.banner:
            if raw.until in line:
                raw.lines.append(line.split(raw.until, 1)[0])
                raw.node.body = "\n".join(raw.lines)
                self.raw = None
                return Outcome()
            raw.lines.append(line)
            return Outcome()
        word = line.strip()
        children = raw.node.children
        assert children is not None
        children.append(Node(word))
        if word == raw.until:
            self.raw = None
            self.stack.pop()
        self._touch()
        return Outcome()


def _without(words: list[str], part: tuple[str, ...]) -> list[str]:
    """``words`` less the first run of ``part`` (default arguments IOS does not show)."""
    n = len(part)
    for i in range(len(words) - n + 1):
        if tuple(words[i : i + n]) == part:
            return [*words[:i], *words[i + n :]]
    return words


def _confirmed(canon: list[str]) -> Confirmed | None:
    for row in rules.CONFIRMED_NEGATIONS:
        if len(canon) == len(row.pattern) and _pattern_match(row.pattern, canon):
            return row
    return None


def _section_header(canon: list[str], parent: str = "") -> str:
    first = canon[0]
    if first == "route-map":
        if len(canon) == 2:
            canon = [*canon, "permit", "10"]
        elif len(canon) == 3:
            canon = [*canon, "10"]
    elif first == "class-map" and len(canon) == 2:
        canon = [canon[0], "match-all", canon[1]]
    elif first == "address-family" and len(canon) > 1:
        keep = any(_pattern_match(p, parent.split()) for p in rules.AF_UNICAST_SHOWN)
        if canon[2:3] == ["unicast"] and not keep:
            canon = [*canon[:2], *canon[3:]]
        elif keep and canon[2:3] not in (["unicast"], ["multicast"]):
            canon = [*canon[:2], "unicast", *canon[2:]]
    return " ".join(canon)


def _canonical_interfaces(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    n = len(words)
    while i < n:
        w = words[i]
        if out and out[-1] in rules.INTERFACE_ARGUMENT_KEYWORDS:
            cand = w
            if w.isalpha() and i + 1 < n and words[i + 1][:1].isdigit():
                cand = w + words[i + 1]
                full = rules.canonical_interface(cand)
                if full is not None:
                    out.append(full)
                    i += 2
                    continue
            full = rules.canonical_interface(cand)
            out.append(full if full is not None else w)
        else:
            out.append(w)
        i += 1
    return out


def _insert(parent: Node, node: Node, mode: str) -> None:
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


# --------------------------------------------------------------------- rendering


def _acl_text(text: str) -> str:
    if text.startswith("deny "):
        return "deny   " + text[5:]
    return text


def _numbered_acl_text(text: str) -> str:
    parts = text.split(" ", 3)
    if len(parts) == 4 and parts[0] == "access-list" and parts[2] == "deny":
        return f"access-list {parts[1]} deny   {parts[3]}"
    return text


def render_node(
    node: Node, depth: int, out: list[str], parent_mode: str, *, numbered: bool = False
) -> None:
    """Lines of ``node``; ``numbered``: show named ACL entries with their sequence numbers."""
    pad = " " * depth
    if node.body is not None:
        out.extend(f"{node.text} ^C{node.body}^C".split("\n"))
        return
    if node.children is None:
        if rules.MODES[parent_mode].sequenced:
            seq = f"{node.seq} " if numbered and node.seq else ""
            out.append(pad + seq + _acl_text(node.text))
        elif depth == 0 and node.text.startswith("access-list "):
            out.append(_numbered_acl_text(node.text))
        elif depth == 0 and node.text in rules.TOP_INDENT:
            out.append(rules.TOP_INDENT[node.text] + node.text)
        elif parent_mode == "config-pubkey" and node.text == "quit":
            out.append(pad + "\tquit")
        else:
            out.append(pad + node.text)
        return
    out.append(pad + node.text)
    mode = node.mode or parent_mode
    separate = mode in rules.CHILD_SECTION_SEPARATOR
    for child in node.children:
        if separate and child.children is not None:
            out.append(pad + " !")
        render_node(child, depth + 1, out, mode, numbered=numbered)
    footer = rules.MODES[mode].footer
    if footer:
        out.append(pad + footer)


def render_body(tree: ConfigTree) -> list[str]:
    """Top-level blocks with IOS ``!`` separators (without the header and ``end``)."""
    out: list[str] = []
    prev: Node | None = None
    for node in tree.root.children or ():
        toks = node.tokens()
        if is_write_only(toks):
            continue
        if prev is not None and _needs_bang(prev, node):
            out.append("!")
        shown = tree.shown_text(node.text) if node.children is None else node.text
        if shown != node.text:
            out.append(shown)
        else:
            render_node(node, 0, out, rules.ROOT_MODE, numbered=tree.numbered_acls)
        prev = node
    return out


def _needs_bang(prev: Node, node: Node) -> bool:
    prev_section = prev.children is not None or prev.body is not None
    section = node.children is not None or node.body is not None
    if prev_section or section:
        if prev_section and section:
            g1 = _grouped(prev)
            return g1 is None or g1 != _grouped(node)
        return True
    return prev.order[:1] != node.order[:1]


def _grouped(node: Node) -> tuple[str, ...] | None:
    toks = tuple(node.tokens()[:2])
    for g in rules.GROUPED_SECTIONS:
        if toks[: len(g)] == g:
            return g
    return None


def iter_lines(nodes: Iterable[Node], depth: int = 0) -> Iterator[tuple[int, Node]]:
    for n in nodes:
        yield depth, n
        if n.children:
            yield from iter_lines(n.children, depth + 1)
