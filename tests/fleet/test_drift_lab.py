"""`rollout drift` over a converged lab: faults and out-of-band changes stay per device."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fleetlab import SITES, Fleet

pytestmark = pytest.mark.lab


def _by_device(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["device"]: d for d in report["devices"]}


def test_converged_fleet_is_clean(fleet: Fleet) -> None:
    report = fleet.drift(*SITES, check=0)
    assert report["summary"]["devices"] == 9
    assert {d["state"] for d in report["devices"]} == {"clean"}
    assert report["left_out"] == []


def test_all_names_the_sites_the_lab_does_not_hold(fleet: Fleet) -> None:
    report = fleet.drift("--all", check=1)  # clean, but not all of it could be checked
    assert {d["state"] for d in report["devices"]} == {"clean"}
    assert report["summary"]["devices"] == 9
    absent = {p.stem for p in (fleet.repo / "inventory" / "sites").glob("*.yml")} - set(SITES)
    assert absent and {x["site"] for x in report["left_out"]} == absent
    assert {x["reason"] for x in report["left_out"]} == {"not in the lab"}


def test_faults_and_out_of_band_changes_each_on_their_own_device(fleet: Fleet) -> None:
    fleet.fault("bao-thang-rtr01", {"kind": "unreachable"})
    fleet.fault("bat-xat-sw01", {"kind": "auth_fail"})
    fleet.fault("sa-pa-rtr01", {"kind": "slow", "seconds": 4})
    fleet.run(
        "lab",
        "send",
        "sa-pa-sw01",
        "--config",
        "snmp-server community public RO",
        check=0,
    )
    fleet.run("lab", "send", "bat-xat-codec01", "h323name set Rogue", check=0)
    try:
        report = fleet.drift(*SITES, "--timeout", "1.5", "--retries", "0", check=1)
    finally:
        for device in ("bao-thang-rtr01", "bat-xat-sw01", "sa-pa-rtr01"):
            fleet.fault(device, "clear")
    got = _by_device(report)
    assert got["bao-thang-rtr01"]["kind"] == "unreachable"
    assert got["bat-xat-sw01"]["kind"] == "auth"
    assert got["sa-pa-rtr01"]["kind"] == "timeout"
    assert got["sa-pa-sw01"]["state"] == "drift"
    assert any("snmp-server community public" in x["line"] for x in got["sa-pa-sw01"]["lines"])
    assert got["bat-xat-codec01"]["state"] == "drift"
    assert any("h323name" in x["line"] for x in got["bat-xat-codec01"]["lines"])
    touched = {"bao-thang-rtr01", "bat-xat-sw01", "sa-pa-rtr01", "sa-pa-sw01", "bat-xat-codec01"}
    assert all(d["state"] == "clean" for name, d in got.items() if name not in touched)
    assert report["summary"]["error"] == 3
    assert report["summary"]["drift"] == 2


def test_selectors_formats_and_allow_list(fleet: Fleet) -> None:
    fleet.run("lab", "send", "bao-thang-sw01", "--config", "ip domain-lookup", check=0)
    codecs = fleet.drift(*SITES, "--platform", "polycom")
    assert {d["platform"] for d in codecs["devices"]} == {"polycom"}
    switches = fleet.drift("bao-thang", "--role", "lan_switch", check=2)
    assert [d["device"] for d in switches["devices"]] == ["bao-thang-sw01"]

    md = fleet.run("drift", "bao-thang", "--lab", "--format", "markdown", check=2).stdout
    assert "| bao-thang-sw01 | bao-thang | cisco_ios | drift |" in md
    html = fleet.run("drift", "bao-thang", "--lab", "--format", "html", check=2).stdout
    assert '<tr class="drift"><td>bao-thang-sw01</td>' in html

    allow = fleet.repo / "inventory" / "drift-allow.yml"
    allow.write_text(
        "---\nallow:\n  - device: bao-thang-sw01\n    lines: ['^(no )?ip domain[- ]lookup$']\n"
        "    reason: DNS for the site's own tools (ticket 42)\n    expires: 2999-12-31\n"
    )
    try:
        report = fleet.drift("bao-thang", check=0)
        sw = _by_device(report)["bao-thang-sw01"]
        assert sw["state"] == "allowed"
        assert "ticket 42" in sw["lines"][0]["allowed"]
        allow.write_text(
            "---\nallow:\n  - device: bao-thang-sw01\n    lines: ['^ip domain']\n"
            "    reason: old exception\n    expires: 2001-01-31\n"
        )
        proc = fleet.run("drift", "bao-thang", "--lab", check=1)
        assert "expired on 2001-01-31" in proc.stderr
    finally:
        allow.unlink()


def test_history_and_diff_between_backups(fleet: Fleet) -> None:
    fleet.run("backup", "sa-pa", "--lab", check=0)
    fleet.run("lab", "send", "sa-pa-rtr01", "--config", "ip domain-name example.org", check=0)
    fleet.run("backup", "sa-pa", "--lab", check=0)
    hist = fleet.run("history", "sa-pa-rtr01", "--format", "json", check=0).stdout
    versions = json.loads(hist)
    assert len(versions) == 2
    assert versions[0]["changes"] is None
    assert versions[1]["changes"] >= 1  # the line added (and any it replaced)
    proc = fleet.run("diff", "sa-pa-rtr01", check=2)
    assert "+ip domain name example.org" in proc.stdout  # as IOS shows it
    same = fleet.run("diff", "sa-pa-rtr01", "--since", versions[1]["id"], check=0)
    assert "no change" in same.stdout


@pytest.mark.ansible
def test_drift_playbook_under_ansible_runner(fleet: Fleet, tmp_path: Path) -> None:
    """The baseline playbook runs as AWX runs it: ansible-runner, process isolation off."""
    import os
    import sys

    import ansible_runner

    (tmp_path / "runner").mkdir()
    result = ansible_runner.run(
        private_data_dir=str(tmp_path / "runner"),
        project_dir=str(fleet.repo),
        playbook=str(fleet.repo / "playbooks/drift.yml"),
        inventory=str(fleet.repo / "inventory/rollout.yml"),
        limit="site_bao_thang",
        extravars={"drift_check_lab_dir": str(fleet.lab_dir)},
        envvars={
            "ANSIBLE_CONFIG": str(fleet.repo / "ansible.cfg"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        },
        process_isolation=False,
        forks=3,
        quiet=True,
    )
    assert result.status == "successful", result.stdout.read()
    assert result.rc == 0
    artifacts = Path(result.config.artifact_dir)
    assert (artifacts / "status").read_text() == "successful"
    assert (artifacts / "rc").read_text() == "0"
    assert "bao-thang-codec01" in (artifacts / "stdout").read_text()
    events = [json.loads(p.read_text()) for p in (artifacts / "job_events").glob("*.json")]
    ok = {
        e["event_data"]["host"]
        for e in events
        if e["event"] == "runner_on_ok" and e["event_data"]["task"].startswith("Check")
    }
    assert ok == {"bao-thang-rtr01", "bao-thang-sw01", "bao-thang-codec01"}
    states = {
        e["event_data"]["host"]: e["event_data"]["res"]["state"]
        for e in events
        if e["event"] == "runner_on_ok" and "state" in e["event_data"].get("res", {})
    }
    assert set(states.values()) <= {"clean", "drift"}
