"""Faults that strike while `rollout drift --all` is running: a lab worker killed with its
devices, a device that starts refusing the login, one that stops answering in time.

The run is caught in flight deterministically: the first device checked answers slowly, the
pool has one thread, and the faults are set once that device's SSH session is established,
so every faulted device is reached after its fault. Each fault must be that device's own
result, and every other device must still be checked and found clean.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fleetlab import SITES, Fleet, converged_fleet


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    # one worker process per site: killing one takes exactly that site's devices down
    root = tmp_path_factory.mktemp("midrun")
    with converged_fleet(root, workers=len(SITES)) as fleet:
        yield fleet


def _established(port: int) -> bool:
    """True when a TCP connection to 127.0.0.1:port is established (the lab's side of it)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state == "01" and int(local.split(":")[1], 16) == port:
            return True
    return False


def _order(fleet: Fleet) -> list[str]:
    """The devices in the order `drift --all --lab` submits them to its pool."""
    from rollout.inventory.loader import load_inventory
    from rollout.secrets import load_secrets
    from rollout.targets import managed_devices

    inv = load_inventory(fleet.repo)
    found = managed_devices(
        inv, list(inv.sites), load_secrets(fleet.repo), lab=fleet.lab_dir, lab_only=True
    )
    return [m.device.hostname for m in found]


def test_faults_struck_mid_run_are_each_their_own_devices_result(lab: Fleet) -> None:
    from rollout.lab import manager
    from rollout.lab.faults import AuthFail, Slow

    state = manager.LabState.read(lab.lab_dir)
    assert state is not None
    order = _order(lab)
    first = order[0]
    killed = next(w for w in state.workers if order[-1] in w.devices)
    assert first not in killed.devices
    others = [d for d in order if d != first and d not in killed.devices]
    refuses, hangs = others[-2], others[-1]  # reached late: after the faults for sure

    manager.set_fault(first, Slow(2.0), lab.lab_dir)
    proc = lab.spawn(
        "drift", *SITES, "--lab", "--workers", "1", "--timeout", "4", "--retries", "0",
        "--format", "json",
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not _established(state.devices[first].port):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "drift never connected to its first device"
            time.sleep(0.02)
        os.kill(killed.pid, signal.SIGKILL)
        manager.set_fault(refuses, AuthFail(), lab.lab_dir)
        manager.set_fault(hangs, Slow(60), lab.lab_dir)
        manager.clear_fault(first, None, lab.lab_dir)  # its held replies go out: it is clean
        out, err = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Traceback" not in err, err
    assert proc.returncode == 1, err
    got = {d["device"]: d for d in json.loads(out)["devices"]}
    assert sorted(got) == sorted(order)
    for name in killed.devices:
        assert got[name]["kind"] == "unreachable", got[name]
    assert got[refuses]["kind"] == "auth", got[refuses]
    assert got[hangs]["kind"] == "timeout", got[hangs]
    struck = {refuses, hangs, *killed.devices}
    assert {n: d["state"] for n, d in got.items() if n not in struck} == {
        n: "clean" for n in order if n not in struck
    }
