"""`rollout bench`: how fast render and drift are, against the floor and the Ansible way;
`rollout bench rollout`: a site rollout against a plan of the same sites."""

from __future__ import annotations

import json
from pathlib import Path

import click

from rollout.cli.app import fail, table
from rollout.cli.bench_diagnose import bench_diagnose
from rollout.cli.bench_options import run_options
from rollout.errors import RolloutError


@click.group(invoke_without_command=True)
@click.option(
    "--sites",
    type=click.IntRange(1, 3300),
    default=250,
    show_default=True,
    help="Synthetic sites with lab devices (3 managed devices each; 4 devices in all).",
)
@click.option(
    "--render-sites",
    type=click.IntRange(1, 3300),
    default=None,
    help="Sites to generate and render (default: --sites); e.g. 3300 for the country.",
)
@click.option("--workers", type=click.IntRange(1, 512), default=64, show_default=True)
@click.option("--timeout", type=click.FloatRange(0.5, 600), default=20.0, show_default=True)
@click.option(
    "--base-port",
    type=click.IntRange(1024, 60000),
    default=None,
    help="First lab port to try (default: ports the kernel picks, so two runs never collide).",
)
@click.option("--lab-workers", type=click.IntRange(1, 64), default=None, help="Lab processes.")
@click.option("--no-baseline", is_flag=True, help="Skip the Ansible baseline (the slow part).")
@run_options(
    "bench.json",
    "Folder for the synthetic repository and the lab (default: a new temporary one).",
    "Keep the temporary folder (repository, lab, build).",
)
@click.pass_context
def bench(
    ctx: click.Context,
    sites: int,
    render_sites: int | None,
    workers: int,
    timeout: float,
    base_port: int | None,
    lab_workers: int | None,
    no_baseline: bool,
    work: Path | None,
    keep: bool,
    json_out: Path,
    repo: Path | None,
) -> None:
    """Measure render and drift at province scale, the floor and the Ansible baseline.

    Generates a synthetic province in a temporary copy of the repository (the real one is
    never touched), starts converged lab devices for it on 127.0.0.1, and measures, on the
    same devices: `rollout render --all`, `rollout drift --all`, bare Netmiko reads (the
    floor) and `ansible-playbook playbooks/drift.yml` (the baseline). Not part of the tests.

    `rollout bench rollout --help`: a site rollout against a plan of the same sites;
    `rollout bench diagnose --help`: the fault matrix of `rollout diagnose`.
    """
    if ctx.invoked_subcommand is not None:
        return
    from rollout.bench.run import BenchConfig, run, table_rows
    from rollout.cli.app import repo_root

    try:
        root = repo_root(repo)
        config = BenchConfig(
            sites=sites,
            render_sites=render_sites,
            workers=workers,
            timeout=timeout,
            base_port=base_port,
            lab_workers=lab_workers,
            baseline=not no_baseline,
            work=work,
            keep=keep,
        )
        results = run(root, config, say=lambda text: click.echo(text, err=True))
    except RolloutError as exc:
        fail(exc)
    table(
        f"bench: {results['lab']['devices']} lab devices, {results['province']['sites']} sites, "
        f"{workers} workers, {results['machine']['cpus']} CPUs",
        ["step", "devices", "wall s", "devices/s", "CPU s", "peak RSS MiB", "note"],
        table_rows(results),
    )
    ratios = results["ratios"]
    click.echo(
        f"ours / floor: {ratios['ours_over_floor']:.2f}x wall, "
        f"{ratios['cpu_ours_over_floor']:.2f}x CPU"
    )
    if "baseline_over_ours" in ratios:
        click.echo(f"Ansible baseline / ours: {ratios['baseline_over_ours']:.1f}x")
    out = json_out if json_out.is_absolute() else Path.cwd() / json_out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    click.echo(f"results: {out}")


bench.add_command(bench_diagnose)


@bench.command("rollout")
@click.option(
    "--sites",
    "sizes",
    type=click.IntRange(1, 3300),
    multiple=True,
    help="Sites of a round (repeatable; default: 1, then every site of the repository).",
)
@click.option("--lab-workers", type=click.IntRange(1, 64), default=None, help="Lab processes.")
@run_options(
    "bench-rollout.json",
    "Folder for the repository copy and the labs (default: a new temporary one).",
    "Keep the temporary folder.",
)
def bench_rollout(
    sizes: tuple[int, ...],
    lab_workers: int | None,
    work: Path | None,
    keep: bool,
    json_out: Path,
    repo: Path | None,
) -> None:
    """Measure `rollout site` (day 0 to pushed) against `rollout plan` of the same sites.

    For each round (1 site, then every site of the repository, or the --sites given), in a
    copy of the repository (the real one is never touched): a lab twin of the sites at day 0,
    then `rollout plan SITES --lab` and `rollout site SITES --lab --yes`, each measured from
    outside (wall, CPU, peak RSS). Prints the ratio site/plan per round. Not part of the tests.
    """
    from rollout.bench.rollout import RolloutBenchConfig, run, table_rows
    from rollout.cli.app import repo_root

    try:
        root = repo_root(repo)
        config = RolloutBenchConfig(
            sizes=sizes or (1, 3300), work=work, keep=keep, lab_workers=lab_workers
        )
        results = run(root, config, say=lambda text: click.echo(text, err=True))
    except RolloutError as exc:
        fail(exc)
    table(
        f"bench rollout: {results['machine']['cpus']} CPUs",
        ["command", "sites", "devices", "wall s", "CPU s", "peak RSS MiB", "note"],
        table_rows(results),
    )
    for r in results["rounds"]:
        click.echo(
            f"{r['sites']} sites: site/plan {r['ratio_wall']:.2f}x wall "
            f"({r['site']['seconds']:.1f} s / {r['plan']['seconds']:.1f} s)"
        )
    out = json_out if json_out.is_absolute() else Path.cwd() / json_out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    click.echo(f"results: {out}")
