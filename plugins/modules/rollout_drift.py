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

from pathlib import Path
from typing import Any

from ansible.module_utils.basic import AnsibleModule


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "hostname": {"type": "str", "required": True},
            "repo": {"type": "path", "required": True},
            "secrets": {"type": "dict", "required": True, "no_log": True},
            "lab_dir": {"type": "path"},
            "timeout": {"type": "float", "default": 20},
        },
        supports_check_mode=True,
    )
    p: dict[str, Any] = module.params
    from rollout import drift
    from rollout.errors import RolloutError
    from rollout.inventory.loader import load_inventory
    from rollout.secrets import Secrets, redact, remember
    from rollout.targets import managed_devices

    secrets = remember(Secrets({k: str(v) for k, v in p["secrets"].items()}))
    root = Path(p["repo"])
    try:
        inv = load_inventory(root)
        site = next((s for s, d in inv.devices() if d.hostname == p["hostname"]), None)
        if site is None:
            module.fail_json(msg=f"{p['hostname']} is not a device of the inventory")
        lab = Path(p["lab_dir"]) if p["lab_dir"] else None
        managed = next(
            m
            for m in managed_devices(inv, [site.slug], secrets, lab=lab, timeout=p["timeout"])
            if m.device.hostname == p["hostname"]
        )
        allow = drift.load_allow_list(root / drift.ALLOW_FILE)
        result = drift.check_one(inv, secrets, managed, allow, retries=0)
    except RolloutError as exc:
        module.fail_json(msg=redact(secrets.redact(str(exc))))
    except Exception as exc:  # never a traceback with values in it: name the type, redacted
        module.fail_json(msg=redact(secrets.redact(f"{type(exc).__name__}: {exc}")))
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
