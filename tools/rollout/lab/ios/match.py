"""Matching typed words against the grammar: syntax tries, patterns, single-value keys."""

from __future__ import annotations

from dataclasses import dataclass

from rollout.lab.ios import rules
from rollout.lab.ios.outcome import AMBIGUOUS, INCOMPLETE, INVALID, OK
from rollout.lab.ios.rules import KeyRule, Syntax


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


def pattern_match(pattern: tuple[str, ...], toks: list[str]) -> bool:
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
        if pattern_match(rule.pattern, toks):
            return rule
    return None


def key_of(rule: KeyRule, toks: list[str]) -> tuple[str, ...]:
    return tuple(toks[i] for i in rule.key if i < len(toks))


def strip_no(toks: list[str]) -> list[str]:
    return toks[1:] if toks and toks[0] == "no" else toks
