"""`rollout site` in waves against the lab twin of four sites, over real SSH and Ansible:
a failed canary stops before any batch; a batch with a failed site stops at --max-fail 0%;
--resume refuses other options and then finishes the rest without touching the sites done."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from labrun import LabRun, lab_env
from repocopy import copy_repo

pytestmark = [pytest.mark.lab, pytest.mark.ansible]

CANARY, GOOD, BAD, LAST = "bao-thang", "bac-ha", "bao-ha", "ban-xeo"
SITES = [CANARY, GOOD, BAD, LAST]
WAVE = [*SITES, "--canary", CANARY, "--batch", "2", "--max-fail", "0%", "--lab", "--yes"]


class SlowLabRun(LabRun):
    TIMEOUT: ClassVar[float] = 600
    """A wave runs several sites: more time than one site's run."""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabRun]:
    root = tmp_path_factory.mktemp("waves")
    repo = copy_repo(root / "repo")
    lab_dir = root / "lab"
    env = lab_env(lab_dir, ROLLOUT_BACKUP_DIR=str(root / "backups"), COLUMNS="250")
    handle = SlowLabRun(repo, lab_dir, env)
    handle.run("lab", "up", *SITES, "--minute-seconds", "12", check=0)
    try:
        yield handle
    finally:
        handle.run("lab", "down")


def devices_of(lab: LabRun, site: str) -> list[str]:
    state = json.loads((lab.lab_dir / "state.json").read_text())
    return sorted(d for d in state["devices"] if d.startswith(f"{site}-"))


def audit_lines(lab: LabRun) -> list[dict[str, Any]]:
    log = lab.repo / "var" / "audit.log"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]


def pushed_sites(lines: list[dict[str, Any]]) -> set[str]:
    """The sites named by rollout records (start and end of a run)."""
    return {s for r in lines if r.get("action") in ("rollout-start", "rollout") for s in r["sites"]}


def test_a_failed_canary_stops_before_any_batch(lab: LabRun) -> None:
    seen = len(audit_lines(lab))
    canary_file = "var/waves/canary-test.json"
    with lab.faulted(f"{CANARY}-rtr01", {"kind": "auth_fail"}):
        out = lab.run("site", *WAVE, "--waves-file", canary_file, check=1)
    assert "the canary bao-thang failed; no batch was started" in out.stderr
    assert "--resume" in out.stderr
    state = json.loads((lab.repo / canary_file).read_text())
    assert state["sites"][CANARY]["state"] == "not touched"
    assert {state["sites"][s]["state"] for s in SITES[1:]} == {"pending"}
    assert "refused before anything was pushed" in state["sites"][CANARY]["detail"]
    named = {s for r in audit_lines(lab)[seen:] for s in r.get("sites", [])}
    assert named <= {CANARY}, "a site after the canary was touched"


def test_a_failed_batch_stops_and_resume_finishes_without_touching_done_sites(
    lab: LabRun,
) -> None:
    with lab.faulted(f"{BAD}-rtr01", {"kind": "reject_command", "pattern": "ip sla .*"}):
        first = lab.run("site", *WAVE, "--format", "json", check=1)
    result = json.loads(first.stdout)
    states = {s: e["state"] for s, e in result["sites"].items()}
    assert states == {CANARY: "done", GOOD: "done", BAD: "rolled back", LAST: "pending"}
    assert [w["sites"] for w in result["waves"]] == [[CANARY], [GOOD, BAD], [LAST]]
    assert "batch 1: 1 of 2 sites failed (bao-ha)" in result["stopped"]
    assert result["resume"].endswith("--resume")
    events = [json.loads(line) for line in first.stderr.splitlines() if line.startswith("{")]
    assert {"event": "site", "wave": 2, "name": "batch 1", "sites": [BAD]}.items() <= next(
        e for e in events if e.get("sites") == [BAD] and e["event"] == "site"
    ).items()
    path = Path(result["state_file"])
    assert path.parent == lab.repo / "var" / "waves"

    other = lab.run("site", *WAVE, "--batch", "3", "--resume", check=1)
    assert f"{path} was started with other options: batch 2 (this run: 3)" in other.stderr
    assert "--resume" in other.stderr

    # Every device of the sites done refuses logins: a resume that touched any of them (a
    # lock, a backup, a push) would fail. (auth_fail keeps the port: `unreachable` would give
    # it back to the kernel, which may hand it to another program before the fault is cleared.)
    done = [d for s in (CANARY, GOOD) for d in devices_of(lab, s)]
    for device in done:
        lab.fault(device, {"kind": "auth_fail"})
    seen = len(audit_lines(lab))
    try:
        resumed = lab.run("site", *WAVE, "--resume", check=0)
    finally:
        for device in done:
            lab.fault(device, "clear")
    assert "every site done" in resumed.stderr
    assert "wave 1/3 canary: every site already done, skipped" in resumed.stderr
    assert pushed_sites(audit_lines(lab)[seen:]) == {BAD, LAST}
    final = json.loads(path.read_text())
    assert {e["state"] for e in final["sites"].values()} == {"done"}
    assert final["finished"] and not final["stopped"]
    assert final["sites"][CANARY]["backup_set"] == result["sites"][CANARY]["backup_set"]
    lab.run("drift", *SITES, "--lab", check=0)


