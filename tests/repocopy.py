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


THE_2017_SITES = (
    "ubnd-tinh",
    "lao-cai",
    "bat-xat",
    "muong-khuong",
    "si-ma-cai",
    "bac-ha",
    "bao-thang",
    "bao-yen",
    "sa-pa",
    "van-ban",
)


def the_2017_sites(root: Path) -> Path:
    """A copy cut down to the hub and the nine sites of 2017 (re-coded to communes), with
    invented units allowed (`units: synthetic`): for tests that clone made-up sites and count
    on the ten sites' ranges (10.16.0-9.0/24, loopbacks .1-.10, WAN links up to .36/30)."""
    for path in (root / "inventory" / "sites").glob("*.yml"):
        if path.stem not in THE_2017_SITES:
            path.unlink()
    province = root / "inventory" / "province.yml"
    text = province.read_text(encoding="utf-8")
    province.write_text(text.replace('\ncode: "15"\n', '\ncode: "15"\nunits: synthetic\n'))
    return root
