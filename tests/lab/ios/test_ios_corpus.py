"""Real IOS 15.2 configs: load, re-enter through the CLI, and plan/apply round trips."""

from __future__ import annotations

import itertools
import re
import time
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hier_config import Platform, WorkflowRemediation, get_hconfig

from rollout.drivers.ios_rules import whole_numbered_acls
from rollout.lab.ios.device import IosDevice
from rollout.lab.ios.rules import physical_defaults

CORPUS = Path(__file__).resolve().parents[2] / "data" / "ios-corpus"
FILES = sorted(CORPUS.glob("*/*.cfg"))
NAMES = [f"{p.parent.name}/{p.stem}" for p in FILES]
TEXTS = {n: p.read_text() for n, p in zip(NAMES, FILES, strict=True)}
PHYSICAL = re.compile(r"^interface ((?:Gigabit|Fast)?Ethernet\S+)$", re.M)

pytestmark = pytest.mark.skipif(not FILES, reason="IOS corpus not available")


def strip_noise(text: str) -> list[str]:
    return [
        line.rstrip()
        for line in text.splitlines()
        if line.strip() not in {"", "end"} and not line.startswith(("!", "Building", "Current"))
    ]


@pytest.mark.parametrize("name", NAMES)
def test_every_corpus_file_loads(name: str) -> None:
    device = IosDevice.from_config(TEXTS[name])
    assert device.hostname == name.split("/")[1]
    assert device.load_errors == []
    shown = set(strip_noise(device.running_config()))
    original = set(strip_noise(TEXTS[name]))
    # Only the file's self-contradiction (``no aaa new-model`` then ``aaa new-model``) differs.
    assert original - shown <= {"no aaa new-model"}
    assert shown - original == set()


@pytest.mark.parametrize("name", NAMES)
def test_every_corpus_line_can_be_typed(name: str, make_cli: Any) -> None:
    device = IosDevice.from_config("")
    cli = make_cli(device.session())
    outputs = cli.many("configure terminal", *TEXTS[name].splitlines())[1:]
    assert [o for o in outputs if o] == []
    assert cli.prompt == f"{device.hostname}#"
    assert strip_noise(device.running_config()) == strip_noise(
        IosDevice.from_config(TEXTS[name]).running_config()
    )


# --------------------------------------------------------------------- round trips


@cache
def hconfig(text: str) -> Any:
    return get_hconfig(Platform.CISCO_IOS, text)


def remediation(running: str, intended: str, *, exiting: bool = True) -> list[str]:
    plan = WorkflowRemediation(hconfig(running), hconfig(intended)).remediation_config
    return list(plan.lines(sectional_exiting=exiting))


def target_for(source: str, target: str) -> str:
    """The intended config, with two minimal test-data adjustments.

    * Some files say both ``no aaa new-model`` and ``aaa new-model``; a device keeps the last.
    * A router keeps its physical interfaces: where the target lacks one the source has, the
      target gets that interface in its unconfigured state (the same hardware).
    """
    lines = target.splitlines()
    if "aaa new-model" in lines and "no aaa new-model" in lines:
        lines.remove("no aaa new-model")
    for name in sorted(set(PHYSICAL.findall(source)) - set(PHYSICAL.findall(target))):
        lines[-1:-1] = [f"interface {name}", *(f" {x}" for x in physical_defaults(name)), "!"]
    return "\n".join(lines) + "\n"


def apply_plan(source: str, intended: str, make_cli: Any, *, exiting: bool = True) -> str:
    device = IosDevice.from_config(source)
    cli = make_cli(device.session())
    plan = whole_numbered_acls(remediation(source, intended, exiting=exiting), intended)
    outputs = cli.config(*plan)
    assert [o for o in outputs if o] == [], cli.transcript
    assert cli.prompt.endswith("#") and "(" not in cli.prompt
    return device.running_config()


PAIRS = list(itertools.permutations(NAMES, 2))


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_remediation_round_trip(source: str, target: str, make_cli: Any) -> None:
    intended = target_for(TEXTS[source], TEXTS[target])
    after = apply_plan(TEXTS[source], intended, make_cli)
    assert remediation(after, intended) == []


@pytest.mark.parametrize("name", [n for n in NAMES if n.startswith("live/")])
def test_live_to_candidate_without_sectional_exits(name: str, make_cli: Any) -> None:
    candidate = name.replace("live/", "candidate/")
    intended = target_for(TEXTS[name], TEXTS[candidate])
    after = apply_plan(TEXTS[name], intended, make_cli, exiting=False)
    assert remediation(after, intended) == []


def test_hier_config_alone_does_not_converge_on_numbered_acls(make_cli: Any) -> None:
    """Documents the IOS behaviour the plan rewrite above works around."""
    source, target = TEXTS["live/as1border1"], TEXTS["live/as2dist1"]
    device = IosDevice.from_config(source)
    cli = make_cli(device.session())
    cli.config(*remediation(source, target_for(source, target)))
    assert remediation(device.running_config(), target_for(source, target)) != []


def test_load_speed() -> None:
    text = "\n".join(TEXTS[n] for n in NAMES[:2])
    lines = len(text.splitlines())
    start = time.perf_counter()
    for _ in range(10):
        device = IosDevice.from_config(text)
        device.running_config()
    per_line = (time.perf_counter() - start) / 10 / lines
    assert per_line < 200e-6
