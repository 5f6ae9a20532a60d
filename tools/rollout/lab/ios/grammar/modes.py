"""Loading ``modes.yaml``, ``openers.yaml`` and ``syntax.yaml``: modes and what they accept."""

from __future__ import annotations

from dataclasses import dataclass

from rollout.lab.ios.grammar.model import ModeInfo, Opener
from rollout.lab.ios.grammar.read import Entry, load

_SYNTAX_MARKS = frozenset({"+", "~", ".", "*", "#"})


@dataclass(frozen=True, slots=True)
class Modes:
    root: str
    modes: dict[str, ModeInfo]
    openers: dict[str, tuple[Opener, ...]]
    af_unicast_shown: tuple[tuple[str, ...], ...]
    syntax: dict[str, tuple[str, ...]]
    """Syntax lines per mode (every mode; empty when it accepts no command of its own)."""


def mode_name(entry: Entry, modes: dict[str, ModeInfo]) -> str:
    """A mode named by ``entry``, which must be one of ``modes.yaml``."""
    name = entry.text()
    if name not in modes:
        raise entry.fail(f"unknown mode {name!r} (not in modes.yaml)")
    return name


def load_modes() -> Modes:
    top = load("modes.yaml").fields(("root", "modes"))
    modes: dict[str, ModeInfo] = {}
    for name, entry in top["modes"].mapping().items():
        f = entry.fields((), ("prompt", "footer", "lenient", "numbered", "sequenced", "source"))
        modes[name] = ModeInfo(
            prompt=f.text("prompt", name),
            footer=f.text("footer"),
            lenient=f.flag("lenient"),
            numbered=f.flag("numbered"),
            sequenced=f.flag("sequenced"),
        )
    root = mode_name(top["root"], modes)
    openers, af_unicast = _load_openers(modes)
    return Modes(root, modes, openers, af_unicast, _load_syntax(modes))


def _load_openers(
    modes: dict[str, ModeInfo],
) -> tuple[dict[str, tuple[Opener, ...]], tuple[tuple[str, ...], ...]]:
    top = load("openers.yaml").fields(("openers", "af_unicast_shown"))
    openers: dict[str, tuple[Opener, ...]] = {}
    for mode, group in top["openers"].mapping().items():
        if mode not in modes:
            raise group.fail(f"unknown mode {mode!r} (not in modes.yaml)")
        rows = group.fields(("commands",), ("source",))["commands"].items()
        found: list[Opener] = []
        for row in rows:
            f = row.fields(("pattern", "mode"), ("flat", "raw_until", "source"))
            found.append(
                Opener(
                    pattern=f["pattern"].words(),
                    mode=mode_name(f["mode"], modes),
                    flat=f.flag("flat"),
                    raw_until=f.text("raw_until"),
                )
            )
        openers[mode] = tuple(found)
    af = top["af_unicast_shown"].fields(("patterns",), ("source",))
    return openers, tuple(p.words() for p in af["patterns"].items())


def _load_syntax(modes: dict[str, ModeInfo]) -> dict[str, tuple[str, ...]]:
    top = load("syntax.yaml").fields(("fragments", "modes"))
    fragments: dict[str, tuple[str, ...]] = {}
    for name, entry in top["fragments"].mapping().items():
        f = entry.fields(("lines",), ("source",))
        fragments[name] = tuple(_syntax_line(e) for e in f["lines"].items())
    out: dict[str, tuple[str, ...]] = {}
    for mode, entry in top["modes"].mapping().items():
        if mode not in modes:
            raise entry.fail(f"unknown mode {mode!r} (not in modes.yaml)")
        f = entry.fields((), ("use", "lines", "source"))
        lines: list[str] = []
        use = f.get("use")
        for frag in use.items() if use is not None else []:
            name = frag.text()
            if name not in fragments:
                raise frag.fail(f"unknown fragment {name!r}")
            lines.extend(fragments[name])
        own = f.get("lines")
        lines.extend(_syntax_line(e) for e in (own.items() if own is not None else []))
        out[mode] = tuple(lines)
    for mode in modes:
        out.setdefault(mode, ())
    return out


def _syntax_line(entry: Entry) -> str:
    parts = entry.words()
    for i, part in enumerate(parts):
        if part in {"+", "~", "."} and i != len(parts) - 1:
            raise entry.fail(f"{part!r} may only end a syntax line")
    if parts[0] in _SYNTAX_MARKS:
        raise entry.fail("a syntax line starts with a keyword")
    return " ".join(parts)
