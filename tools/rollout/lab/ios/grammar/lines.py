"""Loading ``keys.yaml``, ``shown.yaml`` and ``defaults.yaml``: how lines are kept and shown."""

from __future__ import annotations

from dataclasses import dataclass

from rollout.lab.ios.grammar.model import (
    Confirmed,
    DefaultArguments,
    HiddenDefault,
    KeyRule,
    ModeInfo,
    TrainForm,
)
from rollout.lab.ios.grammar.modes import mode_name
from rollout.lab.ios.grammar.read import Entry, load

_PLACEHOLDERS = frozenset({"*", "#", "$"})


@dataclass(frozen=True, slots=True)
class Lines:
    keyed: dict[str, tuple[KeyRule, ...]]
    negation_shown: dict[str, dict[tuple[str, ...], str]]
    rewrites: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]]
    train_forms: tuple[TrainForm, ...]
    old_form_trains: frozenset[tuple[str, str]]
    numbered_acl_trains: frozenset[tuple[str, str]]
    positive_shown_hides_negation: dict[str, frozenset[str]]
    write_only: dict[str, tuple[tuple[str, ...], ...]]
    top_indent: dict[str, str]
    hidden_defaults: tuple[HiddenDefault, ...]
    default_arguments: tuple[DefaultArguments, ...]
    confirmed_negations: tuple[Confirmed, ...]
    section_defaults: dict[str, tuple[str, ...]]
    physical_defaults: dict[str, tuple[str, ...]]
    """Per interface type; ``""``: every other type."""


def load_lines(modes: dict[str, ModeInfo]) -> Lines:
    shown = load("shown.yaml").fields(
        (
            "negation_shown",
            "rewrites",
            "train_forms",
            "old_form_trains",
            "numbered_acl_trains",
            "positive_shown_hides_negation",
            "write_only",
            "top_indent",
        )
    )
    defaults = load("defaults.yaml").fields(
        (
            "hidden_defaults",
            "default_arguments",
            "confirmed_negations",
            "section_defaults",
            "physical_defaults",
        )
    )
    forms = shown["train_forms"].fields(("forms",), ("source",))["forms"].items()
    indent = shown["top_indent"].fields(("lines",), ("source",))["lines"].mapping()
    return Lines(
        keyed=_keyed(modes),
        negation_shown=_negations(shown["negation_shown"], modes),
        rewrites={
            mode_name(Entry(e.file, e.path, m), modes): tuple(
                _pair(row, "typed", "shown") for row in e.items()
            )
            for m, e in shown["rewrites"].mapping().items()
        },
        train_forms=tuple(TrainForm(*_pair(f, "old", "new")) for f in forms),
        old_form_trains=_trains(shown["old_form_trains"]),
        numbered_acl_trains=_trains(shown["numbered_acl_trains"]),
        positive_shown_hides_negation={
            mode_name(Entry(e.file, e.path, m), modes): frozenset(r.text() for r in e.items())
            for m, e in shown["positive_shown_hides_negation"]
            .fields(("modes",), ("source",))["modes"]
            .mapping()
            .items()
        },
        write_only={
            mode_name(Entry(e.file, e.path, m), modes): tuple(r.words() for r in e.items())
            for m, e in shown["write_only"].mapping().items()
        },
        top_indent={k: _spaces(v) for k, v in indent.items()},
        hidden_defaults=_hidden(defaults["hidden_defaults"], modes),
        default_arguments=_default_arguments(defaults["default_arguments"], modes),
        confirmed_negations=_confirmed(defaults["confirmed_negations"]),
        section_defaults={
            k: tuple(r.text() for r in v.items())
            for k, v in defaults["section_defaults"].mapping().items()
        },
        physical_defaults={
            ("" if k == "other" else k): tuple(r.text() for r in v.items())
            for k, v in defaults["physical_defaults"].mapping().items()
        },
    )


def _key_rule(entry: Entry) -> KeyRule:
    if entry.is_text():
        pattern, key, merge = entry.words(), None, False
    else:
        f = entry.fields(("pattern",), ("key", "merge", "source"))
        pattern, merge = f["pattern"].words(), f.flag("merge")
        given = f.get("key")
        key = None if given is None else tuple(k.integer() for k in given.items())
        if key is not None and any(k < 0 for k in key):
            raise entry.fail(f"key positions {key}: a position counts from 0")
    if key is None:
        key = tuple(i for i, t in enumerate(pattern) if t not in _PLACEHOLDERS)
    return KeyRule(pattern, key, merge)


