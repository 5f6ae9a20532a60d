"""What every collector receives, and the lazy loading of collectors by module path."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rollout.diagnose.expect import Expectations
from rollout.diagnose.model import Fact
from rollout.errors import RolloutError
from rollout.inventory.loader import Inventory
from rollout.secrets import Secrets
from rollout.targets import Managed


class Where(Protocol):
    """Which devices to read: the real ones, the lab twin, the network lab's routers (the CLI's
    ``rollout.cli.options.Where`` is one; the library does not import the CLI)."""

    @property
    def lab(self) -> bool: ...

    @property
    def lab_dir(self) -> Path | None: ...

    @property
    def netlab(self) -> bool: ...

    @property
    def netlab_dir(self) -> Path | None: ...


@dataclass(frozen=True)
class CollectContext:
    """What a collector needs besides its device: the inventory, the vault, whether only the
    light checks run (`rollout watch`), the site's expectations, the repository."""

    inv: Inventory
    secrets: Secrets
    light: bool
    expect: Expectations
    root: Path | None = None
    notes: list[str] = field(default_factory=list)
    """What was skipped and why (for people; not evidence)."""


Collector = Callable[[CollectContext, Managed], list[Fact]]


class CollectorMissing(RolloutError):
    """The platform's collector module is not installed."""


def lazy(path: str) -> Collector:
    """A collector that imports ``module:function`` when first called."""
    module, _, name = path.partition(":")

    def collect(ctx: CollectContext, m: Managed) -> list[Fact]:
        try:
            loaded = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            raise CollectorMissing(f"the collector {module} is not installed") from None
        found: Collector = getattr(loaded, name)
        return found(ctx, m)

    return collect
