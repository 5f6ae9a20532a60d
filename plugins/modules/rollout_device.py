"""Ansible module: one rollout step on one device, through the rollout drivers."""

from __future__ import annotations

DOCUMENTATION = r"""
module: rollout_device
short_description: Back up, push, verify, confirm, save or roll back one managed device
description:
  - Runs on the controller and talks to the device over SSH through the rollout drivers
    (Netmiko), with host keys verified.
  - The action plugin of the same name (plugins/action/rollout_device.py) runs the step in
    Ansible's worker process, as ansible.netcommon's action plugins do; this module is what
    documents the arguments, and what runs where the action plugin is not found.
  - C(push) supports check mode and diff mode; in check mode nothing is sent and the diff
    shows the exact commands the push would send.
  - A rollout runs the steps in the commit safety order backup, push (with a revert timer),
    verify, confirm, save; C(save) after C(confirm) only, so an unconfirmed change never
    reaches startup-config.
  - C(confirm_save) confirms, then saves, in one task; the save runs only once the confirm
    succeeded. Its result names each step it ran in C(steps).
options:
  action:
    description: The step to run.
    required: true
    type: str
    choices: [precheck, backup, push, verify, confirm, save, rollback, lock, unlock,
              confirm_save]
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
steps:
  description:
    - The steps of C(confirm_save) that succeeded, each C(ok) (on failure, C(step) names the
      one that failed); C(skipped) for each step when the labs leave the device out.
  returned: action is confirm_save, or the device is left out
  type: dict
refused:
  description: Why the site's lock could not be taken, naming its holder.
  returned: action is lock and the lock is held
  type: str
"""

from ansible.module_utils.basic import AnsibleModule


def main() -> None:
    from rollout.ansible_step import ARGSPEC, run_step

    module = AnsibleModule(argument_spec=ARGSPEC, supports_check_mode=True)
    result = run_step(module.params, check=module.check_mode, diff=module._diff)
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
