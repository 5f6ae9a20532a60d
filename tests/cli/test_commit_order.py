"""The site transaction runs its device steps in the commit safety order (design §3): the role
hands the whole site to the engine in one task, and the engine backs up every device before any
push, pushes and verifies, then confirms before it saves (or rolls back)."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import yaml

from rollout.engine import steps, transaction
from rollout.ops import COMMIT_ORDER

ROLE = Path(__file__).resolve().parents[2] / "roles" / "site_rollout" / "tasks" / "main.yml"


def _calls(source: str, names: list[str]) -> list[int]:
    return [source.index(name) for name in names]


def test_role_runs_one_site_task_then_reports_each_device() -> None:
    tasks: list[dict[str, Any]] = yaml.safe_load(ROLE.read_text("utf-8"))
    modules = [next(k for k in t if k not in ("name", "register", "run_once")) for t in tasks]
    assert modules == ["rollout_site", "rollout_result"], modules
    assert tasks[0]["run_once"] is True
    assert tasks[0]["register"] == "site_rollout_run"


def test_transaction_backs_up_pushes_verifies_confirms_then_saves() -> None:
    site = inspect.getsource(transaction._transaction)
    # Every device backed up (and the site stopped on a failure) before any push.
    assert _calls(site, ["_backup", "_any_failed", "_push_verify", "_rollback", "_confirm_save"])
    order = _calls(site, ["_backup", "_any_failed", "_push_verify"])
    assert order == sorted(order), site
    device = inspect.getsource(transaction._push_verify)
    assert _calls(device, ['"push"', '"verify"']) == sorted(_calls(device, ['"push"', '"verify"']))
    merged = inspect.getsource(steps.confirm_save_one)
    assert merged.index(".confirm()") < merged.index(".save()"), merged
    assert COMMIT_ORDER == ("backup", "push", "verify", "confirm", "save")
    # The lock before any step of a site, released whatever happens.
    run = inspect.getsource(transaction.run)
    assert run.index("_lock(") < run.index("_run_going(") and "release_all" in run
    assert "_site(" in inspect.getsource(transaction._run_going)
    assert "finally" in inspect.getsource(transaction._site)
