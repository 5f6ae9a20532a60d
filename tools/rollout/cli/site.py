"""`rollout site`: the site-wide transaction, through Ansible (ansible-runner)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from rollout.cli.app import Exit, emit_json, fail, table
from rollout.cli.context import Context, chosen_devices, load, select_sites
from rollout.cli.options import (
    Where,
    device_options,
    format_option,
    repo_option,
    where_options,
)
from rollout.cli.recover import report_unfinished
from rollout.errors import RolloutError

if TYPE_CHECKING:
    from rollout.engine.planfile import SavedPlan
    from rollout.engine.site import SiteRun
    from rollout.lock import Holder
    from rollout.runner import Progress

PLANS = Path("var/plans")


@click.command()
@click.argument("sites", nargs=-1, metavar="[SITE]...")
@click.option("--all", "all_sites", is_flag=True, help="Every site of the province (in waves).")
@click.option(
    "--canary",
    metavar="SITE",
    default=None,
    help="Roll this site out alone first; the batches start only when it is done and verified.",
)
@click.option(
    "--batch",
    type=click.IntRange(1, 500),
    default=None,
    help="Sites rolled out together in each wave after the canary (default 10).",
)
@click.option(
    "--max-fail",
    metavar="P%",
    default=None,
    help="Stop the waves after a batch where more than P % of its sites failed (default 0%).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue stopped waves from their state file; the sites done are not touched.",
)
@click.option(
    "--waves-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The wave state file (default var/waves/<name>.json, named after the selection).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--dry-run", is_flag=True, help="Only show the commands (Ansible check and diff mode)."
)
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Apply exactly this saved plan (`rollout plan SITE --out FILE`); refused when a "
    "device changed since.",
)
@click.option(
    "--revert-minutes",
    type=click.IntRange(1, 120),
    default=None,
    help="Revert timer of the push (default: revert_minutes of the province file).",
)
@device_options
@click.option(
    "--take-over",
    is_flag=True,
    help="Take over a STALE lock on a site's device (its holder's process is gone, or it is "
    "older than 4 hours with no revert timer pending); audited. A live lock is never taken.",
)
@where_options
@repo_option
@format_option
def site(
    sites: tuple[str, ...],
    all_sites: bool,
    canary: str | None,
    batch: int | None,
    max_fail: str | None,
    resume: bool,
    waves_file: Path | None,
    yes: bool,
    dry_run: bool,
    plan_path: Path | None,
    revert_minutes: int | None,
    roles: tuple[str, ...],
    names: tuple[str, ...],
    take_over: bool,
    where: Where,
    repo: Path | None,
    fmt: str,
) -> int:
    """Roll out sites: back up, push with a revert timer, verify, confirm, then save.

    Asks first, showing the plan it will apply (what is shown is what is pushed); --plan FILE
    applies a saved plan instead, after checking every device against it. A failure on any
    device rolls every device of its site back to the backup taken at the start. --role and
    --device roll out only those devices (the Ansible limit): the transaction then holds for
    the devices chosen (a failure on one rolls the chosen devices of its site back; the others
    are not touched). Exit 0 done, 1 failed, refused or a site left out (broken file), 2 with
    --dry-run when changes would be made.

    Waves (--all, --canary, --batch, --max-fail, --resume): the canary alone first, then
    batches of sites, each site its own transaction; a batch where more than --max-fail of its
    sites failed stops the waves (exit 1); --resume continues from the wave state file without
    touching the sites done. Exit 0 when every site is done.
    """
    from rollout.cli import waves
    from rollout.engine import planfile
    from rollout.engine.site import Labs, run_sites

    wave = waves.WaveArgs(all_sites, canary, batch, max_fail, resume, waves_file)
    try:
        ctx = load(repo)
        if all_sites and sites:
            raise RolloutError("SITE... and --all do not go together", "give one of them")
        chosen = select_sites(ctx.inv, sites, all_sites)
        prepared = (
            waves.prepare(
                ctx,
                chosen,
                wave,
                dry_run=dry_run,
                plan=plan_path,
                picked=bool(roles or names),
                revert_minutes=revert_minutes,
            )
            if wave.wanted
            else None
        )
        hosts = chosen_devices(ctx.inv, chosen, roles, names) if roles or names else {}
        chosen = [s for s in chosen if s in hosts] if hosts else chosen
        picked = [d for ds in hosts.values() for d in ds] or None
        labs = Labs(
            ctx.lab_dir(where.lab, where.lab_dir), ctx.netlab_dir(where.netlab, where.netlab_dir)
        )
        if labs.lab is None and labs.netlab is None:
            ctx.require_live_ready(chosen)
        report_unfinished(ctx, chosen, where, fmt)
        if prepared is not None:
            return waves.run(
                ctx,
                prepared,
                labs,
                yes=yes,
                take_over=take_over,
                fmt=fmt,
                on_stale=_warn_stale,
            )
        if plan_path is not None and dry_run:
            raise RolloutError(
                "--plan and --dry-run do not go together",
                f"show the saved plan with `cat {plan_path}`, or drop --dry-run to apply it",
            )
        if plan_path is not None and picked:
            raise RolloutError(
                "--plan and --role/--device do not go together: the saved plan names its devices",
                "save a plan of those devices (`rollout plan SITE --device NAME --out FILE`) "
                "and apply it without --role/--device",
            )
        saved = planfile.load(plan_path) if plan_path is not None else None
        if saved is not None and plan_path is not None:
            planfile.sites_of(saved, chosen, plan_path)
        if not yes and not dry_run:
            if saved is None:
                saved = _reviewed(ctx, chosen, where, fmt, roles, names)
                plan_path = planfile.save(saved, _plan_path(ctx.root))
            for line in planfile.site_summaries(saved):
                click.echo(line, err=True)
            what = f" ({', '.join(picked)})" if picked else ""
            click.confirm(
                f"Roll out {', '.join(chosen)}{what} ({labs.describe()}) with this plan?",
                abort=True,
                err=True,
            )
        done = run_sites(
            ctx.root,
            ctx.inv,
            ctx.secrets,
            chosen,
            dry_run=dry_run,
            revert_minutes=revert_minutes,
            labs=labs,
            hosts=picked,
            progress=_progress(fmt),
            on_stale=_warn_stale,
            on_interrupt=lambda stamp: click.secho(
                f"interrupted: the rollout of {', '.join(chosen)} was cancelled; "
                f"rolling every device back to backup {stamp}",
                fg="red",
                err=True,
            ),
            plan_file=plan_path,
            take_over=take_over,
            on_takeover=lambda t: click.secho(
                f"warning: took over the stale lock of {t.holder.site} on "
                f"{t.managed.device.hostname} held by "
                f"{t.replaced.describe() if t.replaced else '?'} ({t.replaced_reason})",
                fg="yellow",
                err=True,
            ),
        )
    except RolloutError as exc:
        fail(exc, fmt)
    if done.interrupted:
        return _interrupted(ctx.root, done, fmt)
    return _show(done, fmt)


def _reviewed(
    ctx: Context,
    chosen: list[str],
    where: Where,
    fmt: str,
    roles: tuple[str, ...] = (),
    names: tuple[str, ...] = (),
) -> SavedPlan:
    """The plan the person is asked about, which the run then applies (and nothing else)."""
    from rollout.cli.plan import make_plan

    return make_plan(ctx, chosen, where, 8, fmt, roles=roles, names=names)


def _plan_path(root: Path) -> Path:
    import os
    import time

    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return root / PLANS / f"{stamp}-{os.getpid()}.json"


def _progress(fmt: str) -> Callable[[Progress], None]:
    """Each task's result on stderr: a line for people, a JSON line with --format json."""

    def show(event: Progress) -> None:
        from rollout.secrets import redact

        if fmt == "json":
            click.echo(redact(json.dumps(event.as_dict(), ensure_ascii=False)), err=True)
        else:
            click.echo(redact(event.text), err=True)

    return show


