"""Where each managed device is reached: the real network, the lab twin (--lab), or the
network lab's linux_router in place of a site's WAN router (--netlab, reached over its sshd).

The labs say where their devices are in their state folders (rollout.endpoints); this module
reads that and nothing else of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rollout.credentials import admin_key, login, previous_password, router_key
from rollout.drivers.base import Driver, Target
from rollout.endpoints import ENDPOINTS_FILE, Endpoint, live_endpoint, read_endpoints
from rollout.errors import RolloutError
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Device, Platform, Role, Site
from rollout.scope import LeftOut
from rollout.secrets import Secrets
from rollout.standin import stand_in

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


@dataclass(frozen=True)
class Managed:
    """A device rollout talks to, with its site and how to reach it."""

    site: Site
    device: Device
    target: Target
    root: Path | None = None  # the repository (where var/audit.log lives)


def lab_dir(root: Path, option: Path | None = None) -> Path:
    import os

    if option is not None:
        return option
    env = os.environ.get("ROLLOUT_LAB_DIR")
    return Path(env) if env else root / ".lab"


def target_for(
    inv: Inventory, device: Device, endpoint: Endpoint, secrets: Secrets, timeout: float
) -> Target:
    """How rollout reaches the device at the endpoint, with the vault's login for it.

    An endpoint naming a login of its own (the network lab's root) takes the admin key only.
    """
    previous = ""
    if endpoint.user:
        user, password, key = endpoint.user, "", admin_key(inv, secrets)
    else:
        user, password = login(inv, device, secrets)
        key = router_key(inv, device, secrets)
        previous = previous_password(inv, device, secrets)
    return Target(
        endpoint.name,
        endpoint.platform,
        endpoint.host,
        endpoint.port,
        user,
        password,
        endpoint.known_hosts,
        timeout,
        key=key,
        folder=endpoint.folder,
        where=endpoint.where,
        minute_seconds=endpoint.minute_seconds,
        previous_password=previous,
    )


def managed_devices(
    inv: Inventory,
    sites: Iterable[str],
    secrets: Secrets,
    *,
    lab: Path | None = None,
    netlab: Path | None = None,
    timeout: float | None = None,
    lab_only: bool = False,
    left_out: list[LeftOut] | None = None,
) -> list[Managed]:
    """The pushable devices of the sites; with lab set, their lab addresses and host keys.

    lab and netlab are state folders of the labs; each holds the endpoints its lab wrote
    (rollout.endpoints). With netlab set, a site's WAN router is the platform the network lab
    runs for it (a linux_router standing in: rollout.standin), reached over the router's sshd;
    the site's other devices come from the lab twin when lab is set too, else they are left out.
    With lab_only, devices (sites) the running labs do not hold are left out instead of refused;
    each is appended to left_out (when given) with the reason, for the caller to report.
    """
    timeout = device_timeout() if timeout is None else timeout
    sites = list(sites)
    lab_at = _read(lab, "no lab is running", "start it: rollout lab up")
    net_at = _read(netlab, "no network lab is up", "start it: rollout netlab up SITE")
    held = list(dict.fromkeys(e.site for e in (net_at or {}).values()))
    known = inv.root / KNOWN_HOSTS
    out = []
    for slug in sites:
        site = inv.sites[slug]
        if net_at is not None and slug not in held and not lab_only:
            raise RolloutError(
                f"site {slug} is not in the network lab ({', '.join(held) or 'none'})",
                f"rollout netlab down; rollout netlab up {slug}",
            )
        for device in site.devices:
            if net_at is not None and device.role is Role.WAN_ROUTER and slug in held:
                endpoint = net_at.get(device.hostname)
                if endpoint is None:
                    raise RolloutError(
                        f"site {slug} has no managed router in the network lab ({netlab})",
                        f"rollout netlab down; rollout netlab up {slug}",
                    )
                twin = stand_in(device, endpoint.platform)
                target = target_for(inv, twin, endpoint, secrets, timeout)
                out.append(Managed(site, twin, target, inv.root))
                continue
            if device.platform not in MANAGED:
                continue
            if net_at is not None and lab_at is None:
                if slug not in held and left_out is not None:
                    left_out.append(
                        LeftOut(
                            slug,
                            device.hostname,
                            "not in the network lab",
                            f"rollout netlab up {slug}",
                        )
                    )
                continue
            if lab_at is not None:
                found = lab_at.get(device.hostname)
                if found is None and lab_only:
                    if left_out is not None:
                        left_out.append(
                            LeftOut(
                                slug,
                                device.hostname,
                                "not in the lab",
                                "start the lab with this site too: "
                                "rollout lab down; rollout lab up SITE...",
                            )
                        )
                    continue
                if found is None:
                    raise RolloutError(
                        f"{device.hostname} is not in the running lab",
                        f"restart the lab with its site: rollout lab down; rollout lab up {slug}",
                    )
                endpoint = found
            else:
                endpoint = live_endpoint(
                    device.hostname, device.platform, device.mgmt_address, known
                )
            target = target_for(inv, device, endpoint, secrets, timeout)
            out.append(Managed(site, device, target, inv.root))
    return out


def _read(folder: Path | None, missing: str, fix: str) -> dict[str, Endpoint] | None:
    """The endpoints a lab wrote into its state folder (None when no folder is given)."""
    if folder is None:
        return None
    if not (folder / ENDPOINTS_FILE).exists():
        raise RolloutError(f"{missing} (no {ENDPOINTS_FILE} in {folder})", fix)
    return read_endpoints(folder, fix)


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
