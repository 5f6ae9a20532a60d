"""What the repository's Ansible modules and action plugins share: their common arguments,
finding the device they run for (real, lab twin or network lab), and error texts with every
secret taken out.

The device steps run on the controller: as the action plugins ``rollout_site`` and
``rollout_result`` (in Ansible's worker process, no module shipped or started;
``rollout.ansible_step``) or, where only the modules are found, as the modules under the Python
that has this package. The shared code lives
here rather than in module_utils.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rollout.inventory.loader import Inventory
    from rollout.inventory.model import Site
    from rollout.secrets import Secrets
    from rollout.targets import Managed

COMMON_ARGS: dict[str, dict[str, Any]] = {
    "hostname": {"type": "str", "required": True},
    "repo": {"type": "path", "required": True},
    "secrets": {"type": "dict", "required": True, "no_log": True},
    "lab_dir": {"type": "path"},
    "netlab_dir": {"type": "path"},
}


@dataclass(frozen=True)
class ModuleDevice:
    """The inventory and the device one module run is for."""

    root: Path
    inv: Inventory
    site: Site
    managed: Managed | None
    """None when the labs given do not hold the device (left out, not an error)."""


def module_secrets(params: dict[str, Any]) -> Secrets:
    """The vault values passed to the module, remembered so that every message is redacted."""
    from rollout.secrets import Secrets, remember

    return remember(Secrets({k: str(v) for k, v in params["secrets"].items()}))


def locate(
    params: dict[str, Any], secrets: Secrets, *, timeout: float | None = None
) -> ModuleDevice:
    """Load the inventory and find the module's device; a RolloutError says what is wrong."""
    from rollout.errors import RolloutError
    from rollout.targets import managed_devices

    root = Path(params["repo"])
    inv = inventory(root)
    hostname = params["hostname"]
    site = next((s for s, d in inv.devices() if d.hostname == hostname), None)
    if site is None:
        raise RolloutError(f"{hostname} is not a device of the inventory", "see inventory/sites/")
    devices = managed_devices(
        inv,
        [site.slug],
        secrets,
        lab=Path(params["lab_dir"]) if params.get("lab_dir") else None,
        netlab=Path(params["netlab_dir"]) if params.get("netlab_dir") else None,
        timeout=timeout,
    )
    managed = next((m for m in devices if m.device.hostname == hostname), None)
    return ModuleDevice(root, inv, site, managed)


def reach(
    params: dict[str, Any], secrets: Secrets, hosts: list[str]
) -> tuple[Path, Inventory, list[Managed], list[Managed]]:
    """The repository, its inventory, the devices of hosts the labs given hold (in inventory
    order; the others are left out), and every device of their sites those labs hold."""
    from rollout.errors import RolloutError
    from rollout.targets import managed_devices

    root = Path(params["repo"])
    inv = inventory(root)
    site_of = {d.hostname: s.slug for s, d in inv.devices()}
    unknown = sorted(h for h in hosts if h not in site_of)
    if unknown:
        raise RolloutError(
            f"{', '.join(unknown)}: not a device of the inventory", "see inventory/sites/"
        )
    slugs = sorted({site_of[h] for h in hosts})
    reached = managed_devices(
        inv,
        slugs,
        secrets,
        lab=Path(params["lab_dir"]) if params.get("lab_dir") else None,
        netlab=Path(params["netlab_dir"]) if params.get("netlab_dir") else None,
    )
    wanted = set(hosts)
    return root, inv, [m for m in reached if m.device.hostname in wanted], list(reached)


_LOADED: dict[Path, Inventory] = {}
"""Inventories loaded in this process, by repository (see ``keep``)."""


def keep(root: Path, inv: Inventory) -> None:
    """Remember the inventory the controller loaded (the inventory plugin) so that every worker
    Ansible forks afterwards finds it loaded instead of loading and validating it again."""
    _LOADED[root.resolve()] = inv


PRELOADED = (
    "rollout.ansible_step",
    "rollout.engine.steps",
    "rollout.engine.saved",
    "rollout.engine.transaction",
    "rollout.engine.devlock",
    "rollout.drivers.cisco_ios",
    "rollout.drivers.polycom",
    "rollout.drivers.linux_router",
    "netmiko",
    "paramiko",
    "hier_config",
)
"""What a device step imports: imported once in the controller, inherited by every worker."""


def preload(root: Path, inv: Inventory) -> None:
    """Before Ansible forks its workers (the inventory plugin calls this in ansible-playbook's
    own process): keep the inventory, import the steps' libraries and compile the templates, so
    that a device step in a forked worker pays none of it again."""
    import contextlib
    import importlib

    from rollout.drivers.ios_same import rules
    from rollout.render import environment, template_name

    keep(root, inv)
    for name in PRELOADED:
        importlib.import_module(name)
    rules()
    env = environment(inv.root)
    for name in sorted({template_name(device) for _site, device in inv.devices()}):
        with contextlib.suppress(Exception):  # a missing template is that device's own error
            env.get_template(name)


def inventory(root: Path) -> Inventory:
    """The repository's inventory: the one the controller loaded, else loaded now (tolerant:
    another site's broken file does not stop this device)."""
    from rollout.inventory.loader import load_inventory

    found = _LOADED.get(root.resolve())
    return found if found is not None else load_inventory(root, tolerant=True)


def failure(secrets: Secrets, exc: BaseException) -> str:
    """The message of a failed module run: never a traceback, never a secret."""
    from rollout.errors import RolloutError
    from rollout.secrets import redact

    text = str(exc) if isinstance(exc, RolloutError) else f"{type(exc).__name__}: {exc}"
    return redact(secrets.redact(text))


def controller_pid() -> int:
    """The pid of the ansible-playbook process this module runs under (the lock follows its
    life, not the module's): the first ancestor whose command line names ansible-playbook,
    else the parent."""
    import os

    pid = os.getppid()
    for _ in range(12):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        if b"ansible-playbook" in cmdline:
            return pid
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent <= 1:
            break
        pid = parent
    return os.getppid()
