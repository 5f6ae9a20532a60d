"""The two tasks of the role site_rollout: ``rollout_site`` (every site of the play's batch, one
transaction per site, ``rollout.engine.transaction``) and ``rollout_result`` (one device's own
part of that result, so that every host shows its own changed/failed status, as AWX lists them).

The action plugins ``plugins/action/rollout_site.py`` and ``plugins/action/rollout_result.py``
call ``run_site`` and ``device_result`` in Ansible's worker process on the controller (nothing
shipped, no Python started); the modules of the same names call them too, for a controller
where only the modules are found.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rollout.ansible_module import failure, module_secrets

SITE_ARGSPEC: dict[str, dict[str, Any]] = {
    "hosts": {"type": "list", "elements": "str", "required": True},
    "repo": {"type": "path", "required": True},
    "secrets": {"type": "dict", "required": True, "no_log": True},
    "lab_dir": {"type": "path"},
    "netlab_dir": {"type": "path"},
    "backup_set": {"type": "str", "required": True},
    "revert_minutes": {"type": "int", "default": 5},
    "revert_wait": {"type": "float", "default": 0},
    "plan_file": {"type": "path"},
    "lock_token": {"type": "str", "default": ""},
    "lock_pid": {"type": "int", "default": 0},
    "lock_command": {"type": "str", "default": ""},
    "lock_strict": {"type": "bool", "default": False},
    "take_over": {"type": "bool", "default": False},
}
"""The arguments of ``rollout_site`` (the module's argument_spec and the action plugin's check)."""

RESULT_ARGSPEC: dict[str, dict[str, Any]] = {
    "hostname": {"type": "str", "required": True},
    "result": {"type": "dict", "default": {}},
}
"""The arguments of ``rollout_result``: the host and its entry of ``rollout_site``'s devices."""


def run_site(params: dict[str, Any], *, check: bool, diff: bool) -> dict[str, Any]:
    """Run the sites of params['hosts'] (never raises, never a secret): ``devices`` holds each
    device's result (``rollout.engine.outcome.DeviceOutcome.report``) by hostname."""
    secrets = module_secrets(params)
    try:
        return _run(params, secrets, check=check, diff=diff)
    except Exception as exc:  # never a traceback with values in it: named and redacted
        return {"changed": False, "failed": True, "msg": failure(secrets, exc)}


def _run(params: dict[str, Any], secrets: Any, *, check: bool, diff: bool) -> dict[str, Any]:
    from rollout.ansible_module import controller_pid, reach
    from rollout.engine import transaction
    from rollout.engine.outcome import site_failures

    root, inv, devices, reached = reach(params, secrets, list(params["hosts"]))
    tx = transaction.Transaction(
        root=root,
        inv=inv,
        secrets=secrets,
        backup_set=str(params["backup_set"]),
        revert_minutes=int(params["revert_minutes"]),
        revert_wait=float(params["revert_wait"]),
        plan_file=Path(params["plan_file"]) if params.get("plan_file") else None,
        lock_token=str(params["lock_token"] or ""),
        lock_command=str(params["lock_command"] or ""),
        holder_pid=int(params["lock_pid"] or 0) or controller_pid(),
        lock_strict=bool(params["lock_strict"]),
        take_over=bool(params["take_over"]),
        check=check,
    )
    outcomes, locks = transaction.run(tx, devices, reached)
    failed = site_failures(outcomes.values())
    reports = {
        host: o.report(failed.get(o.site, ""), diff=diff) for host, o in outcomes.items()
    }
    return {
        "changed": any(r["changed"] for r in reports.values()),
        "backup_set": tx.backup_set,
        "devices": reports,
        "locks": locks,
        "failed_sites": sorted(failed),
        "msg": "; ".join(failed.values()) or f"{len(reports)} devices, no site failed",
    }


def device_result(params: dict[str, Any]) -> dict[str, Any]:
    """One host's task result, taken from its entry of ``rollout_site``'s devices."""
    found = params.get("result") or {}
    if not found:
        # Not in the run's devices: the labs given do not hold it (left out, not an error).
        return {
            "changed": False,
            "skipped": True,
            "msg": f"{params['hostname']} is not held by the network lab: left out",
        }
    return dict(found)
