"""One step of the role site_rollout on one device: what the task ``rollout_device`` does.

The action plugin ``plugins/action/rollout_device.py`` calls ``run_step`` in Ansible's worker
process on the controller (nothing shipped, no Python started); the module of the same name
calls it too, for a controller where only the module is found. Either way the result is the
task's result: ``changed``, ``failed`` with ``msg``, ``step`` (the step that ran or failed),
``steps`` (the steps of a merged task that succeeded, each ``ok``; ``skipped`` for a device
the labs leave out) and the step's facts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rollout.ansible_module import COMMON_ARGS, ModuleDevice, failure, locate, module_secrets

if TYPE_CHECKING:
    from rollout.backups import BackupStore
    from rollout.engine.planfile import SavedDevice
    from rollout.secrets import Secrets
    from rollout.targets import Managed

SINGLE = ("precheck", "backup", "push", "verify", "confirm", "save", "rollback", "lock", "unlock")
MERGED: dict[str, tuple[str, ...]] = {
    # One session confirms, then saves: save runs only once the confirm succeeded.
    "confirm_save": ("confirm", "save"),
}
"""Steps one task runs in order, each after the one before succeeded (commit safety order)."""

ARGSPEC: dict[str, dict[str, Any]] = {
    **COMMON_ARGS,
    "action": {"type": "str", "required": True, "choices": [*SINGLE, *MERGED]},
    "plan_file": {"type": "path"},
    "lock_token": {"type": "str", "default": ""},
    "take_over": {"type": "bool", "default": False},
    "backup_set": {"type": "str"},
    "revert_minutes": {"type": "int", "default": 5},
    "revert_wait": {"type": "float", "default": 0},
}
"""The task's arguments (the module's argument_spec and the action plugin's check)."""


def run_step(params: dict[str, Any], *, check: bool, diff: bool) -> dict[str, Any]:
    """Run the task's step(s) for one device; the task result (never raises, never a secret)."""
    secrets = module_secrets(params)
    action = str(params["action"])
    result: dict[str, Any] = {"changed": False, "step": action}
    try:
        found = locate(params, secrets)
        if found.managed is None:
            return {
                "changed": False,
                "skipped": True,
                "step": action,
                "steps": dict.fromkeys(MERGED.get(action, (action,)), "skipped"),
                "msg": f"{params['hostname']} is not held by the network lab: left out",
            }
        _one(action, params, found, secrets, check, diff, result)
    except Exception as exc:  # never a traceback with values in it: named and redacted
        # A device refused against the saved plan got nothing: say so (results: not touched).
        refused = getattr(exc, "step", "") == "plan-check"
        result.update(failed=True, msg=failure(secrets, exc), refused=refused)
    return result


def _one(
    action: str,
    params: dict[str, Any],
    found: ModuleDevice,
    secrets: Secrets,
    check: bool,
    diff: bool,
    result: dict[str, Any],
) -> None:
    """The task's step (or merged steps); its facts go into result."""
    from rollout.backups import BackupSet, BackupStore
    from rollout.engine import saved as saved_steps
    from rollout.engine import steps
    from rollout.errors import RolloutError

    inv, site, managed = found.inv, found.site, found.managed
    assert managed is not None  # run_step returned already for a device the labs leave out
    store = BackupStore(found.root)
    if action == "precheck":
        saved = _saved(params, managed.device.hostname)
        if saved is None:
            raise RolloutError("precheck needs plan_file", "set site_rollout_plan_file")
        saved_steps.precheck_one(inv, secrets, managed, saved)
    elif action == "push":
        saved = _saved(params, managed.device.hostname)
        if saved is not None and not check:
            pushed = saved_steps.push_saved(inv, secrets, managed, params["revert_minutes"], saved)
        else:
            pushed = steps.push_one(inv, secrets, managed, params["revert_minutes"], check=check)
        commands = [secrets.redact(c) for c in pushed.commands]
        result.update(changed=pushed.changed, commands=commands, pushed=pushed.changed)
        if diff and pushed.changed:
            result["diff"] = {
                "before_header": f"{params['hostname']} (running)",
                "after_header": f"{params['hostname']} (commands)",
                "before": "",
                "after": "\n".join(commands) + "\n",
            }
    elif check:
        result["skipped_in_check_mode"] = True
    elif action in ("lock", "unlock"):
        from rollout.ansible_module import site_lock

        result.update(site_lock(found, action, params["lock_token"], params["take_over"]))
        if result.get("refused"):
            result.update(failed=True, msg=result["refused"])
    elif action == "backup":
        if not params["backup_set"]:
            raise RolloutError("backup needs backup_set", "set site_rollout_backup_set")
        folder = store.base / site.slug / params["backup_set"]
        folder.mkdir(parents=True, exist_ok=True)
        backup = BackupSet(site.slug, params["backup_set"], folder)
        result["backup"] = str(steps.backup_one(store, backup, secrets, managed))
    elif action == "save":
        steps.save_one(managed)
    elif action == "verify":
        steps.verify_one(inv, secrets, managed)
    elif action == "confirm":
        steps.confirm_one(managed)
    elif action == "confirm_save":
        done: list[str] = []
        try:
            steps.confirm_save_one(managed, done)
        finally:
            # The step that failed (the first one not done) and every one that succeeded.
            result["step"] = next((one for one in MERGED[action] if one not in done), action)
            result["steps"] = dict.fromkeys(done, "ok")
    elif action == "rollback":
        _rollback(params, store, site.slug, managed, result)


def _rollback(
    params: dict[str, Any], store: BackupStore, slug: str, managed: Managed, result: dict[str, Any]
) -> None:
    from rollout.engine import steps

    folder = store.base / slug / (params["backup_set"] or "")
    if params["backup_set"] and not (folder / f"{params['hostname']}.txt").exists():
        # The backup comes first in the block: no backup, nothing was pushed.
        result["note"] = "not backed up in this run, so nothing was pushed: left as it was"
        return
    note = steps.rollback_one(
        store.get(slug, params["backup_set"]), managed, wait_seconds=params["revert_wait"]
    )
    result.update(changed=True, rolled_back=True)
    if note:
        result["note"] = note


def _saved(params: dict[str, Any], hostname: str) -> SavedDevice | None:
    """The device's entry of the saved plan (None without a plan file)."""
    from rollout.engine import planfile
    from rollout.errors import RolloutError

    if not params.get("plan_file"):
        return None
    plan = planfile.load(Path(params["plan_file"]))
    found = plan.device(hostname)
    if found is None:
        raise RolloutError(
            f"{hostname} is not in the plan {params['plan_file']}",
            "make a new plan for the site with `rollout plan SITE --out FILE`",
        )
    return found
