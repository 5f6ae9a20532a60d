"""What the repository's Ansible modules share: their common arguments, finding the device they
run for (real, lab twin or network lab), and error texts with every secret taken out.

The modules run on the controller (connection local) under the Python that has this package,
so the shared code lives here rather than in module_utils.
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
    from rollout.inventory.loader import load_inventory
    from rollout.targets import managed_devices

    root = Path(params["repo"])
    inv = load_inventory(root, tolerant=True)  # another site's broken file does not stop this
    hostname = params["hostname"]
    site = next((s for s, d in inv.devices() if d.hostname == hostname), None)
    if site is None:
        raise RolloutError(f"{hostname} is not a device of the inventory", "see inventory/sites/")
    managed = next(
        (
            m
            for m in managed_devices(
                inv,
                [site.slug],
                secrets,
                lab=Path(params["lab_dir"]) if params.get("lab_dir") else None,
                netlab=Path(params["netlab_dir"]) if params.get("netlab_dir") else None,
                timeout=timeout,
            )
            if m.device.hostname == hostname
        ),
        None,
    )
    return ModuleDevice(root, inv, site, managed)


def failure(secrets: Secrets, exc: BaseException) -> str:
    """The message of a failed module run: never a traceback, never a secret."""
    from rollout.errors import RolloutError
    from rollout.secrets import redact

    text = str(exc) if isinstance(exc, RolloutError) else f"{type(exc).__name__}: {exc}"
    return redact(secrets.redact(text))
