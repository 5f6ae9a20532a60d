"""The plan's fast path (`same_config`) never hides a difference hier_config would act on.

Over the IOS corpus (26 real IOS 15.2 configs) and mutations of them drawn by hypothesis:

- sound: whenever the fast path says "same", hier_config's remediation is empty, both ways;
- useful: what a device does to a config it holds (its own order of sections and of lines
  in a section, its spacing, the lines hier_config drops) still takes the fast path;
- order where hier_config sees order: swapped ACL entries or banner lines are a difference
  for both.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rollout.drivers import ios_rules
from rollout.drivers.cisco_ios import compared, ios_plan, remediation
from rollout.drivers.ios_same import rules, same_config

CORPUS = Path(__file__).resolve().parents[1] / "data" / "ios-corpus"
TEXTS = [ios_rules.clean(p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*/*.cfg"))]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Mutation = Callable[[list[str], random.Random], list[str]]


def blocks(lines: list[str]) -> list[list[str]]:
    """Top-level sections: a line at indent 0 and the indented lines under it."""
    out: list[list[str]] = []
    for line in lines:
        if line.startswith(" ") and out:
            out[-1].append(line)
        else:
            out.append([line])
    return out


def groups(block: list[str]) -> list[list[str]]:
    """A section's children, each with the deeper lines under it."""
    out: list[list[str]] = []
    for line in block[1:]:
        if line.startswith("  ") and out:
            out[-1].append(line)
        else:
            out.append([line])
    return out


# -- what a device does to a config it holds: never a difference -------------------------------


def reorder_sections(lines: list[str], rnd: random.Random) -> list[str]:
    parts = blocks(lines)
    rnd.shuffle(parts)
    return [line for part in parts for line in part]


def reorder_children(lines: list[str], rnd: random.Random) -> list[str]:
    out: list[str] = []
    for part in blocks(lines):
        kids = groups(part)
        # An access list's entries are ordered (first match): never shuffled, whatever spaces
        # another mutation put into its header.
        if not " ".join(part[0].split()).startswith(("ip access-list ", "ipv6 access-list ")):
            rnd.shuffle(kids)
        out += [part[0], *(line for kid in kids for line in kid)]
    return out


def respace(lines: list[str], rnd: random.Random) -> list[str]:
    """More spaces between words and at the end of a line (the indentation is kept)."""
    out = list(lines)
    i = rnd.randrange(len(out))
    body = out[i].lstrip(" ")
    words = body.split(" ")
    if len(words) > 1:
        j = rnd.randrange(1, len(words))
        words[j] = (" " * rnd.randint(1, 3)) + words[j]
    out[i] = out[i][: len(out[i]) - len(body)] + " ".join(words) + " " * rnd.randint(0, 2)
    return out


def dropped_by_hier_config(lines: list[str], rnd: random.Random) -> list[str]:
    """Lines hier_config's IOS rules remove (' no ip address' under an interface, ...)."""
    out = list(lines)
    for i in sorted(rnd.sample(range(len(out) + 1), 2), reverse=True):
        extra = rnd.choice(
            [" no ip address", " logging event link-status", " ipv6 unreachables disable"]
        )
        if i and out[i - 1].startswith("interface "):
            out.insert(i, extra)
    return out


HARMLESS: list[Mutation] = [reorder_sections, reorder_children, respace, dropped_by_hier_config]


# -- real differences, and shapes only hier_config may judge ------------------------------------


def delete_line(lines: list[str], rnd: random.Random) -> list[str]:
    out = list(lines)
    del out[rnd.randrange(len(out))]
    return out


def change_line(lines: list[str], rnd: random.Random) -> list[str]:
    out = list(lines)
    i = rnd.randrange(len(out))
    out[i] = out[i] + rnd.choice([" 1", " x", "0"])
    return out


def duplicate_line(lines: list[str], rnd: random.Random) -> list[str]:
    out = list(lines)
    i = rnd.randrange(len(out))
    out.insert(i, out[i])
    return out


