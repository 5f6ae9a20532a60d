"""`kill -9` of `rollout site` at each step, then the journal names the unfinished rollout and
`rollout recover` leaves the site old or new as a whole, the codec included.

Where the run is comes from the site's journal (each device step's start and end, written as
the site transaction runs them), never from a sleep; a slow router keeps the run inside a step
while the other devices are past it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from faultlab import FaultLab, start

pytestmark = [pytest.mark.lab, pytest.mark.ansible]
SITE = "bao-thang"
RTR, SW, CODEC = "bao-thang-rtr01", "bao-thang-sw01", "bao-thang-codec01"
ALL = [RTR, SW, CODEC]
BACKUP = "backup"
PUSH = "push"
CONFIRM = "save"
"""The step whose end says a device is past it (the confirm and the save run together)."""


def _slow_now(lab: FaultLab, device: str) -> None:
    """Slow the device through the lab's control socket (milliseconds, where `rollout lab
    fault` takes a process start): the site transaction starts a device's next step as soon as
    the one the test waited for ends."""
    from rollout.lab.control import ControlClient

    ControlClient(lab.lab_dir).request(
        {"op": "set_fault", "device": device, "fault": {"kind": "slow", "seconds": 1.0}}
    )


def _journal_has(lab: FaultLab, device: str, step: str, phase: str) -> bool:
    """The site's journal holds this step entry (read while the run appends to it)."""
    path = lab.repo / "var/journal" / f"{SITE}.jsonl"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    want = {"device": device, "step": step, "phase": phase}
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:  # the line being written
            continue
        if all(entry.get(k) == v for k, v in want.items()):
            return True
    return False


@pytest.fixture
def old_site(tmp_path: Path) -> Iterator[FaultLab]:
    """A lab of its own per test: every device old (its day-0 backup), no fault. (Putting a
    fully rolled-out IOS twin back to day 0 leaves `logging` default lines behind, so a site
    is not reset in place between tests.)"""
    handle = start(tmp_path, [SITE], 12)
    try:
        assert set(handle.states(SITE).values()) == {"old"}
        yield handle
    finally:
        handle.run("lab", "down")


class Progress:
    """Where the run is, from the site's journal (bounded waits); the run's stderr is read on a
    thread so that it never blocks on a full pipe."""

    def __init__(self, proc: subprocess.Popen[str], lab: FaultLab) -> None:
        self.proc = proc
        self.lab = lab
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.seen.append(line)

    def until(self, step: str, hosts: list[str]) -> None:
        """Every host in hosts has ended step (its journal entry 'done')."""
        waiting = set(hosts)
        deadline = time.monotonic() + 180
        while waiting and time.monotonic() < deadline:
            waiting = {h for h in waiting if not _journal_has(self.lab, h, step, "done")}
            if waiting:
                assert self.proc.poll() is None, f"the run ended before {step}:\n" + "".join(
                    self.seen
                )
                time.sleep(0.02)
        assert not waiting, f"no '{step}' for {sorted(waiting)}:\n" + "".join(self.seen)

    def reported(self, step: str, host: str) -> bool:
        return _journal_has(self.lab, host, step, "done")


def _kill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _spawn(lab: FaultLab, *extra: str) -> tuple[subprocess.Popen[str], Progress]:
    proc = lab.spawn("site", SITE, "--lab", "--yes", *extra)
    return proc, Progress(proc, lab)


def _names_unfinished(lab: FaultLab, pid: int) -> None:
    """plan and drift (people and JSON) both name the unfinished rollout and its pid."""
    plan = lab.run("plan", SITE, "--lab")
    assert f"unfinished rollout of {SITE}" in plan.stderr, plan.stderr
    assert f"pid {pid}" in plan.stderr and f"rollout recover {SITE}" in plan.stderr
    drift = lab.run("drift", SITE, "--lab")
    assert f"unfinished rollout of {SITE}" in drift.stderr, drift.stderr
    data = lab.json("plan", SITE, "--lab")
    assert [u["pid"] for u in data["unfinished"]] == [pid]
    report = lab.json("drift", SITE, "--lab")
    assert [u["site"] for u in report["unfinished"]] == [SITE]


def _recover(lab: FaultLab) -> str:
    """recover, then the site is all old or all new, matching the outcome, and settled."""
    out = lab.json("recover", SITE, "--lab", check=0)
    states = lab.states(SITE)
    want = {"rolled forward": "new", "rolled back": "old"}[out["outcome"]]
    assert set(states.values()) == {want}, (out, states)
    plan = lab.run("plan", SITE, "--lab")
    assert "unfinished rollout" not in plan.stderr, plan.stderr
    assert "UNCONFIRMED" not in plan.stdout, plan.stdout
    assert plan.returncode == (0 if want == "new" else 2), plan.stdout
    again = lab.json("recover", SITE, "--lab", check=0)
    assert again["outcome"] == "nothing to recover"
    return str(out["outcome"])


def _journal(lab: FaultLab) -> list[dict[str, object]]:
    path = lab.repo / "var/journal" / f"{SITE}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_kill_after_backup(old_site: FaultLab) -> None:
    lab = old_site
    for name in ALL:
        lab.fault(name, {"kind": "slow", "seconds": 0.3})
    proc, progress = _spawn(lab)
    try:
        progress.until(BACKUP, ALL)
        _kill(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    for name in ALL:
        lab.fault(name, "clear")
    entries = _journal(lab)
    assert entries[0]["event"] == "begin" and entries[0]["pid"] == proc.pid
    backed = {e["device"] for e in entries if e.get("step") == "backup" and e["phase"] == "done"}
    assert backed == set(ALL)
    assert not any(e["event"] == "end" for e in entries)
    _names_unfinished(lab, proc.pid)
    assert _recover(lab) == "rolled back"


def test_kill_after_push_then_timers_fire(old_site: FaultLab) -> None:
    """The issue's case: router and switch revert by themselves, the codec does not; plan and
    drift say so, and recover rolls the codec back too."""
    lab = old_site
    proc, progress = _spawn(lab, "--revert-minutes", "3")
    try:
        progress.until(PUSH, ALL)
        _kill(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    plan = lab.run("plan", SITE, "--lab", check=2)  # well inside the 3 lab minutes
    assert "no changes" not in plan.stdout, plan.stdout
    assert plan.stdout.count("UNCONFIRMED") == 3, plan.stdout
    assert f"{CODEC} does not revert (no revert timer)" in plan.stderr, plan.stderr
    assert f"{RTR} and {SW} revert at" in plan.stderr, plan.stderr
    drift = lab.json("drift", SITE, "--lab", check=2)
    assert {d["device"]: d["state"] for d in drift["devices"]} == dict.fromkeys(ALL, "drift")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # the revert timers fire by themselves (3 lab minutes)
        states = lab.states(SITE)
        if states[RTR] != "new" and states[SW] != "new":
            break
        time.sleep(1)
    # The mix no one planned: router and switch back to the archive their timer took (the old
    # configuration plus the archive section the push had to configure first), the codec new.
    assert states[RTR] != "new" and states[SW] != "new" and states[CODEC] == "new", states
    _names_unfinished(lab, proc.pid)
    plan = lab.run("plan", SITE, "--lab", check=2)
    assert f"unfinished rollout of {SITE}" in plan.stderr
    assert f"{RTR} and {SW} no longer have a revert timer" in plan.stderr, plan.stderr
    assert f"== {CODEC}: UNCONFIRMED" in plan.stdout, plan.stdout
    assert _recover(lab) == "rolled back"


def test_kill_after_push_rolls_forward(old_site: FaultLab) -> None:
    lab = old_site
    proc, progress = _spawn(lab)
    try:
        progress.until(PUSH, ALL)
        _kill(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert set(lab.states(SITE).values()) == {"new"}  # new, but nothing confirmed
    _names_unfinished(lab, proc.pid)
    assert lab.run("plan", SITE, "--lab").returncode == 2
    assert _recover(lab) == "rolled forward"


def test_kill_during_confirm(old_site: FaultLab) -> None:
    lab = old_site
    proc, progress = _spawn(lab)
    try:
        progress.until(PUSH, ALL)
        _slow_now(lab, RTR)
        progress.until(CONFIRM, [SW, CODEC])
        assert not progress.reported(CONFIRM, RTR)
        _kill(proc)
    finally:
        lab.fault(RTR, "clear")
        if proc.poll() is None:
            proc.kill()
    _names_unfinished(lab, proc.pid)
    assert _recover(lab) == "rolled forward"


def test_kill_after_save(old_site: FaultLab) -> None:
    lab = old_site
    proc, progress = _spawn(lab)
    try:
        # Slowed once its push is done (verify and confirm still pass, slowly): where the
        # router is comes from the site's journal: its confirm done, its save (several
        # delayed round trips) not yet.
        progress.until(PUSH, ALL)
        _slow_now(lab, RTR)
        progress.until(CONFIRM, [SW, CODEC])
        deadline = time.monotonic() + 180
        while not _journal_has(lab, RTR, "confirm", "done") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _journal_has(lab, RTR, "save", "done"), _journal(lab)
        _kill(proc)
    finally:
        lab.fault(RTR, "clear")
        if proc.poll() is None:
            proc.kill()
    _names_unfinished(lab, proc.pid)
    plan = lab.run("plan", SITE, "--lab")
    # The router's save may still finish in the killed run's Ansible fork (a step under way
    # ends; the transaction starts none after its run is gone); recover waits for it.
    assert f"{SW} and {CODEC} are confirmed and saved" in plan.stderr or (
        f"{RTR} and {SW} and {CODEC} are confirmed and saved" in plan.stderr
    ), plan.stderr
    assert f"{RTR} is confirmed, not saved" in plan.stderr or "and saved" in plan.stderr
    assert _recover(lab) == "rolled forward"


def test_show_archive_config_rollback_timer(old_site: FaultLab) -> None:
    """The twin answers the command in the documented format while a push is unconfirmed,
    and the driver reads the deadline from it."""
    from rollout.drivers.cisco_ios import rollback_timer

    lab = old_site
    proc, progress = _spawn(lab)
    try:
        progress.until(PUSH, ALL)
        _kill(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    shown = _ios_exec(lab, SW, "show archive config rollback timer")
    assert "Timer type: absolute timer" in shown and "Timer value: 5 min" in shown, shown
    pending = rollback_timer(shown, 12)
    assert pending is not None and pending.deadline is not None
    assert pending.deadline > time.time() - 5
    lab.run("recover", SITE, "--lab", check=0)
    shown = _ios_exec(lab, SW, "show archive config rollback timer")
    assert "%No Rollback Confirmed Change pending" in shown, shown
    assert rollback_timer(shown) is None


def _ios_exec(lab: FaultLab, device: str, command: str) -> str:
    from rollout.inventory.loader import load_inventory
    from rollout.secrets import load_secrets
    from rollout.targets import driver_for, managed_devices

    inv = load_inventory(lab.repo)
    secrets = load_secrets(lab.repo)
    (m,) = [
        m
        for m in managed_devices(inv, [SITE], secrets, lab=lab.lab_dir, timeout=10)
        if m.device.hostname == device
    ]
    driver = driver_for(m.target)
    try:
        out: str = driver.conn.send_command(command)  # type: ignore[attr-defined]
        return out
    finally:
        driver.close()


def test_journal_is_closed_by_a_finished_run(old_site: FaultLab) -> None:
    lab = old_site
    lab.run("site", SITE, "--lab", "--yes", check=0)
    entries = _journal(lab)
    end = entries[-1]
    assert end["event"] == "end" and str(end["result"]).startswith("ok"), end
    steps = [(e["device"], e["step"], e["phase"]) for e in entries if e["event"] == "step"]
    for name in ALL:
        mine = [s[1:] for s in steps if s[0] == name]
        assert mine[0] == ("backup", "start") and ("save", "done") in mine, mine
    assert "unfinished" not in lab.run("plan", SITE, "--lab", check=0).stderr
