"""Scope against a lab of one site, over real SSH and real ansible-playbook: what `--all`
could not check is named with the reason (exit 1); --role and --device pick devices; a broken
site file next to the pilot does not stop the pilot's plan or rollout."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labrun import LabRun, lab_env
from repocopy import copy_repo
from rollout.inventory.loader import load_inventory

pytestmark = [pytest.mark.lab, pytest.mark.ansible]

SITE = "bao-thang"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabRun]:
    root = tmp_path_factory.mktemp("scope")
    repo = copy_repo(root / "repo")
    broken = repo / "inventory" / "sites" / "sa-pa.yml"
    broken.write_text(broken.read_text(encoding="utf-8") + "vlanz: 1\n", encoding="utf-8")
    lab_dir = root / "lab"
    handle = LabRun(repo, lab_dir, lab_env(lab_dir, ROLLOUT_BACKUP_DIR=str(root / "backups")))
    handle.run("lab", "up", SITE, check=0)  # no base port: ports the kernel picks
    try:
        yield handle
    finally:
        handle.run("lab", "down")


def _sites(repo: Path) -> set[str]:
    return {p.stem for p in (repo / "inventory" / "sites").glob("*.yml")}


def _devices(result: dict[str, Any]) -> list[str]:
    return sorted(d["device"] for d in result["devices"])


def test_drift_all_names_what_the_lab_does_not_hold(lab: LabRun) -> None:
    report = lab.json("drift", "--all", "--lab", check=1)
    assert {d["device"] for d in report["devices"]} == {
        f"{SITE}-rtr01",
        f"{SITE}-sw01",
        f"{SITE}-codec01",
    }
    left = report["left_out"]
    assert {x["site"] for x in left} == _sites(lab.repo) - {SITE}
    [broken] = [x for x in left if x["site"] == "sa-pa"]
    assert broken["device"] is None and broken["problems"][0]["path"] == "vlanz"
    absent = [x for x in left if x["site"] == "bac-ha"]
    assert {x["device"] for x in absent} == {"bac-ha-rtr01", "bac-ha-sw01", "bac-ha-codec01"}
    assert all(x["reason"] == "not in the lab" and "rollout lab up" in x["fix"] for x in absent)

    text = lab.run("drift", "--all", "--lab", check=1)
    assert "left out: site bac-ha: 3 devices not in the lab" in text.stderr
    assert "left out: site sa-pa: inventory/sites/sa-pa.yml has 1 problem" in text.stderr
    lab.run("drift", SITE, "--lab", check=2)  # named: what the user meant, all of it there


def test_plan_picks_devices_by_name_and_role(lab: LabRun) -> None:
    one = lab.json("plan", SITE, "--lab", "--device", f"{SITE}-sw01", check=2)
    assert _devices(one) == [f"{SITE}-sw01"] and one["left_out"] == []
    globbed = lab.json("plan", SITE, "--lab", "--device", "*-codec01", "--device", "*-rtr01")
    assert _devices(globbed) == [f"{SITE}-codec01", f"{SITE}-rtr01"]
    codecs = lab.json("plan", "--all", "--lab", "--role", "codec", check=1)
    assert _devices(codecs) == [f"{SITE}-codec01"]
    inv = load_inventory(lab.repo, tolerant=True)
    absent = {d.hostname for s, d in inv.devices() if d.role.value == "codec" and s.slug != SITE}
    assert absent and {x["device"] for x in codecs["left_out"] if x["device"]} == absent
    assert [x["site"] for x in codecs["left_out"] if x["device"] is None] == ["sa-pa"]


def test_site_by_role_rolls_out_only_those_devices(lab: LabRun) -> None:
    done = lab.json("site", SITE, "--lab", "--yes", "--role", "lan_switch", check=0)
    assert done["ok"] and [h["host"] for h in done["hosts"]] == [f"{SITE}-sw01"]
    after = {d["device"]: d for d in lab.json("plan", SITE, "--lab", check=2)["devices"]}
    assert after[f"{SITE}-sw01"]["changed"] is False
    assert after[f"{SITE}-rtr01"]["changed"] is True  # not chosen: not touched
    assert after[f"{SITE}-codec01"]["changed"] is True
