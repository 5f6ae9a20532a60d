"""The pilot on the other supported models (ISR4331 router, Catalyst 9200 switch), end to end
over real SSH and real ansible-playbook: the lab twin starts each device from its model's
day-0, the plan touches nothing outside the managed scope, one rollout converges, and the
second plan and the drift find nothing (exit 0)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from labrun import LabRun, lab_env
from repocopy import copy_repo
from rollout.hardware import MODELS

pytestmark = [pytest.mark.lab, pytest.mark.ansible]

SITE = "bao-thang"
ROUTER_MODEL = "ISR4331"
SWITCH_MODEL = "C9200-24P"


def _use_models(repo: Path) -> None:
    path = repo / "inventory" / "sites" / f"{SITE}.yml"
    site = yaml.safe_load(path.read_text(encoding="utf-8"))
    for device in site["devices"]:
        if device["role"] == "wan_router":
            device["model"] = ROUTER_MODEL
        elif device["role"] == "lan_switch":
            device["model"] = SWITCH_MODEL
    path.write_text(yaml.safe_dump(site, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabRun]:
    root = tmp_path_factory.mktemp("models")
    repo = copy_repo(root / "repo")
    _use_models(repo)
    lab_dir = root / "lab"
    handle = LabRun(repo, lab_dir, lab_env(lab_dir, ROLLOUT_BACKUP_DIR=str(root / "backups")))
    handle.run("lab", "up", SITE, check=0)
    try:
        yield handle
    finally:
        handle.run("lab", "down")


def _by_device(result: dict[str, Any]) -> dict[str, Any]:
    return {d["device"]: d for d in result["devices"]}


# The base template turns the device's web server off on purpose (`no ip http server`,
# `no ip http secure-server`: templates/cisco_ios/_base.j2), so the `ip http` family is owned.
HARDENED = ("ip http ",)


def _factory_lines(model: str) -> list[str]:
    """The model's top-level factory lines outside what the templates harden on purpose."""
    hardware = MODELS[model]
    lines = (*hardware.head, *hardware.tail)
    return [
        line
        for line in lines
        if line and not line.startswith((" ", "!")) and not line.startswith(HARDENED)
    ]


def test_day0_plan_leaves_the_models_platform_lines_alone(lab: LabRun) -> None:
    plans = _by_device(lab.json("plan", SITE, "--lab", check=2))
    for device, model in ((f"{SITE}-rtr01", ROUTER_MODEL), (f"{SITE}-sw01", SWITCH_MODEL)):
        commands = plans[device]["commands"]
        assert plans[device]["ok"] and commands, device
        negated = {c.removeprefix("no ").strip() for c in commands if c.startswith("no ")}
        touched = [line for line in _factory_lines(model) if line in negated]
        assert touched == [], f"{device} ({model}) negates factory lines: {touched}"
        assert plans[device]["unmanaged_count"] > 0, f"{device}: factory lines are unmanaged"


def test_one_rollout_converges_and_a_rollback_restores_day0(lab: LabRun) -> None:
    day0 = _by_device(lab.json("plan", SITE, "--lab", check=2))
    done = lab.json("site", SITE, "--lab", "--yes", check=0)
    assert done["ok"], done
    again = lab.json("plan", SITE, "--lab", check=0)
    assert all(not d["changed"] for d in again["devices"]), again["devices"]
    lab.run("drift", SITE, "--lab", check=0)

    # Back to the factory day-0 the rollout backed up: every line the rollout set is undone
    # the way IOS undoes it (`default logging buffered`, not `no logging buffered`, which
    # would switch buffered logging off), so the device is exactly as it was: the same plan
    # (its order follows the device's own order of sections, which a rollback may change).
    lab.run("rollback", SITE, "--to", done["backup_set"], "--lab", check=0)
    back = _by_device(lab.json("plan", SITE, "--lab", check=2))
    for device, plan in day0.items():
        gone = sorted(set(plan["commands"]) - set(back[device]["commands"]))
        new = sorted(set(back[device]["commands"]) - set(plan["commands"]))
        assert (gone, new) == ([], []), f"{device} is not back at day-0"
