"""Ansible module: one device's own result of the site transaction (rollout_site)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: rollout_result
short_description: Report one device's result of its site's transaction on its own host
description:
  - Returns the device's result of C(rollout_site) (its file in the folder C(results)) as this
    host's task result -
    changed when the device got its commands (or was rolled back), failed when it failed or its
    site failed, with the commands and, in diff mode, their diff. No device is reached.
  - The action plugin of the same name (plugins/action/rollout_result.py) runs it in Ansible's
    worker process; this module documents the arguments and runs where the plugin is not found.
options:
  hostname:
    description: Inventory hostname of the device.
    required: true
    type: str
  results:
    description:
      - The folder C(rollout_site) wrote each device's result to (its C(results)); the
        device's file is removed once read. No file - the run left the device out (the labs
        given do not hold it) - and the task is skipped.
    type: path
    default: ""
author: rollout
"""

RETURN = r"""
steps:
  description: What each step did on the device - ok, changed, failed, refused.
  returned: when the device ran
  type: dict
commands:
  description: Commands sent (or, in check mode, that would be sent).
  returned: when the device ran
  type: list
  elements: str
failure:
  description: The step that failed on this device and why (empty when it did not fail).
  returned: when the device ran
  type: str
site_failure:
  description: Why the device's site failed (empty when it did not).
  returned: when the device ran
  type: str
"""

from ansible.module_utils.basic import AnsibleModule


def main() -> None:
    from rollout.ansible_step import RESULT_ARGSPEC, device_result

    module = AnsibleModule(argument_spec=RESULT_ARGSPEC, supports_check_mode=True)
    result = device_result(module.params)
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
