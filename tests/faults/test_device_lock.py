"""The site's lock on its WAN router: two checkouts with two lab-state folders that point at the
same lab devices roll out the same site at once; exactly one runs, the other is refused naming
the holder. A stale device lock is refused without --take-over and taken over with it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from faultlab import FaultLab, start
from labrun import LabRun, lab_env
from repocopy import copy_repo

pytestmark = [pytest.mark.lab, pytest.mark.ansible]
SITE = "bao-thang"
ROUTER = "bao-thang-rtr01"


@pytest.fixture(scope="module")
def labs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FaultLab, LabRun]]:
    root = tmp_path_factory.mktemp("devlock")
    first = start(root, [SITE], 30, repo=copy_repo(root / "a"))
    try:
        yield first, _second_checkout(root, first)
    finally:
        first.run("lab", "down")


def _second_checkout(root: Path, first: FaultLab) -> LabRun:
    """Another clone and another lab-state folder naming the same devices (its own copy of the
    lab's endpoints and known_hosts), as a second engineer's machine would have them."""
    folder = root / "lab-b"
    folder.mkdir()
    data = json.loads((first.lab_dir / "endpoints.json").read_text())
    for endpoint in data["endpoints"]:
        known = endpoint.get("known_hosts")
        if known:
            copied = folder / Path(known).name
            shutil.copy2(known, copied)
            endpoint["known_hosts"] = str(copied)
    (folder / "endpoints.json").write_text(json.dumps(data))
    env = lab_env(folder, ROLLOUT_BACKUP_DIR=str(root / "backups-b"), COLUMNS="250")
    env["ROLLOUT_DEVICE_TIMEOUT"] = first.env["ROLLOUT_DEVICE_TIMEOUT"]
    return LabRun(copy_repo(root / "b"), folder, env)


def _marker(lab: FaultLab) -> str | None:
    """The lock marker on the site's router, read over SSH with the driver."""
    from rollout.drivers.base import DeviceLocking
    from rollout.inventory.loader import load_inventory
    from rollout.secrets import load_secrets
    from rollout.targets import driver_for, managed_devices

    inv = load_inventory(lab.repo)
    found = managed_devices(inv, [SITE], load_secrets(lab.repo), lab=lab.lab_dir, timeout=10)
    router = next(m for m in found if m.device.hostname == ROUTER)
    driver = driver_for(router.target)
    try:
        assert isinstance(driver, DeviceLocking)
        return driver.lock_holder()
    finally:
        driver.close()


def test_two_checkouts_at_once_exactly_one_runs(labs: tuple[FaultLab, LabRun]) -> None:
    first, second = labs
    first.fault(ROUTER, {"kind": "slow", "seconds": 0.05})
    try:
        runs = [lab.spawn("site", SITE, "--lab", "--yes") for lab in (first, second)]
        done = [p.communicate(timeout=400) for p in runs]
    finally:
        first.fault(ROUTER, "clear")
        for p in runs:
            if p.poll() is None:
                p.kill()
    codes = sorted(p.returncode for p in runs)
    assert codes == [0, 1], [
        (p.returncode, err[-2000:]) for p, (_o, err) in zip(runs, done, strict=True)
    ]
    winner = next(i for i, p in enumerate(runs) if p.returncode == 0)
    loser_err = done[1 - winner][1]
    assert "Traceback" not in loser_err
    assert "being rolled out by" in loser_err, loser_err
    assert f"pid {runs[winner].pid}," in loser_err, loser_err
    assert re.search(r"\S+@\S+ \(pid \d+, since \d{4}-\d\d-\d\dT", loser_err), loser_err
    assert _marker(first) is None, "the winner removed its marker"


def test_stale_lock_needs_take_over(labs: tuple[FaultLab, LabRun]) -> None:
    from rollout.engine import devlock
    from rollout.inventory.loader import load_inventory
    from rollout.secrets import load_secrets
    from rollout.targets import managed_devices

    first, second = labs
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    inv = load_inventory(second.repo)
    found = managed_devices(inv, [SITE], load_secrets(second.repo), lab=second.lab_dir, timeout=10)
    router = devlock.lock_device(found, SITE)
    assert router is not None and router.device.hostname == ROUTER
    dead = devlock.me(SITE, "rollout site bao-thang", devlock.new_token(), pid=gone.pid)
    taken = devlock.take(router, dead)
    assert taken is not None and taken.fresh

    refused = second.run("site", SITE, "--lab", "--yes", check=1)
    assert "looks stale" in refused.stderr and f"process {gone.pid}" in refused.stderr
    assert "--take-over" in refused.stderr
    assert f"pid={gone.pid} " in (_marker(first) or ""), "a refused run leaves the marker"

    again = second.run("site", SITE, "--lab", "--yes", "--take-over", check=0)
    assert "took over the stale lock" in again.stderr, again.stderr
    audit = second.run("audit", "--site", SITE, "--action", "device-lock-takeover", check=0)
    assert "device-lock-takeover" in audit.stdout and str(gone.pid) in audit.stdout
    assert _marker(first) is None


def test_live_holder_refuses_bare_ansible(labs: tuple[FaultLab, LabRun]) -> None:
    """A bare ansible-playbook is locked too: a live holder (this test) refuses it."""
    from rollout.engine import devlock
    from rollout.inventory.loader import load_inventory
    from rollout.secrets import load_secrets
    from rollout.targets import managed_devices

    first, _second = labs
    inv = load_inventory(first.repo)
    found = managed_devices(inv, [SITE], load_secrets(first.repo), lab=first.lab_dir, timeout=10)
    router = devlock.lock_device(found, SITE)
    assert router is not None
    holder = devlock.me(SITE, "held by a test", devlock.new_token())
    assert devlock.take(router, holder) is not None
    try:
        play = subprocess.run(
            [
                str(Path(sys.executable).parent / "ansible-playbook"),
                "playbooks/site.yml",
                "--limit",
                "site_bao_thang",
                "-e",
                f"site_rollout_lab_dir={first.lab_dir}",
            ],
            cwd=first.repo,
            env={**first.env, "ANSIBLE_VAULT_PASSWORD_FILE": "inventory/lab-vault-password.txt"},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert play.returncode != 0, play.stdout[-3000:]
        assert "being rolled out by" in play.stdout and f"pid {os.getpid()}," in play.stdout
        assert "Back up the running configuration" not in play.stdout, play.stdout[-3000:]
        assert holder.token in (_marker(first) or ""), "the refused play left the lock alone"
    finally:
        devlock.release(router, holder.token)
    assert _marker(first) is None
