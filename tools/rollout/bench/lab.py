"""Lab devices for the benchmark: every device starts converged (running = intended).

A fleet that matches its repository is the common case of a nightly drift check, and the
one that costs the most: every configuration is read and compared in full.
"""

from __future__ import annotations

from collections.abc import Iterable

from rollout.credentials import login as credentials
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Platform
from rollout.lab.manager import LabDeviceSpec
from rollout.render import render_device
from rollout.secrets import Secrets


def converged_specs(inv: Inventory, sites: Iterable[str], secrets: Secrets) -> list[LabDeviceSpec]:
    """One lab device per managed IOS/Polycom device of the sites, holding its intended config."""
    from rollout.drivers.polycom import parse_commands
    from rollout.lab.day0 import cabled_ports, registrar_addresses
    from rollout.lab.polycom import FACTORY_DEFAULTS

    registrars = registrar_addresses(inv)
    specs: list[LabDeviceSpec] = []
    for slug in sites:
        site = inv.sites[slug]
        for device in site.devices:
            if device.platform not in (Platform.CISCO_IOS, Platform.POLYCOM):
                continue
            user, password = credentials(inv, device, secrets)
            text = render_device(inv, site, device, secrets).text
            config: str | dict[str, str]
            if device.platform is Platform.CISCO_IOS:
                config = text
            else:
                config = {k: v for k, v in parse_commands(text).items() if k in FACTORY_DEFAULTS}
            specs.append(
                LabDeviceSpec(
                    name=device.hostname,
                    platform=device.platform.value,
                    username=user,
                    password=password,
                    config=config,
                    model=device.model,
                    cabled=cabled_ports(device),
                    registrars=registrars if device.platform is Platform.POLYCOM else (),
                )
            )
    return specs
