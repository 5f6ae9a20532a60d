"""What a device's fault state decides, without SSH (the SSH view is test_lab_server_faults)."""

from __future__ import annotations

from rollout.lab.faults import (
    AuthFail,
    DropAfterLines,
    MgmtCutAfterAcl,
    RejectCommand,
    Slow,
    Unreachable,
)
from rollout.lab.server.injection import DeviceFaults


def test_a_device_without_faults_serves_everything_at_once() -> None:
    faults = DeviceFaults()
    assert faults.listener_mode() == "ssh"
    assert not faults.refuses_login()
    assert not faults.rejects("show version")
    assert not faults.drops_after(1000)
    assert faults.delay() == 0.0
    assert not faults.cuts_after_acl()
    assert faults.active() == ()


def test_each_kind_decides_its_own_question() -> None:
    faults = DeviceFaults()
    for fault in (AuthFail(), RejectCommand(r"show .*"), DropAfterLines(3), Slow(2.5)):
        faults.set(fault)
    assert faults.refuses_login()
    assert faults.rejects("  show version ")
    assert not faults.rejects("write memory")
    assert not faults.drops_after(2)
    assert faults.drops_after(3)
    assert faults.delay() == 2.5
    assert faults.listener_mode() == "ssh"


def test_a_slow_fault_of_zero_seconds_holds_nothing_back() -> None:
    faults = DeviceFaults()
    faults.set(Slow(0))
    assert faults.delay() == 0.0


def test_a_fault_replaces_one_of_its_kind_and_clearing_one_kind_keeps_the_others() -> None:
    faults = DeviceFaults()
    faults.set(Unreachable())
    faults.set(AuthFail())
    faults.set(Unreachable(mode="blackhole"))
    assert faults.active() == (Unreachable(mode="blackhole"), AuthFail())
    assert faults.listener_mode() == "blackhole"
    faults.clear("unreachable")
    assert faults.active() == (AuthFail(),)
    assert faults.listener_mode() == "ssh"
    faults.clear(None)
    assert faults.active() == ()


def test_the_management_cut_lasts_until_its_fault_is_cleared() -> None:
    faults = DeviceFaults()
    faults.set(MgmtCutAfterAcl())
    assert faults.cuts_after_acl()
    faults.cut = True
    assert not faults.cuts_after_acl()
    assert faults.listener_mode() == "refuse"
    faults.clear("slow")
    assert faults.cut
    faults.clear("mgmt_cut_after_acl")
    assert not faults.cut
    assert faults.listener_mode() == "ssh"


def test_unreachable_wins_over_a_cut() -> None:
    faults = DeviceFaults()
    faults.set(MgmtCutAfterAcl())
    faults.cut = True
    faults.set(Unreachable(mode="blackhole"))
    assert faults.listener_mode() == "blackhole"
