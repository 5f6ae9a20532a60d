"""Ansible inventory plugin: the province's devices, straight from the rollout model."""

from __future__ import annotations

DOCUMENTATION = r"""
name: rollout_inventory
short_description: Devices of the province from inventory/province.yml and inventory/sites/
description:
  - Loads and validates the repository with the rollout package (the same model the CLI uses)
    and adds one host per device, grouped by site, platform, role and level.
options:
  plugin:
    description: Must be C(rollout_inventory).
    required: true
    choices: ["rollout_inventory"]
"""

import os
import re
import sys
from pathlib import Path
from typing import Any

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin


def group(prefix: str, name: str) -> str:
    return f"{prefix}_{re.sub(r'[^a-z0-9_]', '_', name.lower())}"


TOLERANT_ENV = "ROLLOUT_TOLERANT_INVENTORY"


class InventoryModule(BaseInventoryPlugin):  # type: ignore[misc]
    NAME = "rollout_inventory"

    def verify_file(self, path: str) -> bool:
        return super().verify_file(path) and path.endswith(("rollout.yml", "rollout.yaml"))

    def parse(self, inventory: Any, loader: Any, path: str, cache: bool = True) -> None:
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        from rollout.errors import RolloutError
        from rollout.inventory.loader import load_inventory
        from rollout.render import SUFFIX

        root = Path(path).resolve().parent.parent
        # `rollout site` has already named the broken site files and limits the run to good
        # sites, so under it a broken file stops only its own site (ROLLOUT_TOLERANT_INVENTORY,
        # set by rollout.runner). A bare ansible-playbook cannot know which sites its --limit
        # needs: there an invalid site file stops the run, naming the file, field and fix.
        tolerant = os.environ.get(TOLERANT_ENV) == "1"
        try:
            inv = load_inventory(root, tolerant=tolerant)
        except RolloutError as exc:
            raise AnsibleParserError(f"rollout inventory is invalid:\n{exc}") from None
        # This runs in ansible-playbook's own process, before any worker is forked: the device
        # steps (action plugin rollout_device) find the inventory loaded and rollout, Netmiko
        # and hier_config imported in every worker instead of paying for them per task.
        from rollout.ansible_module import preload

        preload(root, inv)
        for site, device in inv.devices():
            host = device.hostname
            groups = [
                group("site", site.slug),
                group("platform", device.platform.value),
                group("role", device.role.value),
                group("level", site.level.value),
            ]
            for name in groups:
                self.inventory.add_group(name)
                self.inventory.add_host(host, group=name)
            values = {
                "ansible_host": device.mgmt_address,
                "ansible_connection": "local",
                "ansible_python_interpreter": sys.executable,
                "rollout_site": site.slug,
                "rollout_site_group": group("site", site.slug),
                "rollout_platform": device.platform.value,
                "rollout_role": device.role.value,
                "rollout_level": site.level.value,
                "rollout_suffix": SUFFIX[device.platform],
                "rollout_repo": str(root),
            }
            for key, value in values.items():
                self.inventory.set_variable(host, key, value)
