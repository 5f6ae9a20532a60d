"""A lab twin of the pilot and the hub, started once for the module, over real SSH."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_lab import BIN, Lab

from repocopy import copy_repo


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("repo")
    repo = copy_repo(root)
    lab_dir = Path(tmp_path_factory.mktemp("lab"))
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "ROLLOUT_LAB_DIR": str(lab_dir),
        "ROLLOUT_BACKUP_DIR": str(root / "backups"),
    }
    env.pop("ROLLOUT_REPO", None)
    handle = Lab(repo, lab_dir, env)
    handle.run(
        "lab",
        "up",
        "bao-thang",
        "ubnd-tinh",
        "--base-port",
        "23000",
        "--minute-seconds",
        "12",
        check=0,
    )
    try:
        yield handle
    finally:
        handle.run("lab", "down")
