"""Each public config less one of its lines: the driver plans the removal and converges.

A real configuration with one line (and the lines under it) taken out is a target the
driver must reach from the real one: the plan negates exactly what went, the twin takes it,
and the next plan is empty. Lines are drawn with a fixed seed from every file of
tests/data/ios-public (SOURCE.md); headers, `version`, `end`, `hostname`, interfaces, banners
and certificate data are not drawn (a port cannot go, a banner is one unit, a certificate line
is no command). A plan the refused-change table stops (removing a licence, a boot image or
`aaa new-model`, docs/ios.md) is a handled refusal, not a failure to converge.
"""

from __future__ import annotations

import random
import re
from functools import cache
from pathlib import Path

import pytest
from test_ios_driver_corpus import apply, same_hardware

from ios_roundtrip import Config, Outcome, line_by_line, load_corpus, round_trip

CORPUS = load_corpus(Path(__file__).resolve().parents[1] / "data" / "ios-public")
PER_FILE = 4
BAR = 0.97
SKIP = ("Building", "Current", "version", "end", "hostname", "interface ", "banner")
HEX = re.compile(r"^\s+(?:[0-9A-F]{2,8} )+[0-9A-F]{2,8}\s*$|^\s+quit$")
REFUSED = "refused to send"
TYPED = line_by_line(apply)


def _drawable(lines: list[str], i: int) -> bool:
    line = lines[i]
    if not line.strip() or line.strip().startswith("!") or line.startswith(SKIP):
        return False
    if HEX.match(line):
        return False
    return not any(lines[k].startswith("banner") for k in range(max(0, i - 12), i))


def _without(lines: list[str], i: int) -> list[str]:
    """The lines less line i and the lines indented under it."""
    depth = len(lines[i]) - len(lines[i].lstrip())
    j = i + 1
    while j < len(lines) and lines[j].strip() and len(lines[j]) - len(lines[j].lstrip()) > depth:
        j += 1
    return lines[:i] + lines[j:]


def _cases() -> list[tuple[str, int]]:
    rng = random.Random(20)
    out: list[tuple[str, int]] = []
    for name in sorted(CORPUS):
        lines = CORPUS[name].text.splitlines()
        drawable = [i for i in range(len(lines)) if _drawable(lines, i)]
        out += [(name, i) for i in sorted(rng.sample(drawable, min(PER_FILE, len(drawable))))]
    return out


CASES = _cases()


@cache
def outcome(name: str, index: int) -> Outcome:
    source = CORPUS[name]
    lines = _without(source.text.splitlines(), index)
    target = Config(source.family, f"{source.name}-{index}", "\n".join(lines) + "\n")
    return round_trip(source, target, TYPED, same_hardware)


@pytest.mark.parametrize(("name", "index"), CASES, ids=[f"{n}:{i}" for n, i in CASES])
def test_removal_raises_nothing(name: str, index: int) -> None:
    result = outcome(name, index)
    assert not result.escaped, result.describe()
    assert not result.banners_wrong, result.describe()


def test_removals_converge_in_one_step() -> None:
    results = [outcome(n, i) for n, i in CASES]
    done = [r for r in results if r.converged or (r.handled and REFUSED in r.error)]
    failing = [r.describe() for r in results if r not in done]
    assert len(CASES) >= 200, len(CASES)
    assert len(done) / len(results) >= BAR, "\n".join(failing[:20])
