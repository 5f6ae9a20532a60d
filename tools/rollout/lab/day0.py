"""Day-0 state of lab devices: what a device looks like when the provider has staged it.

A staged router or switch has its model's factory configuration (platform lines and every
physical port, from :mod:`rollout.hardware`), its hostname, the NOC account (so that rollout
can log in) and SSH; a staged codec has factory settings and its admin password. Every
other line comes from the first rollout, exactly as on a real new site.
"""

from __future__ import annotations

import hashlib

from rollout.credentials import login
from rollout.errors import RolloutError
from rollout.hardware import MODELS
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Device, Platform
from rollout.lab.specs import LabDeviceSpec
from rollout.secrets import Secrets, cisco_type9


def _unit_ids(hostname: str) -> tuple[str, str]:
    """A stable serial number and self-signed certificate id for one lab unit."""
    digest = hashlib.sha256(hostname.encode()).hexdigest()
    serial = f"FDO{int(digest[:6], 16) % 10000:04d}{digest[6:10].upper()}"
    return serial, str(int(digest[10:18], 16) % 4_000_000_000 + 100_000_000)


def ios_day0(inv: Inventory, device: Device, secrets: Secrets) -> str:
    """The running config of a staged unit: its model's factory lines, then the staging.

    Staging is what the provider does before shipping: hostname, the NOC account, AAA with
    local login and SSH version 2 on the VTY lines.
    """
    hw = MODELS.get(device.model)
    if hw is None:
        raise RolloutError(
            f"{device.hostname}: model {device.model!r} has no day-0 data",
            f"use one of: {', '.join(sorted(MODELS))}",
        )
    cred = inv.province.credentials
    seed = secrets[cred.hash_seed]
    serial, tpid = _unit_ids(device.hostname)
    lines = [
        *hw.day0(serial, tpid),
        f"hostname {device.hostname}",
        f"enable secret 9 {cisco_type9(secrets[cred.enable_secret], seed)}",
        f"username {cred.admin_user} privilege 15 secret 9 "
        f"{cisco_type9(secrets[cred.admin_password], seed)}",
        "aaa new-model",
        "aaa authentication login default local",
        "aaa authorization exec default local",
        "ip ssh version 2",
        "line vty 0 4",
        " transport input ssh",
        "!",
        "end",
    ]
    return "\n".join(lines) + "\n"


def staged_lan(inv: Inventory, slug: str, device: Device) -> dict[str, str]:
    """A codec is staged by the provider with a static address: its own, in the conference VLAN."""
    import ipaddress

    from rollout.intent import host_in

    conf = inv.sites[slug].vlan("conference")
    subnet = ipaddress.IPv4Network(conf.subnet if conf else f"{device.mgmt_address}/32")
    gateway = host_in(str(subnet), inv.province.pools.hosts.gateway)
    return {
        "dhcp": "off",
        "ipaddress": device.mgmt_address,
        "subnetmask": str(subnet.netmask),
        "defaultgateway": gateway,
    }


CABLED_PORTS = ("wan_interface", "lan_interface", "uplink", "codec_port", "room_client_port")
"""The inventory's port fields: a lab device has a cable in each of them."""


def cabled_ports(device: Device) -> tuple[str, ...]:
    """The ports of the device the lab cables (they come up whatever the config says)."""
    return tuple(str(p) for p in (getattr(device, a, None) for a in CABLED_PORTS) if p)


def registrar_addresses(inv: Inventory) -> tuple[str, ...]:
    """Where the lab's registrar and gatekeeper answer (a codec pointed elsewhere is offline)."""
    return tuple(
        s.address
        for s in inv.province.services.values()
        if s.kind in ("sip_registrar", "h323_gatekeeper")
    )


def lab_specs(inv: Inventory, sites: list[str], secrets: Secrets) -> list[LabDeviceSpec]:
    specs = []
    registrars = registrar_addresses(inv)
    for slug in sites:
        for device in inv.sites[slug].devices:
            user, password = login(inv, device, secrets)
            if device.platform is Platform.CISCO_IOS:
                config: str | dict[str, str] = ios_day0(inv, device, secrets)
            elif device.platform is Platform.POLYCOM:
                config = {"systemname": device.hostname, **staged_lan(inv, slug, device)}
            else:
                continue
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
