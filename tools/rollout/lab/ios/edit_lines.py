"""A configuration line set or negated in a section: single values, kept negations."""

from __future__ import annotations

from rollout.lab.ios import rules
from rollout.lab.ios.config import Node, child_order, insert_node, top_order
from rollout.lab.ios.edit_lists import acl_line, prefix_list_seq, remove_numbered_acl
from rollout.lab.ios.edit_state import EditState, Frame
from rollout.lab.ios.edit_text import banner
from rollout.lab.ios.match import find_key_rule, key_of, pattern_match, strip_no
from rollout.lab.ios.outcome import Outcome
from rollout.lab.ios.rules import KeyRule


def set_line(ed: EditState, frame: Frame, toks: list[str], negate: bool, default: bool) -> Outcome:
    """A line typed in a section: set, replace (single-valued), merge or negate it."""
    mode = frame.mode
    section = frame.node
    info = rules.MODES[mode]
    if info.sequenced:
        return acl_line(ed, section, toks, negate or default)
    if toks[0] == "banner" and len(toks) >= 2 and section is ed.tree.root:
        return banner(ed, toks, negate or default)
    if section is ed.tree.root:
        if toks[0] == "ip" and toks[1:2] == ["prefix-list"]:
            toks = prefix_list_seq(ed, toks)
        if toks[0] == "access-list" and (negate or default):
            return remove_numbered_acl(ed, toks)
    children = section.children
    assert children is not None
    text = " ".join(toks)
    rule = find_key_rule(mode, toks)
    if negate or default:
        display = _negation_display(ed, mode, rule, toks, children) if negate else None
        shown = display is not None
        if rule is not None:
            key = key_of(rule, toks)
            slot = _slot(children, rule, key)
            if rule.merge and negate and slot is not None and len(toks) > len(rule.key):
                values = [
                    v for v in slot.tokens()[len(rule.key) :] if v not in toks[len(rule.key) :]
                ]
                if values:
                    slot.text = " ".join([*key, *values])
                else:
                    children.remove(slot)
                ed.touch()
            elif shown:
                new = f"no {display}"
                if slot is None:
                    insert_node(section, _make(ed, new, mode, section), mode)
                    ed.touch()
                elif slot.text != new:
                    slot.text = new
                    ed.touch()
            elif slot is not None:
                children.remove(slot)
                ed.touch()
            return Outcome()
        if shown:
            new = f"no {display}"
            if not any(c.text == new for c in children):
                children[:] = [c for c in children if c.text != text]
                insert_node(section, _make(ed, new, mode, section), mode)
                ed.touch()
            return Outcome()
        before = len(children)
        children[:] = [c for c in children if c.text != text]
        if len(children) == before:
            prefix = text + " "
            children[:] = [
                c for c in children if not (c.children is None and c.text.startswith(prefix))
            ]
        if len(children) != before:
            ed.touch()
        return Outcome()
    # positive form
    if ed.learn and text in rules.POSITIVE_SHOWN_HIDES_NEGATION.get(mode, ()):
        ed.tree.hidden_negations.add((mode, text))
    if rules.hidden_default(mode, text):
        if rule is not None:
            slot = _slot(children, rule, key_of(rule, toks))
            if slot is not None:
                children.remove(slot)
                ed.touch()
        return Outcome()
    if rule is not None:
        key = key_of(rule, toks)
        slot = _slot(children, rule, key)
        if slot is None:
            insert_node(section, _make(ed, text, mode, section), mode)
            ed.touch()
        elif rule.merge and not slot.text.startswith("no "):
            values = slot.tokens()[len(rule.key) :]
            new_values = [v for v in toks[len(rule.key) :] if v not in values]
            if new_values:
                slot.text = " ".join([*key, *values, *new_values])
                ed.touch()
        elif slot.text != text:
            slot.text = text
            ed.touch()
        return Outcome()
    if any(c.text == text for c in children):
        return Outcome()
    negated = "no " + text
    if not ed.learn and any(c.text == negated for c in children):
        # IOS shows what differs from the default: a shown `no X` means X is the default, so
        # typing X restores it and shows nothing (` no watchdog` -> `watchdog` under
        # `voice-card`; `no ip igmp snooping vlan 40` -> `ip igmp snooping vlan 40`, C9200L
        # 17.12, tests/data/ios-public/cat9200l-4x/csbc-CM-S6-H001.cfg).
        children[:] = [c for c in children if c.text != negated]
        ed.touch()
        return Outcome()
    insert_node(section, _make(ed, text, mode, section), mode)
    ed.touch()
    return Outcome()


def _negation_display(
    ed: EditState, mode: str, rule: KeyRule | None, toks: list[str], children: list[Node]
) -> str | None:
    """The text IOS shows after ``no`` for this negation, or None when it shows nothing."""
    table = rules.NEGATION_SHOWN.get(mode, {})
    key = key_of(rule, toks) if rule is not None else tuple(toks)
    if (mode, " ".join(key)) in ed.tree.hidden_negations:
        return None
    display = table.get(key)
    if display is not None:
        return display
    learned = ed.tree.learned_negations.get((mode, " ".join(key)))
    if learned is not None:
        return learned
    if ed.learn and not _exists(ed, children, rule, toks):
        # A loaded config shows this negation, so this IOS keeps it.
        text = " ".join(toks)
        ed.tree.learned_negations[(mode, " ".join(key))] = text
        return text
    if (rules.MODES[mode].lenient or (mode == rules.ROOT_MODE and rule is None)) and not _exists(
        ed, children, rule, toks
    ):
        # A negation with nothing to remove turns off a setting that is on by default, and IOS
        # shows it: in a section the twin does not model (` no watchdog` under `voice-card`,
        # tests/data/ios-public/isr4331/cnam-Router-28.cfg; `  no destination transport-method
        # email` under a call-home profile, ISR4321 16.x running config, code index id
        # 24202080185) and at the top level for a command without a slot of its own (`no
        # license smart enable` on an ISR4221 16.9, isr4221/fls-R1.cfg; `no cdp log mismatch
        # duplex`, `no scheduler allocate` on IOSv 15.x, ios15-router/*.cfg).
        return " ".join(toks)
    return None


def _exists(ed: EditState, children: list[Node], rule: KeyRule | None, toks: list[str]) -> bool:
    if rule is not None:
        return _slot(children, rule, key_of(rule, toks)) is not None
    text = " ".join(toks)
    return any(c.text == text or c.text.startswith(text + " ") for c in children)


def _slot(children: list[Node], rule: KeyRule, key: tuple[str, ...]) -> Node | None:
    for c in children:
        if c.children is not None:
            continue
        ct = strip_no(c.tokens())
        if pattern_match(rule.pattern, ct) and key_of(rule, ct) == key:
            return c
        if c.text.startswith("no ") and tuple(ct) == key:
            return c
    return None


def _make(ed: EditState, text: str, mode: str, section: Node) -> Node:
    toks = text.split()
    order = (
        top_order(toks, ed.tree.port_order)
        if section is ed.tree.root
        else child_order(mode, toks, False)
    )
    return Node(text, order=order)
