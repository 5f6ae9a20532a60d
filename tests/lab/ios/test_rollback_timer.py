"""`show archive config rollback timer` on the twin: its real revert-timer state, in the format
of the Cisco IOS Configuration Fundamentals Command Reference's sample output."""

from __future__ import annotations

from datetime import UTC, datetime

from rollout.drivers.cisco_ios import rollback_timer
from rollout.lab.ios.device import IosDevice

ARCHIVED = """\
hostname r1
!
archive
 path flash:rollback
 maximum 5
!
end
"""
AT = datetime(2024, 3, 1, 10, 0, 0, tzinfo=UTC)


def test_pending_timer_shown_then_gone_after_confirm() -> None:
    dev = IosDevice.from_config(ARCHIVED, minute_seconds=60, now=lambda: AT)
    cli = dev.session(username="noc")
    try:
        assert cli.handle("show archive config rollback timer").output == (
            "%No Rollback Confirmed Change pending"
        )
        cli.handle("configure terminal revert timer 7")
        cli.handle("end")
        shown = cli.handle("show archive config rollback timer").output
        assert shown.splitlines() == [
            "Time configured(or reconfigured): 10:00:00 UTC Fri Mar 1 2024",
            "Timer type: absolute timer",
            "Timer value: 7 min",
            "User: noc",
        ]
        pending = rollback_timer(shown)
        assert pending is not None and pending.deadline == AT.timestamp() + 7 * 60
        assert cli.handle("sh arch conf roll tim").output == shown  # abbreviated as on IOS
        cli.handle("configure confirm")
        assert "No Rollback" in cli.handle("show archive config rollback timer").output
    finally:
        dev.close()