def move_child(lines: list[str], rnd: random.Random) -> list[str]:
    """A child line moved into another section (same line, other parent)."""
    out = list(lines)
    children = [
        i for i, line in enumerate(out) if line.startswith(" ") and not line.startswith("  ")
    ]
    headers = [i for i, line in enumerate(out) if not line.startswith(" ")]
    if not children or not headers:
        return out
    line = out.pop(rnd.choice(children))
    out.insert(rnd.choice(headers) + 1 if headers[-1] < len(out) else len(out), line)
    return out


def reindent(lines: list[str], rnd: random.Random) -> list[str]:
    out = list(lines)
    i = rnd.randrange(len(out))
    out[i] = out[i][1:] if out[i].startswith(" ") and rnd.random() < 0.5 else " " + out[i]
    return out


def swap_acl_entries(lines: list[str], rnd: random.Random) -> list[str]:
    out = list(lines)
    pairs = [
        i
        for i in range(len(out) - 1)
        if re.match(r"^ (permit|deny)", out[i]) and re.match(r"^ (permit|deny)", out[i + 1])
    ]
    if pairs:
        i = rnd.choice(pairs)
        out[i], out[i + 1] = out[i + 1], out[i]
    return out


def add_exit(lines: list[str], rnd: random.Random) -> list[str]:
    out = list(lines)
    out.insert(rnd.randrange(len(out) + 1), rnd.choice([" exit", "exit", " exit-address-family"]))
    return out


def add_banner(lines: list[str], rnd: random.Random) -> list[str]:
    out = list(lines)
    body = rnd.choice([["hello", "world"], ["world", "hello"], ["^C"], []])
    at = rnd.choice([i for i, line in enumerate(out) if not line.startswith(" ")] + [len(out)])
    out[at:at] = ["banner motd ^C", *body, "^C"][: rnd.choice([2, 3, 4, 5])]
    return out


def add_remark(lines: list[str], rnd: random.Random) -> list[str]:
    out = list(lines)
    acls = [i for i, line in enumerate(out) if line.startswith("ip access-list ")]
    if acls:
        out.insert(rnd.choice(acls) + 1, " remark reviewed")
    return out


def vlan_list(lines: list[str], rnd: random.Random) -> list[str]:
    return [*lines, rnd.choice(["vlan 10,20", "vlan 10", "vlan 20", "vlan 5-6"])]


ANY: list[Mutation] = [
    *HARMLESS,
    delete_line,
    change_line,
    duplicate_line,
    move_child,
    reindent,
    swap_acl_entries,
    add_exit,
    add_banner,
    add_remark,
    vlan_list,
]


def mutate(text: str, seed: int, chosen: list[Mutation]) -> str:
    rnd = random.Random(seed)
    lines = text.splitlines()
    for mutation in chosen:
        if lines:
            lines = mutation(lines, rnd)
    return "\n".join(lines) + "\n"


def full(running: str, intended: str) -> list[str]:
    """The plan without the fast path: hier_config's remediation."""
    return remediation(running, intended, intended)


def test_the_fast_path_is_in_use() -> None:
    """With this hier_config, every rule the fast path must mirror is known to it."""
    assert rules() is not None


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_the_same_text_takes_the_fast_path(text: str) -> None:
    assert same_config(text, text)
    assert ios_plan("dut", text, text).commands == ()


@SETTINGS
@given(
    index=st.integers(0, len(TEXTS) - 1),
    seed=st.integers(0, 2**32),
    chosen=st.lists(st.sampled_from(ANY), min_size=1, max_size=3),
)
def test_fast_path_same_means_hier_config_sends_nothing(
    index: int, seed: int, chosen: list[Mutation]
) -> None:
    a = TEXTS[index]
    b = mutate(a, seed, chosen)
    if same_config(a, b):
        assert same_config(b, a)
        try:
            forth, back = full(a, b), full(b, a)
        except Exception as exc:  # hier_config refuses the text: the fast path must not accept it
            pytest.fail(f"fast path accepted a text hier_config refuses: {exc!r}")
        assert forth == [], (forth, [m.__name__ for m in chosen])
        assert back == [], (back, [m.__name__ for m in chosen])


