"""`rollout bench diagnose`: the fault matrix of `rollout diagnose` on the lab twin."""

from __future__ import annotations

import json
from pathlib import Path

import click

from rollout.cli.app import fail, table
from rollout.cli.bench_options import run_options
from rollout.errors import RolloutError


@click.command("diagnose")
@click.option(
    "--runs", type=click.IntRange(1, 1000), default=5, show_default=True, help="Per fault."
)
@click.option(
    "--healthy",
    type=click.IntRange(0, 10000),
    default=None,
    help="Healthy runs (nothing injected; default: as many as the injections).",
)
@click.option("--sites", type=click.IntRange(1, 20), default=3, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option(
    "--fault", "faults", multiple=True, metavar="NAME", help="Only this fault (repeatable)."
)
@run_options(
    "bench-diagnose.json",
    "Folder for the repository copy and the lab (default: a new temporary one).",
    "Keep the temporary folder.",
)
def bench_diagnose(
    runs: int,
    healthy: int | None,
    sites: int,
    seed: int,
    faults: tuple[str, ...],
    work: Path | None,
    keep: bool,
    json_out: Path,
    repo: Path | None,
) -> int:
    """Inject each fault of the table many times (random severity, random site) into a lab
    twin, run `rollout diagnose`, and report per fault the top-1 segment and cause accuracy
    and the time to verdict, the false alarms on healthy runs, against the goals (exit 2 when
    a goal is missed). The real repository is never touched. Not part of the tests.
    """
    from rollout.bench.diagnose import Config, run
    from rollout.bench.diagnose_faults import FAULTS
    from rollout.cli.app import repo_root

    known = [f.name for f in FAULTS]
    try:
        unknown = [f for f in faults if f not in known]
        if unknown:
            raise RolloutError(f"no fault {unknown[0]!r}", f"known: {', '.join(known)}")
        config = Config(runs, healthy, sites, seed, work, keep, faults)
        results = run(repo_root(repo), config, say=lambda text: click.echo(text, err=True))
    except RolloutError as exc:
        fail(exc)
    table(
        f"diagnose fault matrix: {runs} runs per fault, seed {seed}, "
        f"sites {', '.join(results['config']['sites'])}",
        ["fault", "expected", "runs", "segment top-1 %", "cause top-1 %", "median s", "p95 s"],
        [
            tuple(r[k] for k in ("fault", "expected", "runs", "segment_top1", "cause_top1"))
            + tuple(r[k] for k in ("median_s", "p95_s"))
            for r in results["faults"]
        ],
    )
    o, passed = results["overall"], results["passed"]
    for s in results["skipped"]:
        click.echo(f"skipped: {s['fault']} (needs {s['needs']})")
    click.echo(
        f"top-1 segment {o['segment_top1']} % (goal >= 95: "
        f"{'pass' if passed['segment_top1'] else 'FAIL'}); top-1 cause {o['cause_top1']} %"
    )
    click.echo(
        f"healthy runs without a false alarm {o['healthy_no_false_alarm']} % of "
        f"{o['healthy_runs']} (goal >= 99: "
        f"{'pass' if passed['healthy_no_false_alarm'] else 'FAIL'})"
    )
    click.echo(
        f"time to verdict median {o['median_s']} s, p95 {o['p95_s']} s (goal < 30: "
        f"{'pass' if passed['p95_seconds'] else 'FAIL'})"
    )
    out = json_out if json_out.is_absolute() else Path.cwd() / json_out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    click.echo(f"results: {out}")
    return 0 if results["ok"] else 2
