"""`rollout watch`: the light evidence of the sites on a schedule, into the history and
(optionally) the Prometheus text format."""

from __future__ import annotations

import math
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from rollout.cli.app import fail
from rollout.cli.context import Context, load, select_sites
from rollout.cli.options import (
    Where,
    history_db_option,
    repo_option,
    sites_argument,
    where_options,
)
from rollout.diagnose.model import SiteEvidence
from rollout.diagnose.watch import Collect, RoundReport, Watch, parse_duration
from rollout.errors import RolloutError

if TYPE_CHECKING:
    from rollout.diagnose.metrics import FaultOf


def real_collector(ctx: Context, where: Where, sites: Sequence[str]) -> Collect:
    """``collect_site(..., light=True)`` bound to the repository and where the devices are."""
    import importlib

    lab_dir = ctx.lab_dir(where.lab, where.lab_dir)
    netlab_dir = ctx.netlab_dir(where.netlab, where.netlab_dir)
    if lab_dir is None and netlab_dir is None:
        ctx.require_live_ready(list(sites))
    collect_site: Any = importlib.import_module("rollout.diagnose.collect").collect_site

    def collect(site: str) -> SiteEvidence:
        evidence: SiteEvidence = collect_site(
            ctx.inv,
            site,
            where,
            ctx.secrets,
            light=True,
            root=ctx.root,
            lab_dir=lab_dir,
            netlab_dir=netlab_dir,
        )
        return evidence

    return collect


COLLECTOR: Callable[[Context, Where, Sequence[str]], Collect] = real_collector
"""How the command reads a site (replaced in tests by a fake collector)."""


def rules_verdict(ctx: Context) -> FaultOf | None:
    """The diagnosis rules on a site's latest evidence, with the site's expectations from the
    inventory (None when the rules are not there: ``rollout_site_fault`` is left out)."""
    import importlib

    from rollout.diagnose.metrics import rules_judge

    try:
        expect: Any = importlib.import_module("rollout.diagnose.expect").expectations
    except (ImportError, AttributeError):
        return rules_judge()
    return rules_judge(lambda site: expect(ctx.inv, site))


VERDICT: Callable[[Context], FaultOf | None] = rules_verdict
"""How the command judges a site for ``rollout_site_fault`` (replaced in tests)."""


