"""Is a cleaned IOS running config the same as the intended one, as hier_config would see it?

Planning builds two hier_config trees and their remediation: ~6 ms per device, most of a
drift run's own work when the fleet is converged (the nightly case). `same_config` answers
the question those trees answer when nothing differs, for a fraction of the cost, by parsing
each text the way hier_config's loader does (banners, indentation, whitespace, the driver's
own per-line substitutions) into the set of paths of its tree:

- children are compared as sets, as hier_config's remediation does, except under
  ``ip access-list``/``ipv6 access-list``, whose entries hier_config numbers by position
  (`_add_acl_sequence_numbers`): there a child's path holds its position, so reordered
  entries differ;
- a banner is one child holding its whole text, as in hier_config;
- whatever hier_config treats in a way this parse does not mirror makes it answer False
  (the caller then plans with hier_config): duplicate lines in a section (hier_config
  refuses or keeps them), sectional exit lines (it deletes them only when last), an
  unterminated banner, a driver with rules or load callbacks not known here.

True therefore means "hier_config finds nothing to send"; False means only "ask hier_config"
(tests/drivers/test_ios_same.py checks both over the IOS corpus).
"""

from __future__ import annotations

import re
import threading
from contextlib import suppress
from dataclasses import dataclass
from functools import cache

ORDERED = ("ip access-list ", "ipv6 access-list ")
"""Sections whose entries hier_config compares by position."""

KNOWN_CALLBACKS = frozenset(
    {
        "_rm_ipv6_acl_sequence_numbers",  # per entry
        "_remove_ipv4_acl_remarks",  # per entry (kept here: stricter)
        "_add_acl_sequence_numbers",  # by position: ORDERED
        "split_vlan_id_lists",  # a function of the set of root children
    }
)
"""hier_config's IOS load callbacks this module accounts for; any other disables it."""

TreePath = tuple[str | tuple[int, str], ...]


@dataclass(frozen=True)
class Rules:
    subs: tuple[tuple[re.Pattern[str], str], ...]
    any_sub: re.Pattern[str]
    exits: frozenset[str]


class _Node:
    __slots__ = ("children", "indent", "ordered", "parent", "path")

    def __init__(self, path: TreePath, indent: int, parent: _Node | None, text: str) -> None:
        self.path = path
        self.indent = indent
        self.parent = parent
        self.ordered = text.startswith(ORDERED)
        self.children: set[str] = set()


_RULES_LOCK = threading.Lock()


def rules() -> Rules | None:
    """hier_config's IOS rules this parse needs, or None when it cannot mirror them."""
    with _RULES_LOCK:  # once, not once per thread of a pool that starts at the same moment
        return _rules()


@cache
def _rules() -> Rules | None:
    from hier_config import Platform as HPlatform
    from hier_config import get_hconfig_driver
    from hier_config.platforms.driver_base import HConfigDriverBase

    driver = get_hconfig_driver(HPlatform.CISCO_IOS)
    found = driver.rules
    callbacks = {getattr(c, "__name__", "") for c in found.post_load_callbacks}
    if (
        found.full_text_sub
        or found.indent_adjust
        or not callbacks <= KNOWN_CALLBACKS
        or type(driver).config_preprocessor is not HConfigDriverBase.config_preprocessor
    ):
        return None
    patterns = [rule.search for rule in found.per_line_sub]
    return Rules(
        subs=tuple((re.compile(rule.search), rule.replace) for rule in found.per_line_sub),
        # A line that no rule matches is left as it is: test all rules at once first.
        any_sub=re.compile("|".join(f"(?:{p})" for p in patterns) if patterns else "(?!)"),
        exits=frozenset({"exit", *(r.exit_text for r in found.sectional_exiting)}),
    )


def shape(text: str, found: Rules) -> frozenset[TreePath] | None:
    """The paths of hier_config's tree of text (before its load callbacks), or None."""
    root = _Node((), -1, None, "")
    paths: set[TreePath] = set()
    section = recent = root
    banner: list[str] = []
    banner_end_lines = {"EOF", "%", "!"}
    banner_end_contains: list[str] = []

    def add(parent: _Node, text: str, indent: int) -> _Node | None:
        if text in parent.children or text in found.exits:
            return None
        key: str | tuple[int, str] = (len(parent.children), text) if parent.ordered else text
        parent.children.add(text)
        node = _Node((*parent.path, key), indent, parent, text)
        paths.add(node.path)
        return node

    for line in text.splitlines():
        if banner:  # hier_config's banner handling, end tests included
            if line != "!":
                banner.append(line)
            if (
                line.startswith("^")
                or line in banner_end_lines
                or any(c in line for c in banner_end_contains)
            ):
                node = add(root, "\n".join(banner).strip(), 0)
                if node is None:
                    return None
                section, recent, banner = root, node, []
            continue
        if line.startswith("banner ") and line != "banner motd ##":
            banner.append(line)
            words = line.split()
            with suppress(IndexError):
                banner_end_contains.append(words[2])
                if words[2].startswith('"'):
                    banner_end_contains.append('"')
                banner_end_lines.add(words[2][:1])
                banner_end_lines.add(words[2][:2])
            continue
        indent = len(line) - len(line.lstrip())
        normal = " " * indent + " ".join(line.split())
        if found.any_sub.search(normal):
            for pattern, replace in found.subs:
                normal = pattern.sub(replace, normal)
        normal = normal.rstrip()
        if not normal:
            continue
        child = normal.lstrip()
        indent = len(normal) - len(child)
        while section.parent is not None and indent <= section.indent:
            section = section.parent
        if indent > recent.indent:
            section = recent
        node = add(section, child, indent)
        if node is None:
            return None
        recent = node
    if banner:
        return None  # hier_config raises: let it say so
    return frozenset(paths)


def same_config(running: str, intended: str) -> bool:
    """True when hier_config would find nothing to send (both texts already cleaned)."""
    found = rules()
    if found is None:
        return False
    have = shape(running, found)
    return have is not None and have == shape(intended, found)
