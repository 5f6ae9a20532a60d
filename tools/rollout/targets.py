"""Where each managed device is reached: the real network, the lab twin (--lab), or the
network lab's linux_router in place of a site's WAN router (--netlab, reached over its sshd)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rollout.drivers.base import Driver, Target
from rollout.errors import RolloutError
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Device, Platform, Role, Site
from rollout.secrets import Secrets

KNOWN_HOSTS = Path("inventory/known_hosts")
ENV_TIMEOUT = "ROLLOUT_DEVICE_TIMEOUT"
DEFAULT_TIMEOUT = 20.0


def device_timeout(default: float = DEFAULT_TIMEOUT) -> float:
    """Seconds to wait for a device to connect or answer ($ROLLOUT_DEVICE_TIMEOUT)."""
    import os

    try:
        value = float(os.environ.get(ENV_TIMEOUT, "") or default)
    except ValueError:
        raise RolloutError(
            f"{ENV_TIMEOUT} must be a number of seconds", f"e.g. {ENV_TIMEOUT}=20"
        ) from None
    if not 0.5 <= value <= 3600:
        raise RolloutError(f"{ENV_TIMEOUT} must be within 0.5..3600 seconds")
    return value


MANAGED = (Platform.CISCO_IOS, Platform.POLYCOM, Platform.LINUX_ROUTER)
CODEC_USER = "admin"


@dataclass(frozen=True)
class Managed:
    """A device rollout talks to, with its site and how to reach it."""

    site: Site
    device: Device
    target: Target
    root: Path | None = None  # the repository (where var/audit.log lives)


def credentials(inv: Inventory, device: Device, secrets: Secrets) -> tuple[str, str]:
    cred = inv.province.credentials
    if device.platform is Platform.POLYCOM:
        return CODEC_USER, secrets[cred.codec_admin_password]
    return cred.admin_user, secrets[cred.admin_password]


def lab_dir(root: Path, option: Path | None = None) -> Path:
    import os

    if option is not None:
        return option
    env = os.environ.get("ROLLOUT_LAB_DIR")
    return Path(env) if env else root / ".lab"


def managed_devices(
    inv: Inventory,
    sites: Iterable[str],
    secrets: Secrets,
    *,
    lab: Path | None = None,
    netlab: Path | None = None,
    timeout: float | None = None,
    lab_only: bool = False,
) -> list[Managed]:
    """The pushable devices of the sites; with lab set, their lab addresses and host keys.

    With netlab set (a network lab's state folder), a site's WAN router is the network lab's
    linux_router (its Linux twin, rendered as such), reached over the router's sshd; the site's
    other devices come from the lab twin when lab is set too, else they are left out.
    With lab_only, devices (sites) the running labs do not hold are left out instead of refused.
    """
    timeout = device_timeout() if timeout is None else timeout
    lab_devices = {}
    known = inv.root / KNOWN_HOSTS
    if lab is not None:
        from rollout.lab.manager import LabState

        state = LabState.read(lab)
        if state is None:
            raise RolloutError(f"no lab is running (no state in {lab})", "start it: rollout lab up")
        lab_devices = state.devices
        known = state.known_hosts
    routers = _netlab_routers(inv, sites, secrets, netlab, timeout, lab_only)
    out = []
    for slug in sites:
        site = inv.sites[slug]
        for device in site.devices:
            if netlab is not None and device.role is Role.WAN_ROUTER and slug in routers:
                out.append(routers[slug])
                continue
            if device.platform not in MANAGED or (netlab is not None and lab is None):
                continue
            user, password = credentials(inv, device, secrets)
            if lab is not None:
                where = lab_devices.get(device.hostname)
                if where is None and lab_only:
                    continue
                if where is None:
                    raise RolloutError(
                        f"{device.hostname} is not in the running lab",
                        f"restart the lab with its site: rollout lab down; rollout lab up {slug}",
                    )
                host, port = where.host, where.port
            else:
                host, port = device.mgmt_address, 22
            target = Target(
                device.hostname,
                device.platform,
                host,
                port,
                user,
                password,
                known,
                timeout,
                key=router_key(inv, device, secrets),
            )
            out.append(Managed(site, device, target, inv.root))
    return out


def router_key(inv: Inventory, device: Device, secrets: Secrets) -> str:
    """A linux_router logs in with the vault's admin key when the province names one."""
    name = inv.province.credentials.linux_router_admin_key
    if device.platform is not Platform.LINUX_ROUTER or not name:
        return ""
    return secrets[name]


def _netlab_routers(
    inv: Inventory,
    sites: Iterable[str],
    secrets: Secrets,
    netlab: Path | None,
    timeout: float,
    lab_only: bool,
) -> dict[str, Managed]:
    """Per site held by the network lab: its linux_router, reached over the router's sshd."""
    if netlab is None:
        return {}
    from rollout.netlab.lab import LabState, lab_router, router_target

    state = LabState.read(netlab)
    if state is None:
        raise RolloutError(
            f"no network lab is up (no state in {netlab})", "start it: rollout netlab up SITE"
        )
    out = {}
    for slug in sites:
        if slug not in state.sites:
            if lab_only:
                continue
            raise RolloutError(
                f"site {slug} is not in the network lab ({', '.join(state.sites) or 'none'})",
                f"rollout netlab down; rollout netlab up {slug}",
            )
        site = inv.sites[slug]
        target = router_target(inv, state, slug, secrets, timeout)
        out[slug] = Managed(site, lab_router(site), target, inv.root)
    return out


def netlab_dir(root: Path, option: Path | None = None) -> Path:
    """The network lab's state folder: the option, $ROLLOUT_NETLAB_DIR, or .netlab."""
    import os

    if option is not None:
        return option
    env = os.environ.get("ROLLOUT_NETLAB_DIR")
    return Path(env) if env else root / ".netlab"


def driver_for(target: Target) -> Driver:
    if target.platform is Platform.CISCO_IOS:
        from rollout.drivers.cisco_ios import CiscoIosDriver

        return CiscoIosDriver(target)
    if target.platform is Platform.POLYCOM:
        from rollout.drivers.polycom import PolycomDriver

        return PolycomDriver(target)
    if target.platform is Platform.LINUX_ROUTER:
        from rollout.drivers.linux_router import LinuxRouterDriver

        return LinuxRouterDriver(target)
    raise RolloutError(
        f"{target.name}: no driver for platform {target.platform.value}",
        "this platform is checked, not pushed",
    )