def _warn_stale(stale: Holder) -> None:
    click.secho(
        f"warning: took over the lock of {stale.site} left by "
        f"{stale.describe()}: that run did not finish (killed?). Its backup set "
        "is kept; this run backs up and converges every device again.",
        fg="yellow",
        err=True,
    )


def _show(done: SiteRun, fmt: str) -> int:
    from rollout.engine.results import recap

    run, stamp, dry_run = done.run, done.backup_set, done.dry_run
    lines = recap(done.sites, done.results, run.seconds, done.failed)
    if fmt == "json":
        emit_json(
            {
                "sites": done.sites,
                "ok": not done.failed,
                "dry_run": dry_run,
                "backup_set": stamp if done.kept else "",
                "backups": [str(p) for p in done.kept],
                "seconds": round(run.seconds, 2),
                "artifacts": str(run.artifacts),
                "hosts": [
                    {"host": r.device, "state": r.word.value, **r.as_dict()} for r in done.results
                ],
                "recap": lines,
                "errors": run.messages,
            }
        )
    else:
        rows = [(r.device, r.word.value, r.detail) for r in done.results]
        table(
            f"{'plan' if dry_run else 'rollout'} of {', '.join(done.sites)} "
            f"({run.seconds:.1f} s{f', backup {stamp}' if done.kept else ''})",
            ["device", "result", "detail"],
            rows,
        )
        if dry_run:
            for r in done.results:
                if r.commands:
                    click.secho(f"== {r.device}: {len(r.commands)} lines to send", fg="yellow")
                    for command in r.commands:
                        click.echo(f"   {command}")
        for line in lines:
            click.echo(f"RECAP {line}")
        if done.failed:
            click.secho("rollout FAILED:", fg="red", err=True)
            for message in run.messages:
                click.echo(f"  {message}", err=True)
            for r in done.results:
                if r.word not in ("changed", "unchanged"):
                    click.echo(f"  {r.device}: {r.word.value}: {r.detail}", err=True)
            kept = ", ".join(str(p) for p in done.kept) or "none (nothing was backed up)"
            click.echo(f"  backups kept: {kept}; runner artifacts: {run.artifacts}", err=True)
    if done.failed:
        return int(Exit.ERROR)
    return int(Exit.CHANGES) if dry_run and done.changed else 0


def _interrupted(root: Path, done: SiteRun, fmt: str) -> int:
    """Stopped by SIGINT/SIGTERM: what the engine put back to the backup set."""
    from rollout.backups import BackupStore

    results = done.rolled_back or []
    stamp = done.backup_set
    bad = [r for r in results if not r.ok]
    for r in results:
        click.echo(
            f"  {r.device}: {'rolled back' if r.ok else 'ROLLBACK FAILED: ' + r.error}", err=True
        )
    folders = ", ".join(str(BackupStore(root).base / s / stamp) for s in done.sites)
    click.echo(
        f"  the devices above were put back to backup {stamp}, confirmed or not; "
        f"backups kept under {folders}; runner artifacts: {done.run.artifacts}",
        err=True,
    )
    click.echo(
        "  fix: run the same `rollout site` again when ready"
        + ("; check the devices that failed with `rollout drift`" if bad else ""),
        err=True,
    )
    if fmt == "json":
        emit_json({"sites": done.sites, "ok": False, "interrupted": True, "backup_set": stamp})
    return int(Exit.ERROR)
