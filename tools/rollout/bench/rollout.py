"""`rollout bench rollout`: a rollout against a plan of the same sites, side by side, one run.

For each size (1 site, then N sites) a copy of the repository gets a fresh lab twin of those
sites at day 0 (`rollout lab up SITES`, not measured); then, as a person would type them:

1. `rollout plan SITES --lab` (reads and plans every device: what the devices cost to read);
2. `rollout site SITES --lab --yes` (day-0 to pushed: backup, push with the revert timer,
   verify, confirm, save, through ansible-playbook under ansible-runner).

Each is measured from outside (`rollout.bench.run._run`: wall time, CPU seconds and peak RSS of
the process tree, ``os.wait4``). The ratio site/plan says what a rollout costs beyond what the
devices need; the site wall time of the largest size is the province's time from day 0.
The lab simulators run on the same machine meanwhile and compete for the same cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rollout.errors import RolloutError

PILOT = "bao-thang"


@dataclass
class RolloutBenchConfig:
    sizes: tuple[int, ...] = (1, 100)
    """Sites per measured round (the pilot first); more than the repository holds means all."""
    work: Path | None = None
    keep: bool = False
    lab_workers: int | None = None


def chosen_sites(slugs: Sequence[str], n: int) -> list[str]:
    """The pilot first, then the repository's other sites in order: n of them (at most all)."""
    ordered = [PILOT, *(s for s in slugs if s != PILOT)] if PILOT in slugs else list(slugs)
    return ordered[: max(1, n)]


def _lab(argv: list[str], env: dict[str, str], cwd: Path) -> None:
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RolloutError(
            f"bench: {' '.join(argv[1:4])} ... failed (exit {proc.returncode})",
            proc.stderr.strip()[-1500:],
        )


def measure_size(
    root: Path, work: Path, sites: list[str], config: RolloutBenchConfig, say: Callable[[str], None]
) -> dict[str, Any]:
    """One round: lab up at day 0, plan, site, lab down; the two measures and their ratio."""
    from rollout.bench.run import _run

    bindir = Path(sys.executable).parent
    rollout_bin = str(bindir / "rollout")
    lab_dir = work / f"lab-{len(sites)}"
    env = {
        **os.environ,
        "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
        "ROLLOUT_REPO": str(root),
        "ROLLOUT_LAB_DIR": str(lab_dir),
        "ROLLOUT_BACKUP_DIR": str(work / f"backups-{len(sites)}"),
        "ANSIBLE_NOCOLOR": "1",
    }
    workers = ["--workers", str(config.lab_workers)] if config.lab_workers else []
    say(f"lab up: {len(sites)} sites at day 0 ...")
    _lab([rollout_bin, "lab", "up", *sites, *workers], env, root)
    try:
        say(f"rollout plan ({len(sites)} sites) ...")
        plan, out = _run(
            "rollout plan",
            [rollout_bin, "plan", *sites, "--lab", "--format", "json"],
            env=env,
            cwd=root,
        )
        devices = len(json.loads(out)["devices"])
        plan.devices = devices
        say(f"rollout site ({len(sites)} sites, {devices} devices) ...")
        site, out = _run(
            "rollout site",
            [rollout_bin, "site", *sites, "--lab", "--yes", "--format", "json"],
            env=env,
            cwd=root,
            devices=devices,
        )
        done = json.loads(out)
        if site.rc != 0 or not done.get("ok"):
            raise RolloutError(
                f"bench: rollout site of {len(sites)} sites failed: {done.get('errors')}",
                f"see {done.get('artifacts')}",
            )
        site.extra = {"recap": done.get("recap", [])[-3:], "playbook_seconds": done.get("seconds")}
    finally:
        subprocess.run(
            [rollout_bin, "lab", "down"], cwd=root, env=env, capture_output=True, check=False
        )
    return {
        "sites": len(sites),
        "devices": devices,
        "plan": asdict(plan),
        "site": asdict(site),
        "ratio_wall": site.seconds / plan.seconds,
        "ratio_cpu": site.cpu_seconds / plan.cpu_seconds if plan.cpu_seconds else 0.0,
    }


def run(
    source: Path, config: RolloutBenchConfig, say: Callable[[str], None] = lambda _text: None
) -> dict[str, Any]:
    """Every size, one after the other, in one copy of the repository; the results."""
    from rollout.bench.province import copy_repo
    from rollout.bench.run import machine
    from rollout.inventory.loader import load_inventory

    work = config.work or Path(tempfile.mkdtemp(prefix="rollout-bench-rollout-"))
    root = copy_repo(source, work / "repo")
    slugs = list(load_inventory(root).sites)
    results: dict[str, Any] = {"machine": machine(), "work": str(work), "rounds": []}
    try:
        for n in config.sizes:
            sites = chosen_sites(slugs, n)
            results["rounds"].append(measure_size(root, work, sites, config, say))
    finally:
        if config.work is None and not config.keep:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
    return results


def table_rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for r in results["rounds"]:
        for key in ("plan", "site"):
            m = r[key]
            rows.append(
                (
                    f"rollout {key}",
                    str(r["sites"]),
                    str(r["devices"]),
                    f"{m['seconds']:.2f}",
                    f"{m['cpu_seconds']:.1f}",
                    f"{m['peak_rss_mib']:.0f}",
                    f"site/plan {r['ratio_wall']:.2f}x wall, {r['ratio_cpu']:.2f}x CPU"
                    if key == "site"
                    else "",
                )
            )
    return rows
