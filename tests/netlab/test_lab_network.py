"""`rollout lab up --network`: the device twins and the network lab in one command, and
`rollout lab down` removing both (namespaces, links, sshd and every other process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rollout.netlab import lab, ns

pytestmark = pytest.mark.netlab
SITE = "bao-thang"


def _rollout(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("rollout")
    env = {
        **os.environ,
        "ROLLOUT_NETLAB_DIR": str(root / ".netlab"),
        "ROLLOUT_LAB_DIR": str(root / ".lab"),
    }
    env.pop("ROLLOUT_REPO", None)
    return subprocess.run(
        [str(exe), *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=300,
    )


def test_lab_up_network_then_lab_down_leaves_nothing(tmp_path: Path) -> None:
    from netlabkit import netlab_skip_reason, new_lab_id
    from repocopy import copy_repo

    reason = netlab_skip_reason()
    if reason:
        pytest.skip(reason)
    root = copy_repo(tmp_path / "repo")
    up = _rollout(
        root,
        "lab",
        "up",
        SITE,
        "--network",
        "--lab-id",
        new_lab_id(),
        "--format",
        "json",
    )
    try:
        assert up.returncode == 0, up.stderr
        data = json.loads(up.stdout)
        assert {d["name"] for d in data["devices"]} >= {f"{SITE}-rtr01", f"{SITE}-sw01"}
        made = data["network"]["namespaces"]
        state = lab.NetlabState.read(root / ".netlab")
        assert state is not None
        assert state.lab_id and state.names.rtr(SITE) in made and state.names.hub in made
        assert set(made) <= set(ns.namespaces())
        pids = [p.pid for p in state.processes]
        assert any(p.name == f"sshd-{SITE}" for p in state.processes)
        # the router is at day 0 and is planned over its sshd next to the simulated switch
        plan = _rollout(root, "plan", SITE, "--lab", "--netlab", "--format", "json")
        assert plan.returncode == 2, plan.stderr
        assert "Traceback" not in plan.stderr
    finally:
        down = _rollout(root, "lab", "down")
    assert down.returncode == 0, down.stderr
    assert "network lab down" in down.stdout
    assert not set(made) & set(ns.namespaces())
    assert not [pid for pid in pids if ns.alive(pid)]
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True)
    assert f"{state.names.link(state.sites[SITE].index)}:" not in links.stdout
    assert not (root / ".lab" / "state.json").exists()
