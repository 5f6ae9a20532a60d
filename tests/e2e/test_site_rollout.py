"""The main job end to end against the lab: plan, site, second run, drift, rollback, faults.

Everything is real: the lab's SSH server, Netmiko sessions, ansible-playbook through
ansible-runner. Nothing is mocked.
"""

from __future__ import annotations

from typing import Any

import pytest

from labrun import LabRun as Lab

pytestmark = [pytest.mark.lab, pytest.mark.ansible]


def devices(result: Any) -> dict[str, Any]:
    return {d["device"]: d for d in result["devices"]}


def test_day0_plan_shows_changes_for_every_managed_device(lab: Lab) -> None:
    result = lab.json("plan", "bao-thang", "--lab", check=2)
    plans = devices(result)
    assert set(plans) == {"bao-thang-rtr01", "bao-thang-sw01", "bao-thang-codec01"}
    assert all(p["ok"] and p["changed"] for p in plans.values())
    router = plans["bao-thang-rtr01"]["commands"]
    assert "hostname bao-thang-rtr01" not in router  # already staged
    assert any(c.startswith("policy-map WAN-SHAPER") for c in router)
    assert any("<redacted>" in c for c in router), "write-only SNMP user is sent, redacted"
    codec = plans["bao-thang-codec01"]["commands"]
    assert "diffservaudio set 46" in codec


def test_site_rolls_out_then_second_run_changes_nothing(lab: Lab) -> None:
    first = lab.json("site", "bao-thang", "--lab", "--yes", check=0)
    assert first["ok"]
    lab.run("plan", "bao-thang", "--lab", check=0)
    second = lab.json("site", "bao-thang", "--lab", "--yes", check=0)
    assert all(h["state"] == "unchanged" for h in second["hosts"]), second["hosts"]
    lab.run("drift", "bao-thang", "--lab", check=0)


def test_ansible_check_diff_mode_shows_the_same_plan(lab: Lab) -> None:
    lab.run("site", "bao-thang", "--lab", "--yes", check=0)
    dry = lab.json("site", "bao-thang", "--lab", "--dry-run", check=0)
    assert dry["dry_run"]


def test_out_of_band_change_is_drift_and_plan_repairs_it(lab: Lab) -> None:
    from rollout.drivers.base import Target
    from rollout.drivers.cisco_ios import CiscoIosDriver
    from rollout.inventory.model import Platform
    from rollout.lab.manager import LabState

    lab.run("site", "bao-thang", "--lab", "--yes", check=0)
    state = LabState.read(lab.lab_dir)
    assert state is not None
    where = state.devices["bao-thang-sw01"]
    from rollout.secrets import load_secrets

    secrets = load_secrets(lab.repo)
    target = Target(
        "bao-thang-sw01",
        Platform.CISCO_IOS,
        where.host,
        where.port,
        "noc",
        secrets["vault_admin_password"],
        state.known_hosts,
    )
    driver = CiscoIosDriver(target)
    driver.conn.send_config_set(
        ["interface GigabitEthernet1/0/1", " shutdown", "snmp-server community public RO"]
    )
    driver.close()
    drift = lab.json("drift", "bao-thang", "--lab", check=2)
    rows = {r["device"]: r for r in drift["devices"]}
    assert rows["bao-thang-sw01"]["state"] == "drift"
    assert rows["bao-thang-rtr01"]["state"] == "clean"
    plan = devices(lab.json("plan", "bao-thang", "--lab", check=2))
    commands = plan["bao-thang-sw01"]["commands"]
    assert "no snmp-server community public RO" in commands
    lab.run("site", "bao-thang", "--lab", "--yes", check=0)
    lab.run("drift", "bao-thang", "--lab", check=0)


def test_backup_and_rollback(lab: Lab) -> None:
    lab.run("site", "bao-thang", "--lab", "--yes", check=0)
    backup = lab.json("backup", "bao-thang", "--lab", check=0)
    set_id = backup["sets"]["bao-thang"]
    lab.run("rollback", "bao-thang", "--to", set_id, "--lab", check=0)
    lab.run("drift", "bao-thang", "--lab", check=0)


def test_fault_mid_rollout_rolls_the_whole_site_back(lab: Lab) -> None:
    # The hub starts at day 0; its switch drops the session after 5 config lines.
    before = devices(lab.json("plan", "ubnd-tinh", "--lab", check=2))
    lab.run("lab", "fault", "ubnd-tinh-sw01", '{"kind": "drop_after_lines", "lines": 5}', check=0)
    try:
        failed = lab.run("site", "ubnd-tinh", "--lab", "--yes", check=1)
    finally:
        lab.run("lab", "fault", "ubnd-tinh-sw01", "clear", check=0)
    assert "ubnd-tinh-sw01" in failed.stderr
    assert "rolled back" in failed.stderr
    after = devices(lab.json("plan", "ubnd-tinh", "--lab", check=2))
    for name, plan in before.items():
        assert after[name]["commands"] == plan["commands"], f"{name} is not back at day 0"


def test_each_device_confirms_before_it_saves(lab: Lab) -> None:
    """The steps a rollout actually ran, per device, from the audit log: push with the revert
    timer, verify, confirm, and save last (an unconfirmed change never reaches startup)."""
    import json

    from rollout.ops import COMMIT_ORDER

    log = lab.repo / "var" / "audit.log"
    seen = len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0
    lab.run("site", "bao-thang", "--lab", "--yes", check=0)
    entries = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()[seen:]]
    steps: dict[str, list[str]] = {}
    for entry in entries:
        if entry["action"] in COMMIT_ORDER and entry["result"] == "ok":
            for device in entry["devices"]:
                steps.setdefault(device, []).append(entry["action"])
    assert set(steps) == {"bao-thang-rtr01", "bao-thang-sw01", "bao-thang-codec01"}
    for device, done in steps.items():
        assert done == list(COMMIT_ORDER), f"{device} ran {done}"
    startup = lab.run("lab", "send", "bao-thang-rtr01", "show startup-config", check=0).stdout
    assert "login quiet-mode access-class NOC-MGMT" in startup  # the confirmed change was saved


def test_the_lab_runs_on_what_a_live_run_refuses(lab: Lab) -> None:
    """The lab repository uses the committed lab vault and a documentation cloud prefix: the
    lab takes them; the same plan against the real devices is refused before any session."""
    import json

    log = lab.repo / "var" / "audit.log"
    seen = len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0
    env = {k: v for k, v in lab.env.items() if k not in ("ROLLOUT_LAB", "ROLLOUT_LAB_DIR")}
    live = Lab(lab.repo, lab.lab_dir, env)
    refused = live.run("plan", "bao-thang", check=1)
    assert "ansible.cfg: vault_password_file" in refused.stderr
    assert "inventory/province.yml: cloud.prefixes[0]: 203.0.113.0/24" in refused.stderr
    entries = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()[seen:]]
    assert not [e for e in entries if e["devices"]], "a device was contacted"
    planned = lab.run("plan", "bao-thang", "--lab")
    assert planned.returncode in (0, 2), planned.stderr  # 2: changes to make, 0: none left
