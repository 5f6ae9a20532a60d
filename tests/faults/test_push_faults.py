"""Faults during the push of `rollout site`: a line rejected, management cut by the ACL.

The whole site must end in its old configuration (rolled back), exit 1, with a message that
names the device, the step and what to do; the ACL cut must be undone by the device's own
revert timer and reported as such.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from faultlab import FaultLab, start

pytestmark = [pytest.mark.lab, pytest.mark.ansible]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultLab]:
    handle = start(tmp_path_factory.mktemp("push"), ["bao-thang", "ubnd-tinh"], 3)
    try:
        yield handle
    finally:
        handle.run("lab", "down")


def test_line_rejected_mid_push_rolls_the_site_back(lab: FaultLab) -> None:
    before = lab.backup_files()
    with lab.faulted("bao-thang-rtr01", {"kind": "reject_command", "pattern": "ip sla 10.*"}):
        proc = lab.run("site", "bao-thang", "--lab", "--yes", "--revert-minutes", "10", check=1)
    assert "bao-thang-rtr01" in proc.stderr and "rejected" in proc.stderr, proc.stderr
    assert "rolled back" in proc.stderr
    after = lab.backup_files()
    assert all(after[p] == data for p, data in before.items()), "a backup was overwritten"
    assert len(after) == len(before) + 3, "the run's backups are kept"
    assert set(lab.states("bao-thang").values()) == {"old"}


def test_management_cut_by_the_acl_comes_back_by_the_revert_timer(lab: FaultLab) -> None:
    with lab.faulted("ubnd-tinh-rtr01", {"kind": "mgmt_cut_after_acl"}):
        proc = lab.run("site", "ubnd-tinh", "--lab", "--yes", "--revert-minutes", "4", check=1)
    out = proc.stderr
    assert "ubnd-tinh-rtr01" in out, out
    assert "management was lost after the push" in out and "revert timer" in out, out
    assert set(lab.states("ubnd-tinh").values()) == {"old"}
