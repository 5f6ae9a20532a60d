"""A converged lab twin of three sites (9 devices) for the fleet drift tests, over real SSH."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fleetlab import SITES, Fleet

from labrun import lab_env
from repocopy import copy_repo


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    from rollout.bench.lab import converged_specs
    from rollout.inventory.loader import load_inventory
    from rollout.lab import manager
    from rollout.secrets import load_secrets

    root = tmp_path_factory.mktemp("fleet")
    repo = copy_repo(root / "repo")
    lab_dir = root / "lab"
    inv = load_inventory(repo)
    specs = converged_specs(inv, list(SITES), load_secrets(repo))
    base = 24600 + 40 * (os.getpid() % 50)
    manager.up(specs, lab_dir, manager.LabOptions(base_port=base, log_level="WARNING"))
    env = lab_env(lab_dir, ROLLOUT_BACKUP_DIR=str(root / "backups"))
    try:
        yield Fleet(repo, lab_dir, env)
    finally:
        manager.down(lab_dir)