def _keyed(modes: dict[str, ModeInfo]) -> dict[str, tuple[KeyRule, ...]]:
    top = load("keys.yaml").fields(("groups", "modes"))
    groups: dict[str, tuple[KeyRule, ...]] = {}
    for name, entry in top["groups"].mapping().items():
        rows = entry.fields(("rules",), ("source",))["rules"].items()
        groups[name] = tuple(_key_rule(r) for r in rows)
    out: dict[str, tuple[KeyRule, ...]] = {}
    for mode, entry in top["modes"].mapping().items():
        mode_name(Entry(entry.file, entry.path, mode), modes)
        f = entry.fields((), ("use", "rules", "source"))
        use, own = f.get("use"), f.get("rules")
        if (use is None) == (own is None):
            raise entry.fail("give either `use` (a group) or `rules`")
        if use is not None:
            if use.text() not in groups:
                raise use.fail(f"unknown group {use.text()!r}")
            out[mode] = groups[use.text()]
        elif own is not None:
            out[mode] = tuple(_key_rule(r) for r in own.items())
    return out


def _negations(top: Entry, modes: dict[str, ModeInfo]) -> dict[str, dict[tuple[str, ...], str]]:
    out: dict[str, dict[tuple[str, ...], str]] = {}
    for mode, entry in top.mapping().items():
        mode_name(Entry(entry.file, entry.path, mode), modes)
        f = entry.fields((), ("rows", "same_as", "source"))
        same, rows = f.get("same_as"), f.get("rows")
        if (same is None) == (rows is None):
            raise entry.fail("give either `same_as` (a mode) or `rows`")
        if same is not None:
            if same.text() not in out:
                raise same.fail(f"{same.text()!r} is not listed above")
            out[mode] = out[same.text()]
            continue
        table: dict[tuple[str, ...], str] = {}
        for row in rows.items() if rows is not None else []:
            text = row.text() if row.is_text() else row.fields(("row",), ("source",)).text("row")
            key, _bar, _rest = text.partition("|")
            table[tuple(key.split())] = text.replace("|", " ")
        out[mode] = table
    return out


def _pair(entry: Entry, first: str, second: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    f = entry.fields((first, second))
    return f[first].words(), f[second].words()


def _trains(entry: Entry) -> frozenset[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for row in entry.fields(("trains",), ("source",))["trains"].items():
        parts = row.items()
        if len(parts) != 2:
            raise row.fail("a train is [OS family, role or version]")
        out.add((parts[0].text(), parts[1].text()))
    return frozenset(out)


def _spaces(entry: Entry) -> str:
    if not isinstance(entry.value, str) or entry.value.strip(" "):
        raise entry.fail("expected a text of spaces")
    return entry.value


def _hidden(entry: Entry, modes: dict[str, ModeInfo]) -> tuple[HiddenDefault, ...]:
    out: list[HiddenDefault] = []
    for row in entry.fields(("rows",), ("source",))["rows"].items():
        f = row.fields(("mode", "line", "source"))
        out.append(HiddenDefault(mode_name(f["mode"], modes), f.text("line"), f.text("source")))
    return tuple(out)


def _default_arguments(entry: Entry, modes: dict[str, ModeInfo]) -> tuple[DefaultArguments, ...]:
    out: list[DefaultArguments] = []
    for row in entry.fields(("rows",), ("source",))["rows"].items():
        f = row.fields(("mode", "command", "words", "source"))
        out.append(
            DefaultArguments(
                mode_name(f["mode"], modes), f.text("command"), f["words"].words(), f.text("source")
            )
        )
    return tuple(out)


def _confirmed(entry: Entry) -> tuple[Confirmed, ...]:
    out: list[Confirmed] = []
    for row in entry.fields(("rows",), ("source",))["rows"].items():
        f = row.fields(("pattern", "holds", "warning", "question", "done"))
        out.append(
            Confirmed(
                pattern=f["pattern"].words(),
                holds=f.text("holds"),
                warning=f.text("warning"),
                question=f.text("question"),
                done=f.text("done"),
            )
        )
    return tuple(out)
