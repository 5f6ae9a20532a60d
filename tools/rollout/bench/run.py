"""`rollout bench`: render, drift, the floor and the Ansible baseline, in one run, same devices.

Every measured step runs as its own process, started the way a person would start it
(`rollout render --all`, `rollout drift SITES --lab` over the lab's sites,
`ansible-playbook playbooks/drift.yml`),
and is measured from outside: wall time, CPU seconds (user + system) and peak RSS of that
process and its children (``os.wait4``). The lab simulators run meanwhile on the same machine
(one process per CPU) and compete for the same cores, as they would in CI.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rollout.errors import RolloutError


@dataclass
class Measure:
    name: str
    seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    rc: int
    devices: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.devices / self.seconds if self.seconds else 0.0


@dataclass
class BenchConfig:
    sites: int = 250
    render_sites: int | None = None
    workers: int = 64
    timeout: float = 20.0
    base_port: int | None = None
    lab_workers: int | None = None
    baseline: bool = True
    work: Path | None = None
    keep: bool = False


def _run(
    name: str, argv: Sequence[str], *, env: dict[str, str], cwd: Path, devices: int = 0
) -> tuple[Measure, str]:
    """Run argv and reap it with wait4: wall, CPU and peak RSS of that process tree."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.monotonic()
        proc = subprocess.Popen(list(argv), cwd=cwd, env=env, stdout=out, stderr=err, text=True)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode not in (0, 2) and name != "ansible baseline":
        raise RolloutError(
            f"bench step {name!r} failed (exit {proc.returncode}): {' '.join(argv)}\n"
            f"{stderr.strip()[-2000:]}"
        )
    # wait4's usage covers the process and every descendant it waited for (Ansible's forks).
    cpu = usage.ru_utime + usage.ru_stime
    measure = Measure(
        name, wall, cpu, usage.ru_maxrss / 1024, proc.returncode, devices, {"stderr": stderr[-500:]}
    )
    return measure, stdout


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) // 1024
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_mib": mem,
        "python": platform.python_version(),
        "kernel": platform.release(),
        "system": platform.platform(),
    }


