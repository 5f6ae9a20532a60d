"""A lab twin per test module and the checks every fault test ends with."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from labrun import BIN, LabRun, lab_env
from repocopy import copy_repo

__all__ = ["BIN", "FaultLab", "start"]


@dataclass
class FaultLab(LabRun):
    backups: Path

    def json_state(self) -> dict[str, int]:
        """Device name -> lab port."""
        data = json.loads((self.lab_dir / "state.json").read_text())
        return {name: int(d["port"]) for name, d in data["devices"].items()}

    def backup_files(self) -> dict[Path, bytes]:
        return {p: p.read_bytes() for p in sorted(self.backups.rglob("*.txt"))}

    def states(self, site: str) -> dict[str, str]:
        """Per device: 'new' (matches the repository), 'old' (matches the first backup of the
        site, taken at day 0) or 'BETWEEN' (neither), read over SSH with the driver's plan."""
        from rollout import ops
        from rollout.inventory.loader import load_inventory
        from rollout.secrets import load_secrets
        from rollout.targets import driver_for, managed_devices

        inv = load_inventory(self.repo)
        secrets = load_secrets(self.repo)
        first = sorted(p for p in (self.backups / site).iterdir() if not p.name.startswith("."))[0]
        out = {}
        for m in managed_devices(inv, [site], secrets, lab=self.lab_dir, timeout=10):
            driver = driver_for(m.target)
            try:
                running = driver.running_config()
            finally:
                driver.close()
            shown = secrets.redact(running)
            if not driver.plan(running, ops.intended(inv, secrets, m)).changed:
                out[m.device.hostname] = "new"
            elif not driver.plan(shown, (first / f"{m.device.hostname}.txt").read_text()).changed:
                out[m.device.hostname] = "old"
            else:
                out[m.device.hostname] = "BETWEEN"
        return out


def start(
    root: Path, sites: list[str], minute_seconds: float, repo: Path | None = None
) -> FaultLab:
    """The lab of the sites (ports the kernel picks), day-0 backups taken."""
    repo = repo or copy_repo(root / "repo")
    lab_dir = root / "lab"
    backups = root / "backups"
    env = lab_env(
        lab_dir,
        ROLLOUT_BACKUP_DIR=str(backups),
        ROLLOUT_MINUTE_SECONDS=str(minute_seconds),
        ROLLOUT_DEVICE_TIMEOUT="6",
        COLUMNS="250",
    )
    lab = FaultLab(repo, lab_dir, env, backups)
    lab.run(
        "lab",
        "up",
        *sites,
        "--minute-seconds",
        str(minute_seconds),
        check=0,
    )
    # Day 0 backup of every site: the 'old' configuration the checks compare against.
    lab.run("backup", *sites, "--lab", check=0)
    return lab
