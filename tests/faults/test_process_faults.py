"""The `rollout site` process itself: a second run on the same site, SIGINT, SIGKILL.

A slow router keeps the first run inside its push; the second run is refused naming the
holder; SIGINT cancels Ansible and rolls the site back; after SIGKILL the next run takes the
stale lock over and finishes. Every device ends old or new, never between.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest

from faultlab import FaultLab, start

pytestmark = [pytest.mark.lab, pytest.mark.ansible]
SITE = "bao-thang"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultLab]:
    handle = start(tmp_path_factory.mktemp("process"), [SITE], 12)
    try:
        yield handle
    finally:
        handle.run("lab", "down")


def _until_pushing(proc: subprocess.Popen[str], lab: FaultLab) -> None:
    """Wait (bounded) until the run has backed up and started pushing (the lock is held)."""
    lock = lab.repo / "var/locks" / f"{SITE}.lock"
    assert proc.stderr is not None
    before = sorted((lab.backups / SITE).iterdir())[-1]  # the day-0 set: not this run's
    for _ in range(600):
        if lock.exists() and any((lab.backups / SITE).glob("*/bao-thang-rtr01.txt")):
            sets = sorted((lab.backups / SITE).iterdir())
            if sets[-1] != before and len(list(sets[-1].glob("*.txt"))) == 3:
                time.sleep(2)
                return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    raise AssertionError("the run never reached its push")


def test_second_run_is_refused_then_sigint_rolls_back(lab: FaultLab) -> None:
    lab.fault("bao-thang-rtr01", {"kind": "slow", "seconds": 0.3})
    first = lab.spawn("site", SITE, "--lab", "--yes")
    try:
        _until_pushing(first, lab)
        second = lab.run("site", SITE, "--lab", "--yes", check=1, timeout=60)
        assert "being rolled out by" in second.stderr and f"pid {first.pid}" in second.stderr
        first.send_signal(signal.SIGINT)
        _out, err = first.communicate(timeout=120)
    finally:
        lab.fault("bao-thang-rtr01", "clear")
        if first.poll() is None:
            first.kill()
    assert first.returncode == 1, err
    assert "interrupted" in err and "rolled back" in err and "Traceback" not in err, err
    states = lab.states(SITE)
    assert set(states.values()) == {"old"}, states
    assert not (lab.repo / "var/locks" / f"{SITE}.lock").exists()


def _until_pushed(lab: FaultLab, proc: subprocess.Popen[str], hosts: list[str]) -> list[str]:
    """Wait (bounded) until every host in hosts ended its push, from the site's journal (the
    site transaction writes each step's start and end); the steps the journal holds then.

    The kill must land while only the slow router is inside its push: a kill during another
    device's push would leave that device between old and new until its revert timer fires
    (what `rollout recover` is for), which is not what this test is about.
    """
    journal = lab.repo / "var/journal" / f"{SITE}.jsonl"
    deadline = time.monotonic() + 180
    seen: list[str] = []
    while time.monotonic() < deadline:
        seen = []
        mine = False  # only this run's entries (an earlier run's file may still be there)
        for line in journal.read_text().splitlines() if journal.exists() else []:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:  # the line being written
                continue
            if entry.get("event") == "begin":
                mine = entry.get("pid") == proc.pid
            elif mine and entry.get("event") == "step":
                seen.append(f"{entry['device']} {entry['step']} {entry['phase']}")
        if all(f"{h} push done" in seen for h in hosts):
            return seen
        assert proc.poll() is None, "the run ended before its push"
        time.sleep(0.02)
    raise AssertionError(f"no push reported for {hosts}: {seen}")


def test_sigkill_mid_rollout_then_run_again(lab: FaultLab) -> None:
    lab.fault("bao-thang-rtr01", {"kind": "slow", "seconds": 0.3})
    first = lab.spawn("site", SITE, "--lab", "--yes")
    try:
        seen = _until_pushed(lab, first, ["bao-thang-sw01", "bao-thang-codec01"])
        assert not any(s.startswith("bao-thang-rtr01 confirm") for s in seen), seen
        assert first.poll() is None, first.communicate()
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        lab.fault("bao-thang-rtr01", "clear")
        if first.poll() is None:
            first.kill()
    assert (lab.repo / "var/locks" / f"{SITE}.lock").exists(), "the killed run left its lock"
    states = lab.states(SITE)
    assert states["bao-thang-sw01"] in {"old", "new"}, states
    assert states["bao-thang-codec01"] in {"old", "new"}, states
    # The killed run's marker on the router is stale (its process is gone on this machine):
    # refused without the word, taken over with it (rollout.engine.devlock).
    # The local lock (var/locks) is taken over by itself, the device's needs the word.
    refused = lab.run("site", SITE, "--lab", "--yes", check=1)
    assert "took over the lock" in refused.stderr and f"pid {first.pid}" in refused.stderr
    assert "looks stale" in refused.stderr and "--take-over" in refused.stderr
    again = lab.run("site", SITE, "--lab", "--yes", "--take-over", check=0)
    assert "took over the stale lock" in again.stderr and f"pid {first.pid}" in again.stderr
    assert set(lab.states(SITE).values()) == {"new"}
    audit = lab.run("audit", "--site", SITE, "--action", "lock-takeover", check=0)
    assert "lock-takeover" in audit.stdout
