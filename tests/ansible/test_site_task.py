"""The playbook runs every site of the batch as one transaction per site, in one task, and
still reports every device on its own host: one device that fails rolls back every device of
its site that was pushed, the other site is rolled out untouched by it, and the site's lock is
removed even though a device of the site failed.

Real parts: the lab twin's SSH devices, ansible-playbook started as AWX would start it.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator

import pytest

from faultlab import BIN, FaultLab, start

pytestmark = [pytest.mark.lab, pytest.mark.ansible]
BAD, GOOD = "bao-thang", "bac-ha"
REPORT_TASK = "TASK [site_rollout : Report each device's result"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultLab]:
    handle = start(tmp_path_factory.mktemp("sitetask"), [BAD, GOOD], 12)
    try:
        yield handle
    finally:
        handle.run("lab", "down")


def reports(out: str) -> dict[str, tuple[str, dict[str, object]]]:
    """Per host, its status line word (ok, changed, fatal) and result under the report task."""
    body = out.split(REPORT_TASK, 1)[1].split("\nPLAY RECAP", 1)[0]
    found: dict[str, tuple[str, dict[str, object]]] = {}
    for line in body.splitlines():
        if line.startswith(("ok: [", "changed: [", "fatal: [")):
            word, rest = line.split(": [", 1)
            host = rest.split("]", 1)[0]
            found[host] = (word, json.loads(line.split("=> ", 1)[1]))
    return found


def test_one_failed_device_rolls_its_site_back_and_leaves_the_other_site(lab: FaultLab) -> None:
    with lab.faulted(f"{BAD}-rtr01", {"kind": "reject_command", "pattern": "ip sla 10.*"}):
        play = subprocess.run(
            [
                str(BIN / "ansible-playbook"),
                "playbooks/site.yml",
                "--limit",
                f"site_{BAD.replace('-', '_')},site_{GOOD.replace('-', '_')}",
                "-e",
                f"site_rollout_lab_dir={lab.lab_dir}",
                # one site a process: on a controller with two cores or more, each site runs
                # in its own process (rollout.engine.processes), the way a province does
                "-e",
                "site_rollout_sites_per_process=1",
                "-v",
            ],
            cwd=lab.repo,
            env={**lab.env, "ANSIBLE_NOCOLOR": "1"},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    out = play.stdout + play.stderr
    assert play.returncode == 2, out[-4000:]
    # One task for both sites, on one host.
    site_task = out.split("TASK [site_rollout : Roll out every site of the batch", 1)[1]
    site_task = site_task.split("\nTASK [", 1)[0]
    assert len([x for x in site_task.splitlines() if x.startswith(("ok: [", "changed: ["))]) == 1
    found = reports(out)
    bad = {h: r for h, r in found.items() if h.startswith(f"{BAD}-")}
    good = {h: r for h, r in found.items() if h.startswith(f"{GOOD}-")}
    assert len(bad) == 3 and len(good) == 3, sorted(found)
    # The device that failed says where and why; its site's other devices fail with the site.
    word, sw = bad[f"{BAD}-rtr01"]
    assert word == "fatal" and sw["steps"]["push"] == "failed", sw  # type: ignore[index]
    assert "Push the intended configuration" in str(sw["msg"]) and "rejected" in str(sw["msg"])
    for host, (word, result) in bad.items():
        assert word == "fatal", (host, result)
        assert result["site_failure"], result
        steps = result["steps"]
        assert isinstance(steps, dict) and steps["rollback"] == "changed", (host, result)
    # The other site: pushed, confirmed, saved, each device changed on its own host.
    for host, (word, result) in good.items():
        assert word == "changed" and not result.get("failed"), (host, result)
        assert result["steps"] == {
            "backup": "ok",
            "push": "changed",
            "verify": "ok",
            "confirm": "ok",
            "save": "ok",
        }
    recap = out.split("PLAY RECAP", 1)[1]
    for line in recap.splitlines():
        if line.startswith(f"{BAD}-"):
            assert "failed=1" in line, line
        elif line.startswith(f"{GOOD}-"):
            assert "failed=0" in line, line
    assert set(lab.states(BAD).values()) == {"old"}
    assert set(lab.states(GOOD).values()) == {"new"}
    # The play removed both sites' locks, the failed site's too.
    for site in (BAD, GOOD):
        assert marker(lab, site) is None, site
    # Each site's pushes ran in a process of its own (the audit line names its pid).
    log = (lab.repo / "var" / "audit.log").read_text(encoding="utf-8").splitlines()
    pushed = [json.loads(x) for x in log if '"push"' in x]
    pids = {site: {e["pid"] for e in pushed if e.get("sites") == [site]} for site in (BAD, GOOD)}
    if (os.cpu_count() or 1) > 1:
        assert all(len(p) == 1 for p in pids.values()) and pids[BAD] != pids[GOOD], pids


def marker(lab: FaultLab, site: str) -> str | None:
    from rollout.drivers.base import DeviceLocking
    from rollout.inventory.loader import load_inventory
    from rollout.secrets import load_secrets
    from rollout.targets import driver_for, managed_devices

    inv = load_inventory(lab.repo)
    found = managed_devices(inv, [site], load_secrets(lab.repo), lab=lab.lab_dir, timeout=10)
    router = next(m for m in found if m.device.hostname == f"{site}-rtr01")
    driver = driver_for(router.target)
    try:
        assert isinstance(driver, DeviceLocking)
        return driver.lock_holder()
    finally:
        driver.close()
