"""The `rollout site` process itself: a second run on the same site, SIGINT, SIGKILL.

A slow router keeps the first run inside its push; the second run is refused naming the
holder; SIGINT cancels Ansible and rolls the site back; after SIGKILL the next run takes the
stale lock over and finishes. Every device ends old or new, never between.
"""

from __future__ import annotations

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
    handle = start(tmp_path_factory.mktemp("process"), [SITE], 24400, 12)
    try:
        yield handle
    finally:
        handle.run("lab", "down")


def _until_pushing(proc: subprocess.Popen[str], lab: FaultLab) -> None:
    """Wait (bounded) until the run has backed up and started pushing (the lock is held)."""
    lock = lab.repo / "var/locks" / f"{SITE}.lock"
    assert proc.stderr is not None
    for _ in range(600):
        if lock.exists() and any((lab.backups / SITE).glob("*/bao-thang-rtr01.txt")):
            sets = sorted((lab.backups / SITE).iterdir())
            if len(list(sets[-1].glob("*.txt"))) == 3:
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


def test_sigkill_mid_rollout_then_run_again(lab: FaultLab) -> None:
    lab.fault("bao-thang-rtr01", {"kind": "slow", "seconds": 0.3})
    first = lab.spawn("site", SITE, "--lab", "--yes")
    try:
        _until_pushing(first, lab)
        os.kill(first.pid, signal.SIGKILL)
        first.communicate(timeout=30)
    finally:
        lab.fault("bao-thang-rtr01", "clear")
    assert (lab.repo / "var/locks" / f"{SITE}.lock").exists(), "the killed run left its lock"
    states = lab.states(SITE)
    assert "BETWEEN" not in states.values() or states["bao-thang-rtr01"] == "BETWEEN", states
    again = lab.run("site", SITE, "--lab", "--yes", check=0)
    assert "took over the lock" in again.stderr and f"pid {first.pid}" in again.stderr
    assert set(lab.states(SITE).values()) == {"new"}
    audit = lab.run("audit", "--site", SITE, "--action", "lock-takeover", check=0)
    assert "lock-takeover" in audit.stdout
