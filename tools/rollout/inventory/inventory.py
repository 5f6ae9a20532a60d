"""The loaded province: the record every reader of the inventory works on.

Built by ``loader.load_inventory``; read by the cross-file checks (``checks.py``), the allocator
and everything downstream. It lives apart from the loader so that the checks can take it
without importing the loader (which runs them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rollout.errors import Problem
from rollout.inventory.model import Device, Province, Site


@dataclass(frozen=True)
class Inventory:
    """The whole province as the repository describes it."""

    root: Path
    province: Province
    sites: dict[str, Site]
    files: dict[str, Path]
    broken: dict[str, tuple[Problem, ...]] = field(default_factory=dict)
    """Sites left out of a tolerant load (``load_inventory(..., tolerant=True)``): slug -> the
    problems of its file. ``sites`` holds only the sites that loaded and passed the checks."""
    stray: tuple[Problem, ...] = ()
    """Problems of a tolerant load that belong to no site (a stray file in inventory/sites)."""

    def site(self, slug: str) -> Site:
        return self.sites[slug]

    def devices(self) -> Iterator[tuple[Site, Device]]:
        for site in self.sites.values():
            for device in site.devices:
                yield site, device

    @property
    def hub(self) -> Site:
        return self.sites[self.province.hub]

    def display(self, slug: str) -> str:
        return str(self.files[slug].relative_to(self.root))
