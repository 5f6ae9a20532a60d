"""A bare ansible-playbook over the lab runs the site transaction as the action plugin
rollout_site (in Ansible's worker on the controller, nothing shipped), once for the batch, and
reports every device on its own host (rollout_result); check mode shows the plan, and a real
run rolls the site out with per-host results and leaves no lock behind.

Real parts: the lab twin's SSH devices, ansible-playbook started as AWX would start it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from labrun import LabRun, lab_env
from repocopy import copy_repo

pytestmark = [pytest.mark.lab, pytest.mark.ansible]
SITE = "bao-thang"
DEVICES = {"bao-thang-rtr01", "bao-thang-sw01", "bao-thang-codec01"}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabRun]:
    root = tmp_path_factory.mktemp("repo")
    repo = copy_repo(root)
    lab_dir = Path(tmp_path_factory.mktemp("lab"))
    handle = LabRun(repo, lab_dir, lab_env(lab_dir, ROLLOUT_BACKUP_DIR=str(root / "backups")))
    handle.run("lab", "up", SITE, "--minute-seconds", "12", check=0)
    try:
        yield handle
    finally:
        handle.run("lab", "down")


def playbook(lab: LabRun, *extra: str) -> subprocess.CompletedProcess[str]:
    """`ansible-playbook playbooks/site.yml` as AWX starts it: the repository's ansible.cfg,
    no rollout CLI around it."""
    env = {**lab.env, "ANSIBLE_NOCOLOR": "1"}
    env.pop("ROLLOUT_TOLERANT_INVENTORY", None)
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "playbooks/site.yml",
            "--limit",
            "site_bao_thang",
            "-e",
            f"site_rollout_lab_dir={lab.lab_dir}",
            *extra,
        ],
        cwd=lab.repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_check_mode_reports_the_plan_without_shipping_a_module(lab: LabRun) -> None:
    planned = {d["device"]: d for d in lab.json("plan", SITE, "--lab", check=2)["devices"]}
    play = playbook(lab, "--check", "--diff", "-vvv")
    out = play.stdout + play.stderr
    assert play.returncode == 0, out[-4000:]
    # No module is shipped or started: no AnsiballZ payload, no remote temporary folder.
    assert "AnsiballZ" not in out, out[-4000:]
    assert "PUT " not in out and "ansible-tmp-" not in out, out[-4000:]
    # The vault values the tasks pass (secrets) appear nowhere, even at -vvv.
    from rollout.secrets import load_secrets

    secrets = load_secrets(lab.repo)
    leaked = [k for k in secrets if len(secrets[k]) >= 6 and secrets[k] in out]
    assert not leaked, leaked
    # The diff of the push shows exactly the commands `rollout plan` shows, device by device.
    for name in DEVICES:
        header = f"+++ after: {name} (commands)"
        assert header in out, f"no diff for {name}"
        body = out.split(header, 1)[1].split("\n\n", 1)[0]
        for command in planned[name]["commands"][:5]:
            assert command.splitlines()[0] in body, (name, command)
    # Nothing was sent: the devices still plan the same commands.
    again = {d["device"]: d for d in lab.json("plan", SITE, "--lab", check=2)["devices"]}
    assert {k: v["commands"] for k, v in again.items()} == {
        k: v["commands"] for k, v in planned.items()
    }


SITE_TASK = "TASK [site_rollout : Roll out every site of the batch"
REPORT_TASK = "TASK [site_rollout : Report each device's result"


def task_lines(out: str, header: str) -> list[str]:
    """The host lines under a task's header (up to the next header)."""
    body = out.split(header, 1)[1].split("\nTASK [", 1)[0].split("\nPLAY RECAP", 1)[0]
    return [x for x in body.splitlines() if x.startswith(("ok: [", "changed: [", "fatal: ["))]


def test_bare_playbook_rolls_the_site_out_with_per_host_results(lab: LabRun) -> None:
    play = playbook(lab, "-v")
    out = play.stdout + play.stderr
    assert play.returncode == 0, out[-4000:]
    assert "AnsiballZ" not in out
    # The whole site in one task on one host; every device reported on its own host.
    assert len(task_lines(out, SITE_TASK)) == 1, out[-4000:]
    reported = task_lines(out, REPORT_TASK)
    assert {x.split("[", 1)[1].split("]", 1)[0] for x in reported} == DEVICES, reported
    recap = out.split("PLAY RECAP", 1)[1]
    for name in DEVICES:
        line = next(x for x in recap.splitlines() if x.startswith(name))
        assert "changed=1" in line or "changed=2" in line, line
        assert "failed=0" in line and "unreachable=0" in line, line
    for line in reported:
        result = json.loads(line.split("=> ", 1)[1])
        assert result["changed"] is True, result
        assert result["steps"] == {
            "backup": "ok",
            "push": "changed",
            "verify": "ok",
            "confirm": "ok",
            "save": "ok",
        }, result
    # Pushed, confirmed and saved: nothing left to plan; the play removed its lock.
    lab.run("plan", SITE, "--lab", check=0)
    assert lock_marker(lab) is None


def lock_marker(lab: LabRun) -> str | None:
    """The site's lock marker on its router (None: no lock), read over SSH with the driver."""
    from rollout.drivers.base import DeviceLocking
    from rollout.inventory.loader import load_inventory
    from rollout.secrets import load_secrets
    from rollout.targets import driver_for, managed_devices

    inv = load_inventory(lab.repo)
    found = managed_devices(inv, [SITE], load_secrets(lab.repo), lab=lab.lab_dir, timeout=10)
    router = next(m for m in found if m.device.hostname == "bao-thang-rtr01")
    driver = driver_for(router.target)
    try:
        assert isinstance(driver, DeviceLocking)
        return driver.lock_holder()
    finally:
        driver.close()
