"""`rollout site`: the site-wide transaction, through Ansible (ansible-runner)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from rollout.cli.app import Exit, emit_json, fail, table
from rollout.cli.context import load, select_sites
from rollout.cli.options import Where, format_option, repo_option, where_options
from rollout.cli.recover import report_unfinished
from rollout.errors import RolloutError

if TYPE_CHECKING:
    from rollout.engine.site import SiteRun
    from rollout.lock import Holder


@click.command()
@click.argument("sites", nargs=-1, required=True, metavar="SITE...")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Only show the plan (Ansible check and diff mode).")
@click.option(
    "--revert-minutes",
    type=click.IntRange(1, 120),
    default=None,
    help="Revert timer of the push (default: revert_minutes of the province file).",
)
@where_options
@repo_option
@format_option
def site(
    sites: tuple[str, ...],
    yes: bool,
    dry_run: bool,
    revert_minutes: int | None,
    where: Where,
    repo: Path | None,
    fmt: str,
) -> int:
    """Roll out sites: back up, push with a revert timer, verify, confirm, then save.

    A failure on any device rolls every device of its site back to the backup taken at the
    start. Runs playbooks/site.yml through ansible-runner. Exit 0 done, 1 failed (rolled
    back), 2 with --dry-run when changes would be made.
    """
    from rollout.engine.site import Labs, run_sites

    try:
        ctx = load(repo)
        chosen = select_sites(ctx.inv, sites, False)
        labs = Labs(
            ctx.lab_dir(where.lab, where.lab_dir), ctx.netlab_dir(where.netlab, where.netlab_dir)
        )
        if labs.lab is None and labs.netlab is None:
            ctx.require_live_ready(chosen)
        report_unfinished(ctx, chosen, where, fmt)
        if not yes and not dry_run:
            click.confirm(
                f"Roll out {', '.join(chosen)} ({labs.describe()})?",
                abort=True,
            )
        done = run_sites(
            ctx.root,
            ctx.inv,
            ctx.secrets,
            chosen,
            dry_run=dry_run,
            revert_minutes=revert_minutes,
            labs=labs,
            progress=(lambda line: click.echo(line, err=True)) if fmt == "table" else None,
            on_stale=_warn_stale,
            on_interrupt=lambda stamp: click.secho(
                f"interrupted: the rollout of {', '.join(chosen)} was cancelled; "
                f"rolling every device back to backup {stamp}",
                fg="red",
                err=True,
            ),
        )
    except RolloutError as exc:
        fail(exc, fmt)
    if done.interrupted:
        return _interrupted(ctx.root, done, fmt)
    return _show(done, fmt)


def _warn_stale(stale: Holder) -> None:
    click.secho(
        f"warning: took over the lock of {stale.site} left by "
        f"{stale.describe()}: that run did not finish (killed?). Its backup set "
        "is kept; this run backs up and converges every device again.",
        fg="yellow",
        err=True,
    )


def _show(done: SiteRun, fmt: str) -> int:
    run, stamp, dry_run = done.run, done.backup_set, done.dry_run
    rows = [
        (
            h.host,
            "failed" if h.failed else ("changed" if h.changed else "ok"),
            h.failed[0][:160] if h.failed else (f"{len(h.commands)} lines" if h.commands else ""),
        )
        for h in sorted(run.hosts.values(), key=lambda h: h.host)
    ]
    if fmt == "json":
        emit_json(
            {
                "sites": done.sites,
                "ok": not done.failed,
                "dry_run": dry_run,
                "backup_set": stamp,
                "seconds": round(run.seconds, 2),
                "artifacts": str(run.artifacts),
                "hosts": [{"host": h, "state": s, "detail": d} for h, s, d in rows],
                "errors": run.messages,
            }
        )
    else:
        table(
            f"{'plan' if dry_run else 'rollout'} of {', '.join(done.sites)} "
            f"({run.seconds:.1f} s, backup {stamp})",
            ["device", "result", "detail"],
            rows,
        )
        if done.failed:
            click.secho(
                "rollout FAILED; every device of the failed site was rolled back:",
                fg="red",
                err=True,
            )
            for message in run.messages:
                click.echo(f"  {message}", err=True)
            click.echo(
                f"  backups kept: var/backups/<site>/{stamp}; runner artifacts: {run.artifacts}",
                err=True,
            )
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
    click.echo(
        f"  the devices above were put back to backup {stamp}, confirmed or not; "
        f"backups kept under {BackupStore(root).base}/<site>/{stamp}; "
        f"runner artifacts: {done.run.artifacts}",
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
