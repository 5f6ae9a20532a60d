"""Ansible lookup: a device's configuration, rendered by the same function as `rollout render`."""

from __future__ import annotations

DOCUMENTATION = r"""
name: rollout_config
short_description: Render a device's configuration with the rollout templates
description:
  - Returns the text that C(rollout render) writes for the device, byte for byte.
  - Secrets come from the play's C(vault_*) variables; with C(redact=true) they are replaced.
options:
  _terms:
    description: Inventory hostnames of the devices.
    required: true
  redact:
    description: Replace vault values with a marker.
    type: bool
    default: true
"""

from functools import cache
from pathlib import Path
from typing import Any

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase


@cache
def _inventory(root: str) -> Any:
    from rollout.inventory.loader import load_inventory

    return load_inventory(Path(root), tolerant=True)


class LookupModule(LookupBase):  # type: ignore[misc]
    def run(self, terms: list[str], variables: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        from rollout.errors import RolloutError
        from rollout.render import redacted, render_device
        from rollout.secrets import Secrets

        self.set_options(var_options=variables, direct=kwargs)
        variables = variables or {}
        root = str(variables.get("rollout_repo") or Path.cwd())
        secrets = Secrets({k: str(v) for k, v in variables.items() if k.startswith("vault_")})
        out = []
        try:
            inv = _inventory(root)
            for hostname in terms:
                site, device = next(
                    ((s, d) for s, d in inv.devices() if d.hostname == hostname), (None, None)
                )
                if site is None or device is None:
                    raise AnsibleError(f"rollout_config: no device {hostname!r} in the inventory")
                item = render_device(inv, site, device, secrets)
                if self.get_option("redact"):
                    item = redacted([item], secrets)[0]
                out.append(item.text)
        except RolloutError as exc:
            raise AnsibleError(f"rollout_config: {exc}") from None
        return out
