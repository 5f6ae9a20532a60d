"""Saved plans and honest results, against the lab twin over real SSH and real Ansible.

`plan --out`, a change by hand on one device, then `site --plan`: refused naming it, nothing
pushed. Without the change, the saved commands are exactly what is pushed. A failure before
any push reports `not touched` for every device in the table, the recap and the audit log.
"""

from __future__ import annotations

import json
import re
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from faultlab import BIN, FaultLab, start

pytestmark = [pytest.mark.lab, pytest.mark.ansible]

SITE = "bao-thang"
DEVICES = {"bao-thang-rtr01", "bao-thang-sw01", "bao-thang-codec01"}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultLab]:
    handle = start(tmp_path_factory.mktemp("plans"), [SITE], 12)
    try:
        yield handle
    finally:
        handle.run("lab", "down")


def audit_since(lab: FaultLab, seen: int) -> list[dict[str, Any]]:
    log = lab.repo / "var" / "audit.log"
    return [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()[seen:]]


def audit_len(lab: FaultLab) -> int:
    log = lab.repo / "var" / "audit.log"
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def hand_change(lab: FaultLab, device: str, line: str) -> None:
    lab.run("lab", "send", device, "--config", line, check=0)


def plans(lab: FaultLab) -> dict[str, list[str]]:
    result = json.loads(lab.run("plan", SITE, "--lab", "--format", "json").stdout)
    return {d["device"]: d["commands"] for d in result["devices"]}


def test_1_saved_plan_is_refused_naming_the_device_changed_by_hand(
    lab: FaultLab, tmp_path: Path
) -> None:
    out = tmp_path / "bao-thang.plan.json"
    saved = lab.run("plan", SITE, "--lab", "--out", str(out), check=2)
    assert "bao-thang: rtr01 +" in saved.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = json.loads(out.read_text())
    assert data["format"] == "rollout-plan" and data["version"] == 1
    assert {d["hostname"] for d in data["devices"]} == DEVICES
    text = out.read_text()
    from rollout.secrets import load_secrets

    secrets = load_secrets(lab.repo)
    assert not [k for k, v in secrets.items() if len(v) >= 4 and v in text], "a secret leaked"
    assert "{{ vault_" in text, "vault values are stored as references"

    before = plans(lab)
    hand_change(lab, "bao-thang-sw01", "snmp-server location changed-by-hand")
    seen = audit_len(lab)
    refused = lab.run("site", SITE, "--lab", "--yes", "--plan", str(out), check=1)
    assert "bao-thang-sw01" in refused.stderr
    assert "does not match the saved plan" in refused.stderr
    assert "bao-thang-rtr01: plan-check" not in refused.stderr
    rows = [line for line in refused.stdout.splitlines() if "bao-thang-" in line]
    assert len(rows) == 3 and all("not touched" in row for row in rows), refused.stdout
    assert "RECAP bao-thang: FAILED: not touched 3" in refused.stdout
    entries = audit_since(lab, seen)
    assert not [e for e in entries if e["action"] == "push"], "something was pushed"
    run = [e for e in entries if e["action"] == "rollout"][-1]
    assert set(run["results"].values()) == {"not touched"}
    assert run["result"] == "failed: not touched 3"
    after = plans(lab)
    assert after["bao-thang-rtr01"] == before["bao-thang-rtr01"]
    assert after["bao-thang-codec01"] == before["bao-thang-codec01"]


def test_2_saved_plan_applies_exactly_the_saved_commands(lab: FaultLab, tmp_path: Path) -> None:
    from rollout import audit
    from rollout.engine import planfile
    from rollout.secrets import load_secrets

    secrets = load_secrets(lab.repo)
    out = tmp_path / "p.json"
    lab.run("plan", SITE, "--lab", "--out", str(out), check=2)
    saved = planfile.load(out)
    seen = audit_len(lab)
    done = json.loads(
        lab.run(
            "site", SITE, "--lab", "--yes", "--plan", str(out), "--format", "json", check=0
        ).stdout
    )
    assert {h["host"]: h["result"] for h in done["hosts"]} == dict.fromkeys(DEVICES, "changed")
    pushes = {e["devices"][0]: e for e in audit_since(lab, seen) if e["action"] == "push"}
    for device in saved.devices:
        sent = [planfile.refill(c, secrets) for c in device.commands]
        assert pushes[device.hostname]["change"] == audit.change_hash(sent), device.hostname
    assert all(not c for c in plans(lab).values()), "converged"
    again = json.loads(lab.run("site", SITE, "--lab", "--yes", "--format", "json", check=0).stdout)
    assert {h["host"]: h["result"] for h in again["hosts"]} == dict.fromkeys(DEVICES, "unchanged")


def test_3_confirmation_shows_the_plan_summary_and_dry_run_the_commands(lab: FaultLab) -> None:
    hand_change(lab, "bao-thang-sw01", "snmp-server location again-by-hand")
    asked = subprocess.run(
        [str(BIN / "rollout"), "site", SITE, "--lab"],
        cwd=lab.repo,
        env=lab.env,
        input="n\n",
        capture_output=True,
        text=True,
        timeout=lab.TIMEOUT,
        check=False,
    )
    assert asked.returncode == 1, asked.stderr
    summary = r"bao-thang: rtr01 no change, sw01 \+\d+( -\d+)?, codec01 no change"
    assert re.search(summary, asked.stderr), asked.stderr
    assert "with this plan?" in asked.stderr
    dry = lab.run("site", SITE, "--lab", "--dry-run", check=2)
    assert "== bao-thang-sw01:" in dry.stdout
    assert "snmp-server location" in dry.stdout
    backups = lab.backups / SITE
    assert all(any(p.iterdir()) for p in backups.iterdir() if p.is_dir()), "empty backup folder"


def test_4_failure_before_any_push_reports_not_touched(lab: FaultLab) -> None:
    seen = audit_len(lab)
    with lab.faulted("bao-thang-codec01", {"kind": "auth_fail"}):
        proc = lab.run("site", SITE, "--lab", "--yes", "--format", "json", check=1)
    done = json.loads(proc.stdout)
    assert {h["host"]: h["result"] for h in done["hosts"]} == dict.fromkeys(DEVICES, "not touched")
    assert done["recap"][0].startswith("bao-thang: FAILED: not touched 3")
    events = [json.loads(x) for x in proc.stderr.splitlines() if x.startswith("{")]
    assert events and all(e["event"] == "task" for e in events), "progress as JSON lines"
    entries = audit_since(lab, seen)
    assert not [e for e in entries if e["action"] in ("push", "rollback")]
    run = [e for e in entries if e["action"] == "rollout"][-1]
    assert set(run["results"].values()) == {"not touched"}
    assert run["result"] == "failed: not touched 3"
    table = lab.run("site", SITE, "--lab", "--yes", check=0, timeout=lab.TIMEOUT)
    assert "RECAP bao-thang: ok: changed 1, unchanged 2" in table.stdout
    assert "<site>" not in table.stdout + table.stderr