def test_the_playbook_runs_waves_of_whole_sites_and_stops_at_max_fail(lab: LabRun) -> None:
    """The AWX path: a bare ansible-playbook of playbooks/site.yml with rollout_serial (in
    sites), rollout_canary and rollout_max_fail_percentage: batches hold whole sites, and a
    batch with a failed site ends the play before the next batch."""
    import subprocess

    from labrun import BIN

    extra = {
        "rollout_sites": [GOOD, BAD, LAST],
        "rollout_canary": CANARY,
        "rollout_serial": [2],
        "rollout_max_fail_percentage": 0,
        "site_rollout_lab_dir": str(lab.lab_dir),
    }
    with lab.faulted(f"{BAD}-sw01", {"kind": "auth_fail"}):
        proc = subprocess.run(
            [str(BIN / "ansible-playbook"), "playbooks/site.yml", "-e", json.dumps(extra)],
            cwd=lab.repo,
            env={**lab.env, "ANSIBLE_NOCOLOR": "1"},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    out = proc.stdout
    assert proc.returncode == 2, out + proc.stderr
    batches = out.split("PLAY [")[1:]
    assert len(batches) == 2, out
    ran = [{h.split("-rtr01")[0] for h in re_hosts(b) if h.endswith("-rtr01")} for b in batches]
    assert ran == [{CANARY}, {GOOD, BAD}], out
    assert f"site {BAD} failed" in out
    assert f"{LAST}-" not in out, "the batch after the failed one ran"


def re_hosts(text: str) -> set[str]:
    import re

    return set(re.findall(r"^(?:ok|changed|fatal|skipping): \[([^\]]+)\]", text, re.M))


def test_an_interrupted_batch_leaves_a_state_that_resumes(lab: LabRun) -> None:
    """SIGINT while a batch's playbook runs: the engine rolls the batch back, the state file
    says so, exit 1 with the resume command; --resume then finishes the batch."""
    import signal
    import time

    file = "var/waves/interrupt-test.json"
    args = [GOOD, LAST, "--batch", "2", "--waves-file", file, "--lab", "--yes"]
    journal = lab.repo / "var" / "journal" / f"{LAST}.jsonl"
    before = journal.read_text() if journal.exists() else ""
    with lab.faulted(f"{LAST}-sw01", {"kind": "slow", "seconds": 2}):
        proc = lab.spawn("site", *args)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            # The run's journal begins (a closed run's file is moved away first).
            now = journal.read_text() if journal.exists() else ""
            if now != before and '"begin"' in now:
                break
            time.sleep(0.2)
        if proc.poll() is not None:
            _out, err = proc.communicate()
            raise AssertionError(f"the batch ended before it could be interrupted:\n{err}")
        time.sleep(2)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=600)
    assert proc.returncode == 1, err
    assert "interrupted" in err and "--resume" in err
    state = json.loads((lab.repo / file).read_text())
    assert state["stopped"].startswith("interrupted")
    assert state["sites"][LAST]["state"] != "done"
    resumed = lab.run("site", *args, "--resume", check=0)
    assert "every site done" in resumed.stderr
    final = json.loads((lab.repo / file).read_text())
    assert {e["state"] for e in final["sites"].values()} == {"done"}
