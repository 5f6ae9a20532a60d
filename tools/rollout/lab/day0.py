"""Day-0 state of lab devices: what a device looks like when the provider has staged it.

A staged router or switch has its hostname, the NOC account (so that rollout can log in) and
its factory interfaces; a staged codec has factory settings and its admin password. Every
other line comes from the first rollout, exactly as on a real new site.
"""

from __future__ import annotations

from rollout.inventory.loader import Inventory
from rollout.inventory.model import Device, Platform
from rollout.lab.manager import LabDeviceSpec
from rollout.secrets import Secrets, cisco_type9
from rollout.targets import credentials

# Physical interfaces per hardware model (data; a model not listed gets a small default).
MODEL_INTERFACES: dict[str, tuple[str, ...]] = {
    "ISR4321": ("GigabitEthernet0/0/0", "GigabitEthernet0/0/1"),
    "ISR4331": ("GigabitEthernet0/0/0", "GigabitEthernet0/0/1", "GigabitEthernet0/0/2"),
    "WS-C2960X-24PS-L": tuple(f"GigabitEthernet1/0/{n}" for n in range(1, 29)),
}
DEFAULT_INTERFACES = tuple(f"GigabitEthernet0/{n}" for n in range(4))


def ios_day0(inv: Inventory, device: Device, secrets: Secrets) -> str:
    cred = inv.province.credentials
    seed = secrets[cred.hash_seed]
    lines = [
        f"hostname {device.hostname}",
        "!",
        f"enable secret 9 {cisco_type9(secrets[cred.enable_secret], seed)}",
        "!",
        f"username {cred.admin_user} privilege 15 secret 9 "
        f"{cisco_type9(secrets[cred.admin_password], seed)}",
        "!",
        "aaa new-model",
        "aaa authentication login default local",
        "aaa authorization exec default local",
        "!",
        "ip ssh version 2",
        "!",
    ]
    for name in MODEL_INTERFACES.get(device.model, DEFAULT_INTERFACES):
        lines += [f"interface {name}", " no ip address", " shutdown", "!"]
    lines += [
        "interface Vlan1" if device.role.value == "lan_switch" else "!",
        *([" no ip address", " shutdown", "!"] if device.role.value == "lan_switch" else []),
        "line con 0",
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


def lab_specs(inv: Inventory, sites: list[str], secrets: Secrets) -> list[LabDeviceSpec]:
    specs = []
    for slug in sites:
        for device in inv.sites[slug].devices:
            user, password = credentials(inv, device, secrets)
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
                )
            )
    return specs
