"""The converged lab twin the fleet tests share, and how they run `rollout drift` against it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from labrun import LabRun, lab_env
from repocopy import copy_repo

SITES = ("bao-thang", "bat-xat", "sa-pa")


class Fleet(LabRun):
    TIMEOUT: ClassVar[float] = 120

    def drift(self, *args: str, check: int | None = None) -> dict[str, Any]:
        proc = self.run("drift", *args, "--lab", "--format", "json", check=check)
        data: dict[str, Any] = json.loads(proc.stdout)
        return data


@contextmanager
def converged_fleet(root: Path, workers: int | None = None) -> Iterator[Fleet]:
    """A lab twin of SITES holding their intended configs, in a repository copy under root."""
    from rollout.bench.lab import converged_specs
    from rollout.inventory.loader import load_inventory
    from rollout.lab import manager
    from rollout.secrets import load_secrets

    repo = copy_repo(root / "repo")
    lab_dir = root / "lab"
    specs = converged_specs(load_inventory(repo), list(SITES), load_secrets(repo))
    options = manager.LabOptions(log_level="WARNING", workers=workers)
    manager.up(specs, lab_dir, options)
    try:
        yield Fleet(repo, lab_dir, lab_env(lab_dir, ROLLOUT_BACKUP_DIR=str(root / "backups")))
    finally:
        manager.down(lab_dir)
