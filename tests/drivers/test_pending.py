"""Driver.pending: the device's own unconfirmed change, read from its own words."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rollout.drivers.base import Driver, Target
from rollout.drivers.cisco_ios import CiscoIosDriver, rollback_timer
from rollout.drivers.linux_router import LinuxRouterDriver
from rollout.drivers.polycom import PolycomDriver
from rollout.engine import journal
from rollout.inventory.model import Platform

# The sample output of the Cisco IOS Configuration Fundamentals Command Reference,
# "show archive config rollback timer".
CISCO_SAMPLE = """Time configured(or reconfigured): 22:50:48 UTC Sat Feb 21 2009
Timer type: absolute timer
Timer value: 2 min
User: console
"""


def _target(platform: Platform) -> Target:
    return Target("dev1", platform, "127.0.0.1", 22, "u", "p", None, 5.0)


def test_every_driver_has_pending() -> None:
    drivers: list[Driver] = [
        CiscoIosDriver(_target(Platform.CISCO_IOS)),
        PolycomDriver(_target(Platform.POLYCOM)),
        LinuxRouterDriver(_target(Platform.LINUX_ROUTER)),
    ]
    assert all(callable(d.pending) for d in drivers)
    assert PolycomDriver(_target(Platform.POLYCOM)).pending() is None  # no revert timer


def test_ios_rollback_timer_as_documented() -> None:
    pending = rollback_timer(CISCO_SAMPLE)
    assert pending is not None
    configured = datetime(2009, 2, 21, 22, 50, 48, tzinfo=UTC).timestamp()
    assert pending.deadline == configured + 120
    assert "timer value 2 min" in pending.detail and "user console" in pending.detail
    assert rollback_timer(CISCO_SAMPLE, minute_seconds=12) is not None
    assert rollback_timer(CISCO_SAMPLE, minute_seconds=12).deadline == configured + 24  # type: ignore[union-attr]
    assert rollback_timer("%No Rollback Confirmed Change pending\n") is None


@pytest.mark.parametrize(
    ("answer", "deadline", "pending"),
    [
        ("none\n", None, False),
        ("timer 1700000000\n", 1700000000.0, True),
        ("stranded\n", None, True),
    ],
)
def test_linux_router_pending(
    answer: str, deadline: float | None, pending: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    router = LinuxRouterDriver(_target(Platform.LINUX_ROUTER))
    monkeypatch.setattr(router, "sh", lambda *_a, **_k: answer)
    got = router.pending()
    assert (got is not None) is pending
    if got is not None:
        assert got.deadline == deadline


def test_journal_state_from_the_file(tmp_path: Path) -> None:
    journal.begin(tmp_path, "s", "R1", devices=["a", "b"], revert_minutes=5, command="x")
    journal.step(tmp_path, "s", "a", "backup", "start")
    journal.step(tmp_path, "s", "a", "backup", "done", backup="/b/a.txt")
    journal.step(tmp_path, "s", "a", "push", "start")
    journal.step(tmp_path, "s", "a", "push", "done", changed=True, revert_deadline=123.0)
    journal.step(tmp_path, "s", "b", "push", "start")
    path = journal.path_of(tmp_path, "s")
    with path.open("a") as f:
        f.write('{"event": "step", "run": "R1", "dev')  # a torn last line
    run = journal.open_run(tmp_path, "s")
    assert run is not None and run.id == "R1"
    a, b = run.devices["a"], run.devices["b"]
    assert a.backup == "/b/a.txt" and a.pushed and a.revert_deadline == 123.0 and a.unsettled
    assert b.push_started and b.unsettled and "push" in b.busy
    ended = journal.finish(tmp_path, "s", "R1", "ok")
    assert ended is not None and not ended.closed and ended.stopped == "ok"
    journal.close(tmp_path, "s", "R1", "recovered: rolled back")
    assert journal.open_run(tmp_path, "s") is None
    journal.step(tmp_path, "s", "a", "save", "start")  # closed: nothing appended
    lines = path.read_text().splitlines()
    assert json.loads(lines[-1])["event"] == "end"
    journal.begin(tmp_path, "s", "R2", devices=["a"], revert_minutes=5, command="x")
    assert (tmp_path / "var/journal/done/s.R1.jsonl").exists()
    assert journal.open_run(tmp_path, "s") is not None
