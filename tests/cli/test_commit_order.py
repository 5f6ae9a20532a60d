"""The rollout role runs its device steps in the commit safety order (design §3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from rollout.ansible_step import MERGED
from rollout.ops import COMMIT_ORDER

ROLE = Path(__file__).resolve().parents[2] / "roles" / "site_rollout" / "tasks" / "main.yml"


def _actions(tasks: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for task in tasks:
        if "block" in task:
            out += _actions(task["block"])  # rescue and always hold no forward step
        elif "rollout_device" in task:
            action = task["rollout_device"]["action"]
            out += MERGED.get(action, (action,))  # a merged task runs its steps in order
    return out


def test_role_pushes_verifies_confirms_then_saves() -> None:
    every = _actions(yaml.safe_load(ROLE.read_text("utf-8")))
    assert every[1] == "precheck", "a saved plan is checked before any device step"
    actions = [a for a in every if a not in ("rollback", "precheck", "lock", "unlock")]
    assert actions == list(COMMIT_ORDER)
    # The site's device lock is taken first and released last (rollout.engine.devlock).
    assert every[0] == "lock" and every[-1] == "unlock", every
    assert COMMIT_ORDER.index("confirm") < COMMIT_ORDER.index("save")
