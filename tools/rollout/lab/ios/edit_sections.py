"""Sections opened or removed in configuration mode (interfaces, routers, lists...)."""

from __future__ import annotations

from rollout.lab.ios import rules
from rollout.lab.ios.config import (
    Node,
    child_order,
    default_children,
    insert_node,
    is_physical,
    top_order,
)
from rollout.lab.ios.edit_lines import set_line
from rollout.lab.ios.edit_state import EditState, Frame, RawText
from rollout.lab.ios.match import find_key_rule, key_of, pattern_match
from rollout.lab.ios.outcome import PHYSICAL_DELETE_MESSAGE, SLA_RUNNING_MESSAGE, Outcome
from rollout.lab.ios.rules import Confirmed, Opener


def open_section(
    ed: EditState, frame: Frame, opener: Opener, canon: list[str], negate: bool
) -> Outcome:
    """A command that opens (or, negated, removes) a section; later lines go into it."""
    parent = frame.node
    if opener.flat:
        out = set_line(ed, frame, canon, negate, False)
        if not negate:
            ed.stack.append(Frame(opener.mode, parent))
        return out
    header = section_header(canon, parent.text)
    siblings = parent.children
    assert siblings is not None
    if negate:
        confirm = confirmed_negation(canon)
        if confirm is not None and not ed.learn:
            return _remove_confirmed(ed, parent, header, canon, confirm)
        return remove_section(ed, parent, header, canon)
    node = next((c for c in siblings if c.text == header and c.mode is not None), None)
    if node is None:
        msg = _refuse_new_section(ed, parent, canon)
        if msg:
            return Outcome(output=msg)
        rule = find_key_rule(frame.mode, canon)
        if rule is not None:
            key = key_of(rule, canon)
            node = next((c for c in siblings if c.mode and key_of(rule, c.tokens()) == key), None)
            if node is not None:
                node.text = header
                ed.touch()
    elif canon[:2] == ["ip", "sla"] and _sla_scheduled(ed, canon[2]):
        return Outcome(output=SLA_RUNNING_MESSAGE)
    if node is None:
        node = Node(header, opener.mode)
        node.order = (
            top_order(canon, ed.tree.port_order)
            if parent is ed.tree.root
            else child_order(frame.mode, canon, True)
        )
        if canon[0] == "interface" and "." not in canon[1] and not ed.learn:
            # A loaded file shows every line of the section itself.
            node.children = default_children(rules.SECTION_DEFAULTS["interface"], opener.mode)
        insert_node(parent, node, frame.mode)
        ed.touch()
    ed.stack.append(Frame(opener.mode, node))
    if opener.raw_until:
        ed.raw = RawText(node, opener.raw_until, banner=False)
    return Outcome()


def _remove_confirmed(
    ed: EditState, parent: Node, header: str, canon: list[str], confirm: Confirmed
) -> Outcome:
    """IOS asks before it destroys what the section holds (a trustpoint's certificates)."""
    held = confirm.holds.format(canon[len(confirm.pattern) - 1])
    siblings = parent.children
    assert siblings is not None
    victim = next((c for c in siblings if c.text == held), None)
    if victim is None:
        return remove_section(ed, parent, header, canon)

    def answer(reply: str) -> Outcome:
        if reply.strip().lower() not in {"yes", "y"}:
            return Outcome()
        siblings[:] = [c for c in siblings if c is not victim]
        remove_section(ed, parent, header, canon)
        ed.touch()
        return Outcome(output=confirm.done)

    return Outcome(output=confirm.warning, ask=confirm.question, answer=answer)


def _refuse_new_section(ed: EditState, parent: Node, canon: list[str]) -> str:
    if parent is ed.tree.root and canon[:1] == ["router"] and canon[1:2] == ["bgp"]:
        running = ed.tree.find("router", "bgp")
        if running is not None:
            return f"% BGP is already running; AS is {running.text.split()[2]}"
    return ""


def _sla_scheduled(ed: EditState, number: str) -> bool:
    return ed.tree.find("ip", "sla", "schedule", number) is not None


def remove_section(ed: EditState, parent: Node, header: str, canon: list[str]) -> Outcome:
    """``no <section>``: a physical port is reset to its defaults, anything else goes."""
    siblings = parent.children
    assert siblings is not None
    if canon[0] == "interface" and is_physical(canon[1]):
        node = next((c for c in siblings if c.text == header), None)
        if node is not None:
            node.children = default_children(ed.tree.physical_defaults(canon[1]), "config-if")
            ed.touch()
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
            node = ed.tree.find("ip", "sla", extra, canon[2])
            if node is not None:
                ed.tree.root.children.remove(node)  # type: ignore[union-attr]
    ed.touch()
    return Outcome()


def confirmed_negation(canon: list[str]) -> Confirmed | None:
    for row in rules.CONFIRMED_NEGATIONS:
        if len(canon) == len(row.pattern) and pattern_match(row.pattern, canon):
            return row
    return None


def section_header(canon: list[str], parent: str = "") -> str:
    first = canon[0]
    if first == "route-map":
        if len(canon) == 2:
            canon = [*canon, "permit", "10"]
        elif len(canon) == 3:
            canon = [*canon, "10"]
    elif first == "class-map" and len(canon) == 2:
        canon = [canon[0], "match-all", canon[1]]
    elif first == "address-family" and len(canon) > 1:
        keep = any(pattern_match(p, parent.split()) for p in rules.AF_UNICAST_SHOWN)
        if canon[2:3] == ["unicast"] and not keep:
            canon = [*canon[:2], *canon[3:]]
        elif keep and canon[2:3] not in (["unicast"], ["multicast"]):
            canon = [*canon[:2], "unicast", *canon[2:]]
    return " ".join(canon)
