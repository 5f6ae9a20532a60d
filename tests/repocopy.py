"""A private copy of the repository for tests that write into it (the real one is never touched)."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COPIED = ("inventory", "templates", "ansible.cfg", "plugins", "playbooks", "roles")


def copy_repo(target: Path) -> Path:
    """Copy what rollout and Ansible read (inventory, templates, plugins...) into target."""
    target.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, target / name)
    return target
