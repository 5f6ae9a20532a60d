"""Ansible module: every site of the play's batch, one transaction per site."""

from __future__ import annotations

DOCUMENTATION = r"""
module: rollout_site
short_description: Roll out sites, one transaction per site, through the rollout engine
description:
  - Runs on the controller and talks to the devices over SSH through the rollout drivers
    (Netmiko), with host keys verified. The role site_rollout runs it once per batch
    (C(run_once)) for the hosts of the batch; the sites of those hosts run at once.
  - The action plugin of the same name (plugins/action/rollout_site.py) runs it in Ansible's
    worker process, as ansible.netcommon's action plugins do; this module is what documents the
    arguments, and what runs where the action plugin is not found.
  - Per site, in the commit safety order - the site's lock on its WAN router (unless
    C(lock_token) says the caller holds it), every device backed up before any is pushed, each
    pushed with a revert timer and verified, then every pushed device rolled back when any
    device of the site failed, else each confirmed and only then saved. The lock is released
    whatever happens. With C(plan_file), every device of every site is checked against the saved
    plan first; one that changed stops every site.
  - In check mode nothing is sent; each device's result holds the commands the push would send
    (and, in diff mode, a diff of them).
  - The task itself does not fail for a failed device; each device's result (C(devices)) says
    what happened to it, and the role's task rollout_result reports it on the device's host.
options:
  hosts:
    description: Inventory hostnames of the devices (the play's batch); their sites run.
    required: true
    type: list
    elements: str
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
    required: true
    type: str
  lab_dir:
    description: State folder of a running lab twin; devices are reached there.
    type: path
  netlab_dir:
    description:
      - State folder of a running network lab; a site's WAN router is reached as the
        network lab's linux_router (over its sshd). Devices neither lab holds are left out.
    type: path
  revert_minutes:
    description: Revert timer of the push; the device restores itself unless confirmed.
    type: int
    default: 5
  revert_wait:
    description:
      - Seconds a rollback waits for a device that lost management after the push (its revert
        timer brings it back) before the rollback is reported as failed.
    type: float
    default: 0
  plan_file:
    description:
      - A saved plan (C(rollout plan SITE --out FILE)). Every device is refused when its
        running configuration or its intended one changed since the plan was made; the push
        sends exactly the plan's commands.
    type: path
  lock_token:
    description:
      - The token each site's lock on its WAN router is taken with (C(rollout site) passes its
        own); empty, C(play-BACKUP_SET). The lock is removed when the site is done, whatever
        happened. A lock another run holds fails every device of that site (nothing is done).
    type: str
    default: ""
  lock_pid:
    description: The process whose life the locks follow; 0, ansible-playbook's.
    type: int
    default: 0
  lock_command:
    description: The command line the lock names; empty, this playbook.
    type: str
    default: ""
  lock_strict:
    description: A site whose lock is refused stops every site (nothing is done anywhere).
    type: bool
    default: false
  take_over:
    description: Take over a stale lock (its holder is gone); audited.
    type: bool
    default: false
  sites_per_process:
    description:
      - The batch's sites run in several processes (one per controller core), each given at
        least this many sites; fewer run as threads of one process.
    type: int
    default: 8
  progress_file:
    description:
      - A file a JSON line is appended to as each site ends - C(site), and C(devices) by
        hostname with C(status) (changed, ok, failed) and C(message) - while the task runs
        every site (C(rollout site) shows them as they come); empty, none.
    type: path
    default: ""
author: rollout
"""

RETURN = r"""
backup_set:
  description: The backup set of the run.
  returned: always
  type: str
results:
  description:
    - The folder holding each device's result, one JSON file per inventory hostname -
      C(changed), C(failed), C(msg), C(steps) (what each step did - ok, changed, failed,
      refused), C(commands) (sent, or in check mode to be sent), C(failure) (the step that
      failed and why), C(site_failure) (why its site failed), C(note), C(diff) (diff mode).
      The task C(rollout_result) returns each as its host's result (and removes it).
    - Not in this result, which would be too large for ansible-runner's and AWX's events for
      a province (their limit C(MAX_EVENT_RES)).
  returned: always
  type: str
devices:
  description: Per device (by inventory hostname), C(changed) and C(failed).
  returned: always
  type: dict
locks:
  description:
    - Per site, what became of its lock - C(refused) (why, with C(fix), and C(held) when
      another run holds it), C(took_over) (C(device), C(replaced) holder line, C(reason)),
      C(released).
  returned: always
  type: dict
failed_sites:
  description: The sites where any device failed (rolled back, or stopped before any push).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule


def main() -> None:
    from rollout.ansible_step import SITE_ARGSPEC, run_site

    module = AnsibleModule(argument_spec=SITE_ARGSPEC, supports_check_mode=True)
    result = run_site(module.params, check=module.check_mode, diff=module._diff)
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
