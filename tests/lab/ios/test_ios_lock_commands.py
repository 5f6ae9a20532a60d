"""The IOS twin answers the commands of the rollout lock marker as the cited outputs show
(rollout.lab.ios.exec_lock): mkdir, tclsh puts, more, dir, rmdir, the rollback timer."""

from __future__ import annotations

from rollout.lab.ios.device import IosDevice


def test_lock_marker_commands() -> None:
    dev = IosDevice("hostname R1\narchive\n path flash:rollback-\n", minute_seconds=60)
    one, two = dev.session(privilege=15), dev.session(privilege=15)
    try:
        assert one.handle("mkdir flash:rollout-lock").output == ""
        assert one.prompt() == "Create directory filename [rollout-lock]? "
        assert one.handle("").output == "Created dir flash:rollout-lock"
        two.handle("mkdir flash:rollout-lock")
        assert "Created dir" not in two.handle("").output  # exactly one makes it
        one.handle("tclsh")
        assert one.prompt() == "R1(tcl)#"
        one.handle('puts [open "flash:rollout-lock/holder" w+] {rollout-lock/1 user=a}')
        one.handle("tclquit")
        assert one.prompt() == "R1#"
        assert two.handle("more flash:rollout-lock/holder").output == "rollout-lock/1 user=a"
        assert "holder" in two.handle("dir flash:rollout-lock").output
        timer = "show archive config rollback timer"
        assert two.handle(timer).output == "%No Rollback Confirmed Change pending"
        one.handle("configure terminal revert timer 5")
        one.handle("end")
        assert "Timer value: 5 min" in two.handle(timer).output
        one.handle("configure confirm")
        two.handle("rmdir flash:rollout-lock")
        assert "not empty" in two.handle("").output
        two.handle("delete /force flash:rollout-lock/holder")
        two.handle("rmdir flash:rollout-lock")
        assert two.handle("").output == "Removed dir flash:rollout-lock"
        assert "%Error" in two.handle("dir flash:rollout-lock").output
    finally:
        dev.close()
