"""Loading ``interfaces.yaml``, ``order.yaml`` and ``exec.yaml``: names, order, exec words."""

from __future__ import annotations

from dataclasses import dataclass

from rollout.lab.ios.grammar.model import ModeInfo
from rollout.lab.ios.grammar.modes import mode_name
from rollout.lab.ios.grammar.read import Entry, load


@dataclass(frozen=True, slots=True)
class Layout:
    interface_types: tuple[tuple[str, int, bool], ...]
    """(full name, sort rank in the running config, physical)."""
    interface_abbreviations: dict[str, str]
    interface_argument_keywords: frozenset[str]
    short_name_commands: tuple[tuple[str, ...], ...]
    top_order: tuple[tuple[str, int], ...]
    default_top_rank: int
    top_subrank: dict[str, int]
    grouped_sections: frozenset[tuple[str, ...]]
    child_order: dict[str, dict[tuple[str, ...], int]]
    child_section_separator: frozenset[str]
    child_sections_first: frozenset[str]
    exec_keywords: tuple[str, ...]
    user_exec_keywords: tuple[str, ...]
    show_keywords: tuple[str, ...]
    show_ip_keywords: tuple[str, ...]


def load_layout(modes: dict[str, ModeInfo]) -> Layout:
    names = load("interfaces.yaml").fields(
        ("types", "abbreviations", "argument_keywords"), ("short_name_commands",)
    )
    order = load("order.yaml").fields(
        (
            "top_order",
            "default_top_rank",
            "top_subrank",
            "grouped_sections",
            "child_order",
            "child_section_separator",
            "child_sections_first",
        )
    )
    short = names.get("short_name_commands")
    words = load("exec.yaml").fields(("exec", "user_exec", "show", "show_ip"))
    types: list[tuple[str, int, bool]] = []
    for row in names["types"].items():
        f = row.fields(("name", "rank", "physical"))
        types.append((f.text("name"), f["rank"].integer(), f.flag("physical")))
    abbreviations = names["abbreviations"].fields(("names",), ("source",))["names"].mapping()
    first = order["child_sections_first"].fields(("modes",), ("source",))["modes"]
    return Layout(
        interface_types=tuple(types),
        interface_abbreviations={k: v.text() for k, v in abbreviations.items()},
        interface_argument_keywords=frozenset(e.text() for e in names["argument_keywords"].items()),
        short_name_commands=tuple(e.words() for e in short.items()) if short else (),
        top_order=tuple(_rank(e) for e in order["top_order"].items()),
        default_top_rank=order["default_top_rank"].integer(),
        top_subrank={k: v.integer() for k, v in order["top_subrank"].mapping().items()},
        grouped_sections=frozenset(e.words() for e in order["grouped_sections"].items()),
        child_order=_child_order(order["child_order"], modes),
        child_section_separator=frozenset(
            mode_name(e, modes) for e in order["child_section_separator"].items()
        ),
        child_sections_first=frozenset(mode_name(e, modes) for e in first.items()),
        exec_keywords=_sorted_words(words["exec"]),
        user_exec_keywords=_sorted_words(words["user_exec"]),
        show_keywords=_sorted_words(words["show"]),
        show_ip_keywords=_sorted_words(words["show_ip"]),
    )


def _rank(entry: Entry) -> tuple[str, int]:
    f = entry.fields(("prefix", "rank"), ("source",))
    return " ".join(f["prefix"].words()), f["rank"].integer()


def _child_order(top: Entry, modes: dict[str, ModeInfo]) -> dict[str, dict[tuple[str, ...], int]]:
    out: dict[str, dict[tuple[str, ...], int]] = {}
    for mode, entry in top.mapping().items():
        mode_name(Entry(entry.file, entry.path, mode), modes)
        f = entry.fields((), ("ranks", "same_as", "source"))
        same, ranks = f.get("same_as"), f.get("ranks")
        if (same is None) == (ranks is None):
            raise entry.fail("give either `same_as` (a mode) or `ranks`")
        if same is not None:
            if same.text() not in out:
                raise same.fail(f"{same.text()!r} is not listed above")
            out[mode] = out[same.text()]
            continue
        rows = (_rank(e) for e in (ranks.items() if ranks is not None else []))
        out[mode] = {tuple(p.split()): r for p, r in rows}
    return out


def _sorted_words(entry: Entry) -> tuple[str, ...]:
    return tuple(sorted(e.text() for e in entry.items()))
