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
    "progress_file": {"type": "path", "default": ""},
    "sites_per_process": {"type": "int", "default": 8},
}
"""The arguments of ``rollout_site`` (the module's argument_spec and the action plugin's check)."""

RESULT_ARGSPEC: dict[str, dict[str, Any]] = {
    "hostname": {"type": "str", "required": True},
    "results": {"type": "path", "default": ""},
}
"""The arguments of ``rollout_result``: the host, and the folder ``rollout_site`` wrote every
device's result to."""

RESULTS_DIR = Path("var/runner/results")
"""Where ``rollout_site`` leaves each device's result for its host's ``rollout_result`` task,
one small file per device (removed as it is read). Not in the task's result: ansible-runner
(and AWX) drop an event's result over MAX_EVENT_RES (700000 characters by default:
ansible_runner/display_callback/callback/awx_display.py), which every device's commands of a
province exceed; and each host's task reads only its own file."""


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
        progress_file=Path(params["progress_file"]) if params.get("progress_file") else None,
        sites_per_process=int(params.get("sites_per_process") or 8),
    )
    outcomes, locks = transaction.run(tx, devices, reached)
    failed = site_failures(outcomes.values())
    reports = {host: o.report(failed.get(o.site, ""), diff=diff) for host, o in outcomes.items()}
    folder = _write_results(root, tx.backup_set, reports)
    return {
        "changed": any(r["changed"] for r in reports.values()),
        "backup_set": tx.backup_set,
        "results": str(folder),
        "devices": {h: {k: r[k] for k in ("changed", "failed")} for h, r in reports.items()},
        "locks": locks,
        "failed_sites": sorted(failed),
        "msg": "; ".join(failed.values()) or f"{len(reports)} devices, no site failed",
    }


def _write_results(root: Path, backup_set: str, reports: dict[str, dict[str, object]]) -> Path:
    """One file per device (owner only: the commands are redacted, the file stays private)."""
    import json
    import os
    import tempfile

    base = root / RESULTS_DIR
    base.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{backup_set}-", dir=base))
    for host, report in reports.items():
        fd = os.open(folder / f"{host}.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(report, out)
    return folder


def device_result(params: dict[str, Any]) -> dict[str, Any]:
    """One host's task result: its file in ``rollout_site``'s results folder (then removed,
    and the folder with the last one)."""
    import contextlib
    import json

    folder = Path(params["results"]) if params.get("results") else None
    path = folder / f"{params['hostname']}.json" if folder else None
    if folder is None or path is None or not path.is_file():
        # Not in the run's devices: the labs given do not hold it (left out, not an error).
        return {
            "changed": False,
            "skipped": True,
            "msg": f"{params['hostname']} is not held by the network lab: left out",
        }
    found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    path.unlink()
    with contextlib.suppress(OSError):  # another host's file is still there
        folder.rmdir()
    return found
