"""Numbered entries: named access-list lines, numbered ACLs, prefix-list sequences."""

from __future__ import annotations

from rollout.lab.ios.config import Node
from rollout.lab.ios.edit_state import EditState
from rollout.lab.ios.outcome import INCOMPLETE, Outcome


def prefix_list_seq(ed: EditState, toks: list[str]) -> list[str]:
    if len(toks) < 4 or toks[3] in {"seq", "description"} or toks[3] not in {"permit", "deny"}:
        return toks
    name = toks[2]
    seqs = [
        int(n.tokens()[4])
        for n in ed.tree.top(f"ip prefix-list {name} seq")
        if n.tokens()[4].isdigit()
    ]
    return [*toks[:3], "seq", str(max(seqs, default=0) + 5), *toks[3:]]


def remove_numbered_acl(ed: EditState, toks: list[str]) -> Outcome:
    # IOS deletes the whole numbered list, whatever entry is named after the number.
    if len(toks) < 2:
        return Outcome(error=INCOMPLETE)
    children = ed.tree.root.children
    assert children is not None
    prefix = f"access-list {toks[1]} "
    before = len(children)
    children[:] = [c for c in children if not c.text.startswith(prefix)]
    if len(children) != before:
        ed.touch()
    return Outcome()


def acl_line(ed: EditState, section: Node, toks: list[str], negate: bool) -> Outcome:
    children = section.children
    assert children is not None
    seq = int(toks[0]) if toks[0].isdigit() else 0
    body = " ".join(toks[1:] if seq else toks)
    if seq and ed.learn:
        # Only a train that shows sequence numbers writes them into its running config.
        ed.tree.numbered_acls = True
    if negate:
        before = len(children)
        if seq:
            children[:] = [c for c in children if c.seq != seq]
        else:
            children[:] = [c for c in children if c.text != body]
        if len(children) != before:
            ed.touch()
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
    ed.touch()
    return Outcome()
