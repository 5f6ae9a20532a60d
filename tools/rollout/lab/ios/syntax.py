"""The command syntax trie of one configuration mode, compiled from its grammar lines.

A line is a keyword path; the last element may be a placeholder: ``+`` one or more free
tokens follow, ``~`` the same kept as typed, ``*`` one free token then the path continues,
``#`` one numeric token then the path continues, ``.`` the command takes no further tokens.
A path without a final placeholder is a complete command that tolerates extra tokens.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(slots=True)
class Syntax:
    """A node of the command syntax trie of one mode."""

    children: dict[str, Syntax] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    """Sorted keywords, for abbreviation lookups."""
    arg: Syntax | None = None
    arg_numeric: bool = False
    terminal: bool = False
    closed: bool = True
    rest: bool = False
    raw: bool = False


def compile_syntax(lines: Iterable[str]) -> Syntax:
    root = Syntax()
    for raw_line in lines:
        parts = raw_line.split()
        if not parts:
            continue
        node = root
        ended = False
        for part in parts:
            if part in {"+", "~"}:
                node.rest = True
                node.raw = node.raw or part == "~"
                ended = True
                break
            if part == ".":
                node.terminal = True
                ended = True
                break
            if part in {"*", "#"}:
                if node.arg is None:
                    node.arg = Syntax()
                node.arg_numeric = part == "#"
                node = node.arg
                continue
            nxt = node.children.get(part)
            if nxt is None:
                nxt = node.children[part] = Syntax()
            node = nxt
        if not ended:
            node.terminal = True
            node.closed = False
    _finish(root)
    return root


def _finish(node: Syntax) -> None:
    node.keys = sorted(node.children)
    for child in node.children.values():
        _finish(child)
    if node.arg is not None:
        _finish(node.arg)


def complete_keyword(keys: list[str], word: str) -> list[str]:
    """Keywords of a sorted list that ``word`` abbreviates (the exact one alone if present)."""
    i = bisect_left(keys, word)
    out: list[str] = []
    while i < len(keys) and keys[i].startswith(word):
        if keys[i] == word:
            return [word]
        out.append(keys[i])
        i += 1
    return out
