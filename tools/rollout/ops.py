"""The device steps, under the name the tool has always imported them by.

The steps live in `rollout.engine` (one function per step, the only place a device is read,
planned, pushed, verified, confirmed, saved or rolled back); this module names them again so
that `rollout.ops.plan_one` and friends keep working.
"""

from __future__ import annotations

from rollout.engine.audited import audited, session
from rollout.engine.pool import for_devices, preload
from rollout.engine.steps import (
    COMMIT_ORDER,
    backup_one,
    confirm_one,
    intended,
    plan_device,
    plan_one,
    push_one,
    read_plan,
    rollback_one,
    save_one,
    verify_one,
)

__all__ = [
    "COMMIT_ORDER",
    "audited",
    "backup_one",
    "confirm_one",
    "for_devices",
    "intended",
    "plan_device",
    "plan_one",
    "preload",
    "push_one",
    "read_plan",
    "rollback_one",
    "save_one",
    "session",
    "verify_one",
]
