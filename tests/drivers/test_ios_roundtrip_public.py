"""The IOS driver's plan converges in one step on public real-world configs.

The corpus (tests/data/ios-public/, sources in its SOURCE.md) holds `show running-config`
outputs published in public repositories, one folder per device family. For each ordered
pair (A, B) of one family whose shapes fit (B names no physical port A lacks, see
``same_shape``): A runs on a simulated device, the driver plans A -> B, the plan is typed
line by line in config mode, the running config is read back and planned again
(tests/ios_roundtrip.py).

Pairs whose shapes differ are skipped: no configuration can create a port the hardware
lacks. Pairs across families are not run either (``CROSS``): where their ports happen to
fit (an IOSvL2 switch given an IOSv router's config) the target is another platform's
configuration, which no rollout asks of a device. Every file, paired or not, is also
planned against itself.

The bar: at least 95 % of the pairs converge in one step (second plan empty, no line
refused, banners as the intent has them); no exception escapes the driver (a DeviceError
with a message is handled, not an escape); no banner changes unless the intent changes it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from test_ios_driver_corpus import apply, same_hardware

from ios_roundtrip import (
    DriverDevice,
    Outcome,
    line_by_line,
    load_corpus,
    round_trip,
    select_pairs,
    summarise,
)
from rollout.drivers.cisco_ios import ios_plan

CORPUS = load_corpus(Path(__file__).resolve().parents[1] / "data" / "ios-public")
CROSS = 0
PAIRS, SKIPPED = select_pairs(CORPUS, cross_limit=CROSS)
BAR = 0.95
SHOWN = 25
TYPED = line_by_line(apply)


def pair_id(source: str, target: str) -> str:
    cross = CORPUS[source].family != CORPUS[target].family
    return f"{source}->{target}{' cross' if cross else ''}"


@cache
def outcome(source: str, target: str) -> Outcome:
    return round_trip(CORPUS[source], CORPUS[target], TYPED, same_hardware)


def test_corpus_is_wide_enough() -> None:
    families = {c.family for c in CORPUS.values()}
    assert 45 <= len(CORPUS) <= 80, sorted(CORPUS)
    assert len(families) >= 10, families
    assert len(PAIRS) >= 160, len(PAIRS)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_config_plans_nothing_against_itself(name: str) -> None:
    config = CORPUS[name]
    device = DriverDevice.from_config(config.text)
    plan = ios_plan("dut", device.running_config(), same_hardware(config.text, config.text))
    assert plan.commands == (), plan.commands


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[pair_id(a, b) for a, b in PAIRS])
def test_pair_raises_nothing_and_keeps_banners(source: str, target: str) -> None:
    result = outcome(source, target)
    assert not result.escaped, result.describe()
    assert not result.banners_wrong, result.describe()


def test_public_corpus_converges_in_one_step(capsys: pytest.CaptureFixture[str]) -> None:
    results = [outcome(a, b) for a, b in PAIRS]
    summary = summarise(results, len(SKIPPED))
    failing = [r.describe() for r in results if not r.converged]
    with capsys.disabled():
        print("\n" + summary.line())
    report = "\n".join([summary.line(), *failing[:SHOWN]])
    assert summary.escaped == 0, report
    assert summary.banners == 0, report
    assert summary.rate >= BAR, report
