"""The configuration-mode interpreter: one typed (or loaded) line at a time.

The interpreter is generic: what a command means comes from :mod:`rollout.lab.ios.rules`.
Loading a running config and typing lines in ``configure terminal`` go through the same
code, so a loaded device and a configured device are in the same state for the same input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rollout.lab.ios import rules
from rollout.lab.ios.config import ConfigTree
from rollout.lab.ios.edit_lines import set_line
from rollout.lab.ios.edit_sections import open_section
from rollout.lab.ios.edit_state import EditState, Frame
from rollout.lab.ios.edit_text import feed_raw
from rollout.lab.ios.match import MatchResult, match_syntax, pattern_match, tokenize
from rollout.lab.ios.outcome import AMBIGUOUS, INCOMPLETE, INVALID, OK, Outcome
from rollout.lab.ios.rules import Opener


class Editor(EditState):
    """Interprets configuration-mode lines against a tree (one per configuration session)."""

    __slots__ = ()

    def feed(self, line: str) -> Outcome:
        if self.raw is not None:
            return feed_raw(self, line)
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
        indent = len(line) - len(line.lstrip())
        if self.learn:
            if not line[:1].isspace():
                del self.stack[1:]  # a running config shows every top-level line unindented
            while self.stack[-1].mode == rules.LEARNED_MODE and self.stack[-1].indent >= indent:
                self.stack.pop()
        self._learn_section(indent, words)
        chosen, res = self._resolve(words, start, negate or default)
        if chosen <= 0 and self._kept_in_section(line, words, start, chosen == 0):
            chosen, res = len(self.stack) - 1, MatchResult(OK, words[start:])
        elif chosen < 0 and self._known_top(line, words, start):
            chosen, res = 0, MatchResult(OK, words[start:])
        if chosen < 0:
            return Outcome(error=res.status, pos=toks[min(res.fail, len(toks) - 1)][0], word=line)
        del self.stack[chosen + 1 :]
        canon = self._canonical(res, toks, line, start)
        frame = self.stack[-1]
        opener = self._opener(frame.mode, canon)
        lead = _lead(canon)
        if opener is None and lead and (frame.mode, lead) in self.tree.learned_openers:
            opener = Opener(tuple(canon), rules.LEARNED_MODE)
        if opener is not None:
            self.last_line = None
            out = open_section(self, frame, opener, canon, negate or default)
            if opener.mode == rules.LEARNED_MODE and self.stack[-1].node is not frame.node:
                self.stack[-1].indent = indent
            return out
        out = set_line(self, frame, canon, negate, default)
        self.last_line = None
        if not (negate or default):
            text = " ".join(canon)
            node = next((c for c in frame.node.children or [] if c.text == text), None)
            if node is not None and node.mode is None:
                self.last_line = (node, indent, len(self.stack))
        return out

    def _learn_section(self, indent: int, words: list[str]) -> None:
        """A line indented deeper than the line set just before it, which opened no sub-mode,
        makes that line a section: a running config shows a section's lines indented under
        it, and the planner types them so (hier_config indents children). The section's mode
        is lenient; its first keywords are learnt, so typing them again opens it."""
        last = self.last_line
        if last is None or " ".join(words) in rules.TOP_INDENT:
            return
        node, at, depth = last
        if indent <= at or depth != len(self.stack) or node.mode is not None:
            return
        node.mode = rules.LEARNED_MODE
        node.children = []
        if lead := _lead(node.tokens()):
            self.tree.learned_openers.add((self.stack[-1].mode, lead))
        self.stack.append(Frame(rules.LEARNED_MODE, node, at))
        self.last_line = None

    def _known_top(self, line: str, words: list[str], start: int) -> bool:
        """A top-level line the grammar lacks: kept when loaded (the device showed it, its
        first two words are learnt), accepted typed when a loaded line began with them."""
        if len(self.stack) != 1 or line[:1].isspace() or not _KEYWORD.match(words[start]):
            return False  # IOS keywords are lower case (not `Building configuration...`)
        lead = (rules.ROOT_MODE, _lead(words[start:]))
        if self.learn:
            self.tree.learned_words.add(lead)
            return True
        return lead in self.tree.learned_words

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
        if rules.INTERFACE_ARGUMENT_KEYWORDS.intersection(words) and not any(
            tuple(words[: len(c)]) == c for c in rules.SHORT_NAME_COMMANDS
        ):
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

    def _kept_in_section(self, line: str, words: list[str], start: int, known: bool) -> bool:
        """An indented line the section's grammar does not know stays in the section.

        A running configuration shows a section's lines indented under it, and the planner
        types them so (hier_config indents children): an indented line the twin's grammar of
        the section lacks (` ip arp inspection trust`, ` spanning-tree guard root` under an
        interface) is one the device took there. Without this, it would fall back to the
        global level, and every later line of the section with it. Not for the top-level lines
        IOS prints indented (` vstack`, rules.TOP_INDENT). Loaded from a running config, any
        indented line is kept (the device showed it there) and its first two words learnt;
        typed, the line must be one IOS takes somewhere (``known``: the global level knows it)
        or start with words a loaded line of this mode had.
        """
        if not (
            len(self.stack) > 1
            and line[:1].isspace()
            and " ".join(words) not in rules.TOP_INDENT
            and not rules.MODES[self.stack[-1].mode].sequenced
        ):
            return False
        lead = (self.stack[-1].mode, _lead(words[start:]))
        if self.learn:
            self.tree.learned_words.add(lead)
            return True
        return known or lead in self.tree.learned_words

    def _opener(self, mode: str, canon: list[str]) -> Opener | None:
        for op in rules.OPENERS.get(mode, ()):
            if pattern_match(op.pattern, canon):
                return op
        return None

    def _pop_one(self) -> None:
        self.stack.pop()


_KEYWORD = re.compile(r"^[a-z][a-z0-9-]*$")
_VERSION = re.compile(r"^version (\d+)\.(\d+)", re.MULTILINE)


def _lead(words: list[str]) -> tuple[str, ...]:
    """The keywords a command starts with (at most two), before its first argument: the
    first word holding a digit, a capital or a quote (`voice-card 0/4` -> voice-card,
    `ip nhrp network-id 1` -> ip nhrp, `wsma profile listener X` -> wsma profile)."""
    out: list[str] = []
    for w in words[:2]:
        if any(c.isdigit() or c.isupper() or c in "\"'" for c in w):
            break
        out.append(w)
    return tuple(out)


def _without(words: list[str], part: tuple[str, ...]) -> list[str]:
    """``words`` less the first run of ``part`` (default arguments IOS does not show)."""
    n = len(part)
    for i in range(len(words) - n + 1):
        if tuple(words[i : i + n]) == part:
            return [*words[:i], *words[i + n :]]
    return words


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


def parse_config(
    text: str,
    port_order: dict[str, int] | None = None,
    port_defaults: dict[str, tuple[str, ...]] | None = None,
    old_forms: Iterable[int] = (),
    numbered_acls: bool = False,
) -> tuple[ConfigTree, list[str]]:
    """Load a configuration file; returns the tree and the error lines."""
    tree = ConfigTree(port_order, port_defaults, old_forms, numbered_acls)
    return tree, load_config(tree, text)


def load_config(tree: ConfigTree, text: str) -> list[str]:
    """Feed a configuration file into ``tree``; returns the lines IOS rejected."""
    train = _VERSION.search(text)
    if train and (int(train[1]), int(train[2])) >= rules.NUMBERED_ACL_SINCE:
        tree.numbered_acls = True
    editor = Editor(tree, learn=True)
    errors: list[str] = []
    for line in text.splitlines():
        out = editor.feed(line)
        if out.error:
            errors.append(line)
        if out.leave:
            break
    return errors
