"""`rollout bench diagnose`: the fault matrix of `rollout diagnose`, measured on the lab twin.

A lab twin of a few sites starts converged (running = intended); then, round after round, each
fault of `FAULTS` is injected with a random severity on a random site, `rollout diagnose SITE
--lab --format json` runs as a person would run it (its own process, timed from outside), and
the fault is cleared; healthy runs (nothing injected) are interleaved. Per fault: top-1 segment
and cause accuracy, time to verdict (median, p95); over the healthy runs: false alarms.

Faults are driven through the lab's own CLI (`rollout lab fault | impair | send`), so the
harness sees the twin exactly as an engineer does. A fault is one entry of `FAULTS`: its name,
how to inject and clear it, and the segment and code a right diagnosis names first. A fault
whose evidence needs a collector that is not installed is skipped and reported as such.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rollout.bench.diagnose_faults import FAULTS, Fault, Lab, Site
from rollout.errors import RolloutError

GOALS = {"segment_top1": 95.0, "healthy_no_false_alarm": 99.0, "p95_seconds": 30.0}
"""Issue #15's goals: top-1 segment on ≥ 95 % of injections, no false alarm on ≥ 99 % of
healthy runs, p95 time to verdict under 30 s for a site."""


@dataclass
class Run:
    fault: str  # "" for a healthy run
    site: str
    severity: str
    expected: tuple[str, str]
    got: tuple[str, str]
    verdict: str
    rc: int
    seconds: float

    @property
    def segment_ok(self) -> bool:
        return self.got[0] == self.expected[0]

    @property
    def code_ok(self) -> bool:
        return self.got == self.expected


@dataclass
class Config:
    runs: int = 5
    healthy: int | None = None  # default: as many as fault injections
    sites: int = 3
    seed: int = 1
    work: Path | None = None
    keep: bool = False
    faults: tuple[str, ...] = ()  # only these (default: all)


def sites_of(root: Path, count: int, rng: random.Random) -> list[Site]:
    """Sites with an IOS router, a switch and a codec (not the hub), chosen at random."""
    from rollout.intent.base import shaped_kbps
    from rollout.inventory.loader import load_inventory
    from rollout.inventory.model import Codec, Level, Platform, Router, Switch

    inv = load_inventory(root)
    out = []
    for slug, site in sorted(inv.sites.items()):
        r = next((d for d in site.devices if isinstance(d, Router)), None)
        sw = next((d for d in site.devices if isinstance(d, Switch)), None)
        c = next((d for d in site.devices if isinstance(d, Codec)), None)
        if site.level is Level.HUB or r is None or sw is None or c is None:
            continue
        if r.platform is not Platform.CISCO_IOS:
            continue
        udp = inv.province.media.codec_udp
        out.append(
            Site(
                slug,
                r.hostname,
                sw.hostname,
                c.hostname,
                r.wan_interface,
                site.wan.rate_kbps,
                shaped_kbps(inv, site),
                (udp.first, udp.last),
                inv.province.services[c.registrar].address,
                c.call_rate_kbps,
            )
        )
    if len(out) < count:
        raise RolloutError(f"only {len(out)} sites fit the bench (IOS router, switch, codec)")
    return rng.sample(out, count)


def diagnose_once(lab: Lab, site: Site) -> tuple[tuple[str, str], str, int, float]:
    start = time.monotonic()
    proc = lab.run("diagnose", site.slug, "--lab", "--format", "json", timeout=300)
    seconds = time.monotonic() - start
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return ("", "error"), "error", proc.returncode, seconds
    causes = data.get("causes") or [{}]
    top = (str(causes[0].get("segment", "")), str(causes[0].get("code", "")))
    return top, str(data.get("verdict", "error")), proc.returncode, seconds


def available(fault: Fault) -> bool:
    return not fault.needs or importlib.util.find_spec(fault.needs) is not None


def run(source: Path, config: Config, say: Callable[[str], None]) -> dict[str, Any]:
    """Start the lab, run the matrix, stop the lab; the results as plain data."""
    from rollout.bench.lab import converged_specs
    from rollout.bench.province import copy_repo
    from rollout.lab import manager
    from rollout.secrets import load_secrets

    rng = random.Random(config.seed)
    work = config.work or Path(tempfile.mkdtemp(prefix="rollout-bench-diagnose-"))
    root = copy_repo(source, work / "repo")
    lab_dir = work / "lab"
    bindir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
        "ROLLOUT_REPO": str(root),
        "ROLLOUT_LAB_DIR": str(lab_dir),
        "ROLLOUT_BACKUP_DIR": str(work / "backups"),
    }
    lab = Lab(root, env)
    sites = sites_of(root, config.sites, rng)
    chosen = [f for f in FAULTS if not config.faults or f.name in config.faults]
    skipped = [f for f in chosen if not available(f)]
    faults = [f for f in chosen if available(f)]
    from rollout.inventory.loader import load_inventory

    inv = load_inventory(root)
    # The hub too: its WAN-IN counts what arrives from each site (the DSCP the provider left).
    specs = converged_specs(inv, [inv.province.hub, *(s.slug for s in sites)], load_secrets(root))
    say(f"lab up: {len(specs)} devices of {', '.join(s.slug for s in sites)} ...")
    manager.down(lab_dir)
    manager.up(specs, lab_dir, manager.LabOptions(log_level="WARNING", ready_timeout=300))
    runs: list[Run] = []
    try:
        for s in sites:  # warm-up (the simulators parse their configuration on first use)
            diagnose_once(lab, s)
        healthy = config.healthy if config.healthy is not None else config.runs * len(faults)
        plan: list[Fault | None] = [f for f in faults for _ in range(config.runs)]
        plan += [None] * healthy
        rng.shuffle(plan)
        for i, fault in enumerate(plan, 1):
            site = rng.choice(sites)
            runs.append(_one(lab, site, fault, rng))
            last = runs[-1]
            say(
                f"[{i}/{len(plan)}] {last.fault or 'healthy'} on {site.slug} ({last.severity}): "
                f"{last.got[0]}/{last.got[1] or '-'} in {last.seconds:.1f} s"
            )
    finally:
        manager.down(lab_dir)
        if not config.keep and config.work is None:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
    return report(runs, faults, skipped, config, [s.slug for s in sites])


def _one(lab: Lab, site: Site, fault: Fault | None, rng: random.Random) -> Run:
    if fault is None:
        top, verdict, rc, seconds = diagnose_once(lab, site)
        return Run("", site.slug, "-", ("", ""), top, verdict, rc, seconds)
    severity = fault.inject(lab, site, rng)
    try:
        top, verdict, rc, seconds = diagnose_once(lab, site)
    finally:
        fault.clear(lab, site)
    return Run(
        fault.name, site.slug, severity, (fault.segment, fault.code), top, verdict, rc, seconds
    )


def _p95(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def _share(n: int, of: int) -> float:
    return round(100.0 * n / of, 1) if of else 0.0


def report(
    runs: list[Run], faults: list[Fault], skipped: list[Fault], config: Config, sites: list[str]
) -> dict[str, Any]:
    rows = []
    for f in faults:
        mine = [r for r in runs if r.fault == f.name]
        times = [r.seconds for r in mine]
        rows.append(
            {
                "fault": f.name,
                "expected": f"{f.segment} / {f.code}",
                "runs": len(mine),
                "segment_top1": _share(sum(r.segment_ok for r in mine), len(mine)),
                "cause_top1": _share(sum(r.code_ok for r in mine), len(mine)),
                "median_s": round(statistics.median(times), 1) if times else 0.0,
                "p95_s": round(_p95(times), 1),
                "missed": sorted({f"{r.got[0]}/{r.got[1]}" for r in mine if not r.segment_ok}),
            }
        )
    injected = [r for r in runs if r.fault]
    healthy = [r for r in runs if not r.fault]
    times = [r.seconds for r in runs]
    overall = {
        "segment_top1": _share(sum(r.segment_ok for r in injected), len(injected)),
        "cause_top1": _share(sum(r.code_ok for r in injected), len(injected)),
        "healthy_runs": len(healthy),
        "healthy_no_false_alarm": _share(
            sum(r.verdict == "healthy" and r.rc == 0 for r in healthy), len(healthy)
        ),
        "median_s": round(statistics.median(times), 1) if times else 0.0,
        "p95_s": round(_p95(times), 1),
    }
    passed = {
        "segment_top1": overall["segment_top1"] >= GOALS["segment_top1"],
        "healthy_no_false_alarm": overall["healthy_no_false_alarm"]
        >= GOALS["healthy_no_false_alarm"],
        "p95_seconds": overall["p95_s"] < GOALS["p95_seconds"],
    }
    return {
        "config": {"runs": config.runs, "seed": config.seed, "sites": sites},
        "faults": rows,
        "skipped": [{"fault": f.name, "needs": f.needs} for f in skipped],
        "overall": overall,
        "goals": GOALS,
        "passed": passed,
        "ok": all(passed.values()),
        "runs": [{**r.__dict__, "expected": list(r.expected), "got": list(r.got)} for r in runs],
    }
