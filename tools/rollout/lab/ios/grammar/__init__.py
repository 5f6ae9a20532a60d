"""The Cisco IOS 15.x / IOS-XE grammar of the twin, as data files loaded once.

The YAML files next to this module say which first keywords each configuration mode accepts
(``syntax.yaml``), which commands open a sub-mode and its prompt (``modes.yaml``,
``openers.yaml``), which commands hold a single value per key (``keys.yaml``), which negated
forms and spellings IOS shows (``shown.yaml``), which defaults it hides or adds
(``defaults.yaml``), interface names (``interfaces.yaml``), the order of the running
configuration (``order.yaml``) and the exec keywords (``exec.yaml``). Every entry taken from
a device output or a manual carries its ``source``. A malformed file stops the import with a
:class:`~rollout.lab.ios.grammar.read.GrammarError` naming the file and the entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from rollout.lab.ios.grammar.layout import Layout, load_layout
from rollout.lab.ios.grammar.lines import Lines, load_lines
from rollout.lab.ios.grammar.modes import Modes, load_modes
from rollout.lab.ios.grammar.read import GrammarError


@dataclass(frozen=True, slots=True)
class Grammar:
    modes: Modes
    lines: Lines
    layout: Layout


def load_grammar() -> Grammar:
    modes = load_modes()
    return Grammar(modes, load_lines(modes.modes), load_layout(modes.modes))


GRAMMAR = load_grammar()

__all__ = ["GRAMMAR", "Grammar", "GrammarError", "load_grammar"]
