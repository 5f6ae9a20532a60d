"""Ansible module: read-only drift check of one managed device (the Ansible way, per host)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: rollout_drift
short_description: Say whether one managed device still matches the repository (read-only)
description:
  - Runs on the controller (connection local), reads the device's running configuration
    over SSH through the rollout drivers (host keys verified) and compares it with the
    intended configuration. Nothing is ever sent to the device.
  - The same comparison as C(rollout drift), one host per module run; C(rollout drift)
    itself runs the whole fleet from one process on a thread pool.
options:
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
  lab_dir:
    description: State folder of a running lab twin; devices are reached there.
    type: path
  netlab_dir:
    description: State folder of a running network lab; site routers are reached there.
    type: path
  timeout:
    description: Seconds to connect or wait for an answer.
    type: float
    default: 20
author: rollout
"""

RETURN = r"""
state:
  description: clean, drift, allowed or error.
  returned: always
  type: str
lines:
  description: Lines a rollout would send (redacted).
  returned: always
  type: list
  elements: str
kind:
  description: Why the device could not be checked (unreachable, auth, timeout, host_key).
  returned: on error
  type: str
"""

from typing import Any

from ansible.module_utils.basic import AnsibleModule


def main() -> None:
    from rollout.ansible_module import COMMON_ARGS, failure, locate, module_secrets

    module = AnsibleModule(
        argument_spec={**COMMON_ARGS, "timeout": {"type": "float", "default": 20}},
        supports_check_mode=True,
    )
    p: dict[str, Any] = module.params
    from rollout import drift
    from rollout.secrets import redact

    secrets = module_secrets(p)
    try:
        found = locate(p, secrets, timeout=p["timeout"])
        if found.managed is None:
            module.exit_json(
                changed=False, skipped=True, msg=f"{p['hostname']} is not held by the lab"
            )
            return
        allow = drift.load_allow_list(found.root / drift.ALLOW_FILE)
        result = drift.check_one(found.inv, secrets, found.managed, allow, retries=0)
    except Exception as exc:  # never a traceback with values in it: named and redacted
        module.fail_json(msg=failure(secrets, exc))
    out = {
        "changed": False,
        "state": result.state.value,
        "lines": [x.text for x in result.lines],
    }
    if result.kind is not None:
        module.fail_json(msg=redact(result.error), kind=result.kind.value, **out)
    module.exit_json(**out)


if __name__ == "__main__":
    main()
