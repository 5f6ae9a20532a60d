"""A lab twin of the pilot and the hub, started once for the module, over real SSH."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from labrun import LabRun, lab_env
from repocopy import copy_repo


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabRun]:
    root = tmp_path_factory.mktemp("repo")
    repo = copy_repo(root)
    lab_dir = Path(tmp_path_factory.mktemp("lab"))
    handle = LabRun(repo, lab_dir, lab_env(lab_dir, ROLLOUT_BACKUP_DIR=str(root / "backups")))
    handle.run(
        "lab",
        "up",
        "bao-thang",
        "ubnd-tinh",
        "--minute-seconds",
        "12",
        check=0,
    )
    try:
        yield handle
    finally:
        handle.run("lab", "down")
