"""What most commands need first: the repository, the validated inventory, the secrets."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rollout.cli.app import repo_root
from rollout.errors import RolloutError

if TYPE_CHECKING:
    from rollout.cli.options import Where
    from rollout.inventory.loader import Inventory
    from rollout.secrets import Secrets
    from rollout.targets import Managed


@dataclass(frozen=True)
class Context:
    root: Path
    inv: Inventory
    secrets: Secrets

    def lab_dir(self, lab: bool, lab_dir: Path | None) -> Path | None:
        from rollout.targets import lab_dir as find

        return find(self.root, lab_dir) if (lab or lab_dir) else None

    def netlab_dir(self, netlab: bool, netlab_dir: Path | None) -> Path | None:
        from rollout.targets import netlab_dir as find

        return find(self.root, netlab_dir) if (netlab or netlab_dir) else None

    def managed(
        self, sites: list[str], where: Where, every: bool = False, timeout: float | None = None
    ) -> list[Managed]:
        """The sites' managed devices where the command talks to them.

        every (--all): against a lab, only the sites the lab holds; named sites must be there.
        timeout: seconds per device to connect or answer (None: the default).
        """
        from rollout.targets import managed_devices

        lab = self.lab_dir(where.lab, where.lab_dir)
        netlab = self.netlab_dir(where.netlab, where.netlab_dir)
        if lab is None and netlab is None:
            self.require_live_ready(sites)
        return managed_devices(
            self.inv,
            sites,
            self.secrets,
            lab=lab,
            netlab=netlab,
            timeout=timeout,
            lab_only=every,
        )

    def require_live_ready(self, sites: list[str]) -> None:
        """Refuse a run against real devices on the lab vault, documentation addresses or
        placeholder codes (rollout.preflight), before any connection."""
        from rollout.preflight import require_live_ready

        require_live_ready(self.root, self.inv, sites)


def load(repo: Path | None) -> Context:
    from rollout.inventory.loader import load_inventory
    from rollout.secrets import load_secrets

    root = repo_root(repo)
    inv = load_inventory(root)
    return Context(root, inv, load_secrets(root))


def select_sites(inv: Inventory, sites: tuple[str, ...], all_sites: bool) -> list[str]:
    known = list(inv.sites)
    if all_sites:
        return known
    if not sites:
        raise RolloutError("name the sites", "give SITE... or --all")
    for slug in sites:
        if slug not in inv.sites:
            close = difflib.get_close_matches(slug, known, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise RolloutError(
                f"no site '{slug}' in inventory/sites/", f"{hint}known: {', '.join(known)}"
            )
    return list(dict.fromkeys(sites))
