"""Cisco IOS 15.x command rules: the grammar files as the tables the interpreter reads.

The data (with its sources) lives in :mod:`rollout.lab.ios.grammar`; this module names its
tables and adds the lookups derived from them. The interpreter in :mod:`rollout.lab.ios.editor`
is generic over these tables.
"""

from __future__ import annotations

from rollout.lab.ios.grammar import GRAMMAR
from rollout.lab.ios.grammar.model import (
    Confirmed,
    DefaultArguments,
    KeyRule,
    ModeInfo,
    Opener,
    TrainForm,
)
from rollout.lab.ios.names import canonical_interface, interface_type
from rollout.lab.ios.syntax import Syntax, compile_syntax, complete_keyword

_MODES, _LINES, _LAYOUT = GRAMMAR.modes, GRAMMAR.lines, GRAMMAR.layout

# --------------------------------------------------------------------------- modes

ROOT_MODE = _MODES.root
MODES: dict[str, ModeInfo] = _MODES.modes
OPENERS: dict[str, tuple[Opener, ...]] = _MODES.openers
AF_UNICAST_SHOWN: tuple[tuple[str, ...], ...] = _MODES.af_unicast_shown
SYNTAX: dict[str, Syntax] = {m: compile_syntax(lines) for m, lines in _MODES.syntax.items()}

# ------------------------------------------------------------- lines kept and shown

KEYED: dict[str, tuple[KeyRule, ...]] = _LINES.keyed
NEGATION_SHOWN: dict[str, dict[tuple[str, ...], str]] = _LINES.negation_shown
REWRITES: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = _LINES.rewrites
TRAIN_FORMS: tuple[TrainForm, ...] = _LINES.train_forms
OLD_FORM_TRAINS: frozenset[tuple[str, str]] = _LINES.old_form_trains
NUMBERED_ACL_TRAINS: frozenset[tuple[str, str]] = _LINES.numbered_acl_trains
NUMBERED_ACL_SINCE: tuple[int, int] = min(
    (
        (int(v.split(".")[0]), int(v.split(".")[1]))
        for os, v in NUMBERED_ACL_TRAINS
        if os == "iosxe"
    ),
    default=(99, 0),
)
"""The first IOS-XE release of NUMBERED_ACL_TRAINS: a loaded config whose `version` line names
it or a later one shows numbered ACL entries (editor.load_config; later releases unconfirmed)."""
POSITIVE_SHOWN_HIDES_NEGATION: dict[str, frozenset[str]] = _LINES.positive_shown_hides_negation
WRITE_ONLY: dict[str, tuple[tuple[str, ...], ...]] = _LINES.write_only
DEFAULT_ARGUMENTS: tuple[DefaultArguments, ...] = _LINES.default_arguments
CONFIRMED_NEGATIONS: tuple[Confirmed, ...] = _LINES.confirmed_negations
SECTION_DEFAULTS: dict[str, tuple[str, ...]] = _LINES.section_defaults
PHYSICAL_DEFAULTS: dict[str, tuple[str, ...]] = _LINES.physical_defaults


def _hidden_defaults() -> dict[str, frozenset[str]]:
    """Rows of ``config-ip-sla`` hold for every IP SLA operation, ``config-if`` for sub-ifs."""
    out: dict[str, frozenset[str]] = {}
    for mode in MODES:
        base = "config-ip-sla" if mode.startswith("config-ip-sla") else mode
        base = "config-if" if mode == "config-subif" else base
        rows = frozenset(row.line for row in _LINES.hidden_defaults if row.mode == base)
        if rows:
            out[mode] = rows
    return out


HIDDEN_DEFAULTS: dict[str, frozenset[str]] = _hidden_defaults()


def hidden_default(mode: str, text: str) -> bool:
    """True when ``text`` sets a default IOS does not show in ``mode``."""
    return text in HIDDEN_DEFAULTS.get(mode, frozenset())


def physical_defaults(name: str) -> tuple[str, ...]:
    return PHYSICAL_DEFAULTS.get(interface_type(name), PHYSICAL_DEFAULTS[""])


# ---------------------------------------------------------------- interfaces

INTERFACE_TYPES: tuple[tuple[str, int, bool], ...] = _LAYOUT.interface_types
INTERFACE_RANK = {n: r for n, r, _p in INTERFACE_TYPES}
PHYSICAL_TYPES = frozenset(n for n, _r, p in INTERFACE_TYPES if p)
INTERFACE_ABBREVIATIONS: dict[str, str] = _LAYOUT.interface_abbreviations
INTERFACE_ARGUMENT_KEYWORDS: frozenset[str] = _LAYOUT.interface_argument_keywords
SHORT_NAME_COMMANDS: tuple[tuple[str, ...], ...] = _LAYOUT.short_name_commands

# ----------------------------------------------------------------- ordering

TOP_ORDER: tuple[tuple[str, int], ...] = _LAYOUT.top_order
TOP_RANK: dict[tuple[str, ...], int] = {tuple(p.split()): r for p, r in TOP_ORDER}
TOP_INDENT: dict[str, str] = _LINES.top_indent
TOP_SUBRANK: dict[str, int] = _LAYOUT.top_subrank
DEFAULT_TOP_RANK = _LAYOUT.default_top_rank
GROUPED_SECTIONS: frozenset[tuple[str, ...]] = _LAYOUT.grouped_sections
CHILD_ORDER: dict[str, dict[tuple[str, ...], int]] = _LAYOUT.child_order
CHILD_SECTION_SEPARATOR: frozenset[str] = _LAYOUT.child_section_separator
CHILD_SECTIONS_FIRST: frozenset[str] = _LAYOUT.child_sections_first

# ------------------------------------------------------------------- exec

EXEC_KEYWORDS: tuple[str, ...] = _LAYOUT.exec_keywords
USER_EXEC_KEYWORDS: tuple[str, ...] = _LAYOUT.user_exec_keywords
SHOW_KEYWORDS: tuple[str, ...] = _LAYOUT.show_keywords
SHOW_IP_KEYWORDS: tuple[str, ...] = _LAYOUT.show_ip_keywords

__all__ = [
    "Confirmed",
    "DefaultArguments",
    "KeyRule",
    "ModeInfo",
    "Opener",
    "Syntax",
    "TrainForm",
    "canonical_interface",
    "complete_keyword",
    "interface_type",
]


LEARNED_MODE = "config-learned"
"""Sub-mode of a top-level command a loaded running config showed lines indented under, when
the grammar knows no sub-mode for it: the device evidently opened one (modes.yaml)."""