def run(
    source: Path, config: BenchConfig, say: Callable[[str], None] = lambda _text: None
) -> dict[str, Any]:
    """The whole benchmark; returns the results (also what `--json` writes)."""
    from rollout.bench.lab import converged_specs
    from rollout.bench.province import generate
    from rollout.inventory.loader import load_inventory
    from rollout.lab import manager
    from rollout.secrets import load_secrets

    bindir = Path(sys.executable).parent
    rollout_bin = str(bindir / "rollout")
    work = config.work or Path(tempfile.mkdtemp(prefix="rollout-bench-"))
    root = work / "repo"
    lab_dir = work / "lab"
    total_sites = max(config.sites, config.render_sites or 0)
    env = {
        **os.environ,
        "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
        "ROLLOUT_REPO": str(root),
        "ROLLOUT_LAB_DIR": str(lab_dir),
        "ROLLOUT_BACKUP_DIR": str(work / "backups"),
        "ANSIBLE_CONFIG": str(root / "ansible.cfg"),
        "ANSIBLE_NOCOLOR": "1",
    }
    results: dict[str, Any] = {"machine": machine(), "config": {}, "measures": {}}
    results["config"] = {
        **{k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()},
        "work": str(work),
    }
    say(f"generating a province of {total_sites} synthetic sites in {root} ...")
    province = generate(source, root, total_sites)
    inv = load_inventory(root)
    secrets = load_secrets(root)
    results["province"] = {
        "sites": len(inv.sites),
        "devices": sum(len(s.devices) for s in inv.sites.values()),
        "generate_seconds": round(province.seconds, 2),
    }

    say(f"render --all: {len(inv.sites)} sites ...")
    render, _ = _run(
        "render",
        [rollout_bin, "render", "--all", "--out", str(work / "build")],
        env=env,
        cwd=root,
        devices=results["province"]["devices"],
    )
    render.extra = {"sites": len(inv.sites), "per_site_ms": 1000 * render.seconds / len(inv.sites)}
    results["measures"]["render"] = render

    drift_sites = province.sites[: config.sites]
    specs = converged_specs(inv, drift_sites, secrets)
    say(f"lab up: {len(specs)} devices of {len(drift_sites)} sites ...")
    manager.down(lab_dir)
    lab_started = time.monotonic()
    manager.up(
        specs,
        lab_dir,
        manager.LabOptions(
            base_port=config.base_port,
            workers=config.lab_workers,
            ready_timeout=600,
            log_level="WARNING",
        ),
    )
    results["lab"] = {"devices": len(specs), "up_seconds": round(time.monotonic() - lab_started, 2)}
    try:
        n = len(specs)
        # Lab devices parse their configuration on first use: one unmeasured pass first, so
        # that no measured step pays the simulators' warm-up (they share our two cores).
        say("warm-up pass over the lab (not measured) ...")
        floor_argv = [
            sys.executable,
            "-m",
            "rollout.bench.floor",
            "--repo",
            str(root),
            "--lab-dir",
            str(lab_dir),
            "--workers",
            str(config.workers),
            "--timeout",
            str(config.timeout),
        ]
        _run("warm-up", floor_argv, env=env, cwd=root, devices=n)
        say(f"rollout drift SITES --lab --workers {config.workers} ({n} devices) ...")
        drift, out = _run(
            "rollout drift",
            [
                rollout_bin,
                "drift",
                *drift_sites,
                "--lab",
                "--workers",
                str(config.workers),
                "--timeout",
                str(config.timeout),
                "--format",
                "json",
            ],
            env=env,
            cwd=root,
            devices=n,
        )
        summary = json.loads(out)["summary"]
        drift.extra = {"summary": summary}
        results["measures"]["drift"] = drift

        say("floor: bare Netmiko connect + read, same pool ...")
        floor, out = _run("floor", floor_argv, env=env, cwd=root, devices=n)
        floor.extra = json.loads(out)
        results["measures"]["floor"] = floor

        if config.baseline:
            say(f"Ansible baseline: playbooks/drift.yml, forks {config.workers} ...")
            limit = ",".join(f"site_{s.replace('-', '_')}" for s in drift_sites)
            limit_file = work / "limit.txt"
            limit_file.write_text("\n".join(limit.split(",")) + "\n")
            baseline, out = _run(
                "ansible baseline",
                [
                    str(bindir / "ansible-playbook"),
                    str(root / "playbooks/drift.yml"),
                    "--forks",
                    str(config.workers),
                    "--limit",
                    f"@{limit_file}",
                    "-e",
                    f"drift_check_lab_dir={lab_dir}",
                    "-e",
                    f"drift_check_timeout={config.timeout}",
                ],
                env=env,
                cwd=root,
                devices=n,
            )
            baseline.extra = {"recap": out.strip().splitlines()[-3:]}
            results["measures"]["baseline"] = baseline
    finally:
        manager.down(lab_dir)
        if config.work is None and not config.keep:
            import shutil

            shutil.rmtree(work, ignore_errors=True)

    m = results["measures"]
    results["ratios"] = {
        "ours_over_floor": m["drift"].seconds / m["floor"].seconds,
        # On a shared machine the wall time also holds other people's work; CPU seconds do not.
        "cpu_ours_over_floor": m["drift"].cpu_seconds / m["floor"].cpu_seconds,
        **(
            {"baseline_over_ours": m["baseline"].seconds / m["drift"].seconds}
            if "baseline" in m
            else {}
        ),
    }
    results["measures"] = {k: {**asdict(v), "per_second": v.per_second} for k, v in m.items()}
    return results


def table_rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for key, m in results["measures"].items():
        rows.append(
            (
                m["name"],
                str(m["devices"]),
                f"{m['seconds']:.2f}",
                f"{m['per_second']:.1f}",
                f"{m['cpu_seconds']:.1f}",
                f"{m['peak_rss_mib']:.0f}",
                f"{m['extra']['per_site_ms']:.2f} ms/site" if key == "render" else "",
            )
        )
    return rows
