"""Showing a configuration tree as IOS prints its running configuration."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rollout.lab.ios import rules
from rollout.lab.ios.config import ConfigTree, Node, is_write_only


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
