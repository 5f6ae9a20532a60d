"""Ansible module: one rollout step on one device, through the rollout drivers."""

from __future__ import annotations

DOCUMENTATION = r"""
module: rollout_device
short_description: Back up, push, verify, confirm, save or roll back one managed device
description:
  - Runs on the controller (connection local) and talks to the device over SSH through the
    rollout drivers (Netmiko), with host keys verified.
  - C(push) supports check mode and diff mode; in check mode nothing is sent and the diff
    shows the exact commands the push would send.
  - A rollout runs the steps in the commit safety order backup, push (with a revert timer),
    verify, confirm, save; C(save) after C(confirm) only, so an unconfirmed change never
    reaches startup-config.
options:
  action:
    description: The step to run.
    required: true
    type: str
    choices: [precheck, backup, push, verify, confirm, save, rollback, lock, unlock]
  hostname:
    description: Inventory hostname of the device.
    required: true
    type: str
  repo:
    description: Top folder of the rollout repository.
    required: true
    type: path
  secrets:
    description: The vault_* values (kept out of logs).
    required: true
    type: dict
  backup_set:
    description: Backup set id shared by the devices of one run (backup and rollback).
    type: str
  lab_dir:
    description: State folder of a running lab twin; devices are reached there.
    type: path
  netlab_dir:
    description:
      - State folder of a running network lab; the site's WAN router is reached as the
        network lab's linux_router (over its sshd). Devices neither lab holds are skipped.
    type: path
  revert_minutes:
    description: Revert timer of the push; the device restores itself unless confirmed.
    type: int
    default: 5
  plan_file:
    description:
      - A saved plan (C(rollout plan SITE --out FILE)). C(precheck) refuses the device when its
        running configuration or its intended one changed since the plan was made; C(push)
        checks again and sends exactly the plan's commands for the device.
    type: path
  revert_wait:
    description:
      - Rollback only. Seconds to wait for a device that lost management after the push
        (its revert timer brings it back) before the rollback is reported as failed.
    type: float
    default: 0
  lock_token:
    description:
      - lock and unlock. The run's lock token; a lock on the site's device with this token is
        this run's (taken by the CLI that started the playbook, or by this play).
      - C(lock) takes the site's lock on its WAN router (rollout.engine.devlock) for the
        router's host; every other host of the site returns C(lock_device) and does nothing.
        A lock another run holds is returned as C(refused) (the task fails).
      - C(unlock) removes the lock if this token holds it.
    type: str
  take_over:
    description: lock only. Take over a stale lock (its holder is gone); audited.
    type: bool
    default: false
author: rollout
"""

RETURN = r"""
commands:
  description: Commands sent (or, in check mode, that would be sent).
  returned: action is push
  type: list
  elements: str
backup:
  description: Path of the backup written.
  returned: action is backup
  type: str
taken:
  description: This task created the site's lock marker (so the play removes it at the end).
  returned: action is lock
  type: bool
refused:
  description: Why the site's lock could not be taken, naming its holder.
  returned: action is lock and the lock is held
  type: str
"""

from pathlib import Path
from typing import Any

from ansible.module_utils.basic import AnsibleModule


def main() -> None:
    from rollout.ansible_module import COMMON_ARGS, failure, locate, module_secrets
    from rollout.engine import saved as saved_steps
    from rollout.engine import steps

    module = AnsibleModule(
        argument_spec={
            **COMMON_ARGS,
            "action": {
                "type": "str",
                "required": True,
                "choices": ["precheck", *steps.COMMIT_ORDER, "rollback", "lock", "unlock"],
            },
            "plan_file": {"type": "path"},
            "lock_token": {"type": "str", "default": ""},
            "take_over": {"type": "bool", "default": False},
            "backup_set": {"type": "str"},
            "revert_minutes": {"type": "int", "default": 5},
            "revert_wait": {"type": "float", "default": 0},
        },
        supports_check_mode=True,
    )
    p: dict[str, Any] = module.params
    from rollout.backups import BackupSet, BackupStore

    secrets = module_secrets(p)
    action = p["action"]
    try:
        found = locate(p, secrets)
        inv, root, site, managed = found.inv, found.root, found.site, found.managed
        if managed is None:
            module.exit_json(
                changed=False,
                skipped=True,
                step=action,
                msg=f"{p['hostname']} is not held by the network lab: left out",
            )
            return
        store = BackupStore(root)
        result: dict[str, Any] = {"changed": False, "step": action}
        saved = _saved(p, managed.device.hostname)
        if action == "precheck":
            if saved is None:
                module.fail_json(msg="precheck needs plan_file", step=action)
            else:
                saved_steps.precheck_one(inv, secrets, managed, saved)
        elif action == "push":
            if saved is not None and not module.check_mode:
                pushed = saved_steps.push_saved(inv, secrets, managed, p["revert_minutes"], saved)
            else:
                pushed = steps.push_one(
                    inv, secrets, managed, p["revert_minutes"], check=module.check_mode
                )
            commands = [secrets.redact(c) for c in pushed.commands]
            result.update(changed=pushed.changed, commands=commands, pushed=pushed.changed)
            if module._diff and pushed.changed:
                result["diff"] = {
                    "before_header": f"{p['hostname']} (running)",
                    "after_header": f"{p['hostname']} (commands)",
                    "before": "",
                    "after": "\n".join(commands) + "\n",
                }
        elif module.check_mode:
            result["skipped_in_check_mode"] = True
        elif action in ("lock", "unlock"):
            from rollout.ansible_module import site_lock

            result.update(site_lock(found, action, p["lock_token"], p["take_over"]))
            if result.get("refused"):
                module.fail_json(msg=result["refused"], **result)
        elif action == "backup":
            if not p["backup_set"]:
                module.fail_json(msg="backup needs backup_set")
            folder = store.base / site.slug / p["backup_set"]
            folder.mkdir(parents=True, exist_ok=True)
            backup = BackupSet(site.slug, p["backup_set"], folder)
            result["backup"] = str(steps.backup_one(store, backup, secrets, managed))
        elif action == "save":
            steps.save_one(managed)
        elif action == "verify":
            steps.verify_one(inv, secrets, managed)
        elif action == "confirm":
            steps.confirm_one(managed)
        elif action == "rollback":
            folder = store.base / site.slug / (p["backup_set"] or "")
            if p["backup_set"] and not (folder / f"{p['hostname']}.txt").exists():
                # The backup comes first in the block: no backup, nothing was pushed.
                result["note"] = "not backed up in this run, so nothing was pushed: left as it was"
            else:
                note = steps.rollback_one(
                    store.get(site.slug, p["backup_set"]), managed, wait_seconds=p["revert_wait"]
                )
                result["changed"] = True
                result["rolled_back"] = True
                if note:
                    result["note"] = note
    except Exception as exc:  # never a traceback with values in it: named and redacted
        # A device refused against the saved plan got nothing: say so (results: not touched).
        refused = getattr(exc, "step", "") == "plan-check"
        module.fail_json(msg=failure(secrets, exc), step=action, refused=refused)
    module.exit_json(**result)


def _saved(params: dict[str, Any], hostname: str) -> Any:
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


if __name__ == "__main__":
    main()