@SETTINGS
@given(
    index=st.integers(0, len(TEXTS) - 1),
    seed=st.integers(0, 2**32),
    chosen=st.lists(st.sampled_from(HARMLESS), min_size=1, max_size=4),
)
def test_what_a_device_does_to_its_config_takes_the_fast_path(
    index: int, seed: int, chosen: list[Mutation]
) -> None:
    a = TEXTS[index]
    b = mutate(a, seed, chosen)
    assert full(b, a) == []
    assert same_config(b, a), [m.__name__ for m in chosen]


@pytest.mark.parametrize("index", [i for i, t in enumerate(TEXTS) if "\nip access-list " in t])
def test_reordered_acl_entries_are_a_difference_for_both(index: int) -> None:
    a = TEXTS[index]
    lines = a.splitlines()
    entries = [
        i
        for i in range(len(lines) - 1)
        if re.match(r"^ (permit|deny)", lines[i])
        and re.match(r"^ (permit|deny)", lines[i + 1])
        and lines[i] != lines[i + 1]
    ]
    i = entries[0]
    lines[i], lines[i + 1] = lines[i + 1], lines[i]
    b = "\n".join(lines) + "\n"
    assert not same_config(b, a)
    assert full(b, a) != []


def test_banner_lines_are_one_ordered_child() -> None:
    base = (
        "hostname r1\nbanner motd ^C\nhello\nworld\n^C\n"
        "interface Loopback0\n ip address 10.0.0.1 255.255.255.255\n"
    )
    swapped = base.replace("hello\nworld", "world\nhello")
    moved = "banner motd ^C\nhello\nworld\n^C\n" + base.replace(
        "banner motd ^C\nhello\nworld\n^C\n", ""
    )
    assert not same_config(swapped, base)
    assert full(swapped, base) != []
    assert same_config(moved, base)
    assert full(moved, base) == []
    assert not same_config("hostname r1\nbanner motd ^C\nnever closed\n", "hostname r1\n")


def test_what_only_hier_config_judges_goes_to_hier_config() -> None:
    """Duplicates, exit lines: the fast path does not answer, whatever hier_config says."""
    text = "hostname r1\ninterface Loopback0\n description x\n"
    assert not same_config(text + "hostname r1\n", text)
    assert not same_config(text + " exit\n", text)
    assert not same_config(text, text.replace(" description x", " description  x\n exit"))
    # hier_config drops an exit line only when it is a section's last line: order matters.
    last = "interface Loopback0\n description x\n shutdown\n exit\n"
    inside = "interface Loopback0\n description x\n exit\n shutdown\n"
    assert full(inside, last) != []
    assert not same_config(inside, last)


# -- over what the planner really compares: merged, canonical, scoped texts -------------------

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ios"
GOLDEN = Path(__file__).resolve().parents[1] / "golden"
DAY0 = {p.stem: p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.cfg"))}
INTENTS = {p.stem: p.read_text(encoding="utf-8") for p in sorted(GOLDEN.glob("*/*.cfg"))}


@pytest.mark.parametrize("day0", sorted(DAY0))
@pytest.mark.parametrize("intent", sorted(INTENTS))
def test_fast_path_agrees_with_hier_config_over_scope_and_canon(day0: str, intent: str) -> None:
    """Day-0 and converged devices: same_config says "same" exactly when hier_config does."""
    intended = INTENTS[intent]
    for running in (DAY0[day0], intended + DAY0[day0].split("\nend", 1)[0]):
        c = compared("dut", running, intended)
        sent = remediation(c.running, c.intended, intended)
        assert same_config(c.running, c.intended) == (sent == []), sent[:5]
