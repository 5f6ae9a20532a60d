"""Raw text typed in configuration mode: banner bodies and certificate data."""

from __future__ import annotations

from rollout.lab.ios import rules
from rollout.lab.ios.config import Node, insert_node, top_order
from rollout.lab.ios.edit_state import EditState, RawText
from rollout.lab.ios.outcome import INCOMPLETE, Outcome


def banner(ed: EditState, toks: list[str], negate: bool) -> Outcome:
    kind = toks[1]
    header = f"banner {kind}"
    children = ed.tree.root.children
    assert children is not None
    children[:] = [c for c in children if c.text != header]
    if negate:
        ed.touch()
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
    insert_node(ed.tree.root, node, rules.ROOT_MODE)
    ed.touch()
    if delim in rest:
        node.body = rest.split(delim, 1)[0]
        return Outcome()
    ed.raw = RawText(node, delim, banner=True, lines=[rest] if rest else [""])
    return Outcome(output=f"Enter TEXT message.  End with the character '{delim}'.")


def feed_raw(ed: EditState, line: str) -> Outcome:
    raw = ed.raw
    assert raw is not None
    if raw.banner:
        if raw.until in line:
            raw.lines.append(line.split(raw.until, 1)[0])
            raw.node.body = "\n".join(raw.lines)
            ed.raw = None
            return Outcome()
        raw.lines.append(line)
        return Outcome()
    word = line.strip()
    children = raw.node.children
    assert children is not None
    children.append(Node(word))
    if word == raw.until:
        ed.raw = None
        ed.stack.pop()
    ed.touch()
    return Outcome()