@contextmanager
def stop_on_signals(watch: Watch) -> Iterator[None]:
    """SIGINT and SIGTERM stop the watch after the current wait (a second one: at once)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        if watch.stop.is_set():
            raise KeyboardInterrupt
        click.echo(f"{signal.Signals(signum).name}: stopping", err=True)
        watch.stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def lab_sites(ctx: Context, where: Where, chosen: list[str]) -> list[str]:
    """With --all against a lab: only the sites the lab holds (the others are left out and
    named, as every command does; the watch then ends with exit 1)."""
    held = {m.site.slug for m in ctx.managed(chosen, where, every=True)}
    return [s for s in chosen if s in held]


def _duration(text: str | None, option: str) -> float | None:
    return None if text is None else parse_duration(text, option)


@click.command()
@sites_argument
@where_options
@click.option(
    "--every", default="5m", metavar="DURATION", show_default=True, help="Interval between rounds."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=4,
    show_default=True,
    help="Sites collected at once (a fixed pool).",
)
@click.option("--once", is_flag=True, help="One round, then stop.")
@click.option("--for", "for_", default=None, metavar="DURATION", help="Stop after this long.")
@click.option(
    "--timeout",
    default=None,
    metavar="DURATION",
    help="A site's collection past this is counted late, no longer waited for "
    "(default: the interval).",
)
@history_db_option
@click.option(
    "--keep", default="7d", metavar="DURATION", show_default=True, help="Keep history this long."
)
@click.option(
    "--max-rows",
    type=click.IntRange(1, 10_000_000),
    default=None,
    help="Rows kept per site at most (default: --keep / --every, plus one).",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Serve the latest figures in the Prometheus text format on this port (0: any free).",
)
@click.option(
    "--metrics-address",
    default="127.0.0.1",
    show_default=True,
    help="Address the metrics endpoint binds to.",
)
@click.option(
    "--metrics-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the latest figures to this file after each round (node_exporter textfile).",
)
@repo_option
def watch(
    sites: tuple[str, ...],
    all_sites: bool,
    where: Where,
    every: str,
    workers: int,
    once: bool,
    for_: str | None,
    timeout: str | None,
    db: Path | None,
    keep: str,
    max_rows: int | None,
    metrics_port: int | None,
    metrics_address: str,
    metrics_file: Path | None,
    repo: Path | None,
) -> int:
    """Collect the light evidence of the sites every interval into the history (read-only).

    Bounded: a fixed pool of workers; each site takes its turn; a site still being collected
    from the previous round is skipped, never queued twice. The history (SQLite) keeps
    --keep of evidence and at most --max-rows rows per site; `rollout diagnose SITE --at TIME`
    answers from it. One progress line per round on stderr. SIGINT or SIGTERM stops after
    the current wait (collections in flight get a short grace). Exit 0; with --once, 1 when
    a site could not be collected or was late.
    """
    from rollout.diagnose import metrics as prom
    from rollout.diagnose.store import DEFAULT_DB, Retention, open_history

    totals = {"failed": 0, "late": 0}
    try:
        interval = parse_duration(every, "--every")
        limit = _duration(for_, "--for")
        per_site = _duration(timeout, "--timeout")
        keep_seconds = parse_duration(keep, "--keep")
        rows = max_rows if max_rows is not None else math.ceil(keep_seconds / interval) + 1
        retention = Retention(keep_seconds, rows)
        ctx = load(repo)
        chosen = select_sites(ctx.inv, sites, all_sites)
        if all_sites and (where.lab or where.netlab):
            chosen = lab_sites(ctx, where, chosen)
        collect = COLLECTOR(ctx, where, chosen)
        path = db if db is not None else ctx.root / DEFAULT_DB
        with open_history(path) as history:
            history.set_interval(interval)
            scheduler = Watch(
                chosen,
                collect,
                history.sink(retention, lambda text: click.echo(text, err=True)),
                every=interval,
                workers=workers,
                timeout=per_site,
            )
            registry = prom.registry_for(scheduler.snapshot, VERDICT(ctx))
            server = None
            if metrics_port is not None:
                server = prom.Server(registry, metrics_port, metrics_address)
                click.echo(f"metrics: {server.url}", err=True)
            shown: dict[str, str] = {}

            def progress(report: RoundReport) -> None:
                totals["failed"] += report.failed
                totals["late"] += report.late
                click.echo(report.line(), err=True)
                failed = scheduler.snapshot().failed
                for site, error in sorted(failed.items()):
                    if shown.get(site) != error:  # each error once, until it changes
                        click.echo(f"  {site}: {error}", err=True)
                shown.clear()
                shown.update(failed)
                if metrics_file is not None:
                    prom.write_file(registry, metrics_file)

            click.echo(
                f"watching {len(chosen)} site{'s' if len(chosen) != 1 else ''} every "
                f"{every} with {workers} worker{'s' if workers != 1 else ''}; history {path}",
                err=True,
            )
            try:
                with stop_on_signals(scheduler):
                    scheduler.run(
                        once=once,
                        duration=limit,
                        progress=progress,
                        grace=min(scheduler.timeout, 10.0),
                    )
            finally:
                if server is not None:
                    server.close()
            if metrics_file is not None:
                prom.write_file(registry, metrics_file)
            abandoned = scheduler.busy()
            click.echo(
                f"stopped after {scheduler.rounds} round{'s' if scheduler.rounds != 1 else ''}; "
                f"{history.count()} rows in the history"
                + (f"; {abandoned} collection(s) in flight abandoned" if abandoned else ""),
                err=True,
            )
    except RolloutError as exc:
        fail(exc)
    return 1 if once and (totals["failed"] or totals["late"]) else 0
