"""`rollout site`: the site-wide transaction, through Ansible (ansible-runner)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from rollout.cli.app import Exit, emit_json, fail, table
from rollout.cli.context import Context, load, select_sites
from rollout.cli.options import Where, format_option, repo_option, where_options
from rollout.errors import RolloutError


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
    import contextlib

    from rollout import audit
    from rollout.lock import site_lock

    try:
        ctx = load(repo)
        chosen = select_sites(ctx.inv, sites, False)
        labs = Labs(
            ctx.lab_dir(where.lab, where.lab_dir), ctx.netlab_dir(where.netlab, where.netlab_dir)
        )
        if labs.lab is None and labs.netlab is None:
            ctx.require_live_ready(chosen)
        if not yes and not dry_run:
            click.confirm(
                f"Roll out {', '.join(chosen)} ({labs.describe()})?",
                abort=True,
            )
        command = "rollout site " + " ".join(chosen) + (" --dry-run" if dry_run else "")
        lock = contextlib.nullcontext() if dry_run else site_lock(ctx.root, chosen, command)
        with lock as held:
            if held is not None:
                for stale in held.stale:
                    click.secho(
                        f"warning: took over the lock of {stale.site} left by "
                        f"{stale.describe()}: that run did not finish (killed?). Its backup set "
                        "is kept; this run backs up and converges every device again.",
                        fg="yellow",
                        err=True,
                    )
                    audit.record(
                        ctx.root,
                        "lock-takeover",
                        sites=[stale.site],
                        result="ok",
                        detail=f"stale lock of {stale.describe()}",
                    )
            return _run(ctx, chosen, dry_run, revert_minutes, labs, fmt)
    except RolloutError as exc:
        fail(exc, fmt)


@dataclass(frozen=True)
class Labs:
    """Where the devices are reached: the lab twin, the network lab's router, or neither."""

    lab: Path | None
    netlab: Path | None

    def describe(self) -> str:
        held = [n for n, p in (("lab", self.lab), ("network lab", self.netlab)) if p]
        return " + ".join(held) if held else "LIVE devices"


def _run(
    ctx: Context,
    chosen: list[str],
    dry_run: bool,
    revert_minutes: int | None,
    labs: Labs,
    fmt: str,
) -> int:
    import signal

    from rollout import audit
    from rollout.backups import BackupStore
    from rollout.runner import run_playbook

    interrupted: list[int] = []
    leftovers: set[int] = set()

    def on_signal(signum: int, _frame: object) -> None:
        interrupted.append(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        store = BackupStore(ctx.root)
        stamp = store.new_set(chosen[0]).id
        for slug in chosen[1:]:
            (store.base / slug / stamp).mkdir(parents=True, exist_ok=True)
        minutes = revert_minutes or ctx.inv.province.revert_minutes
        extravars = {
            "site_rollout_backup_set": stamp,
            "site_rollout_revert_minutes": minutes,
            "site_rollout_lab_dir": str(labs.lab.resolve()) if labs.lab else "",
            "site_rollout_netlab_dir": str(labs.netlab.resolve()) if labs.netlab else "",
            # How long a rollback waits for a device that lost management to revert by itself.
            "site_rollout_revert_wait": round(minutes * minute_seconds() * 1.5 + 10, 1),
        }
        action = "plan" if dry_run else "rollout"
        audit.record(ctx.root, f"{action}-start", sites=chosen, backup_set=stamp)
        limit = ",".join(f"site_{s.replace('-', '_')}" for s in chosen)
        echo = (lambda line: click.echo(line, err=True)) if fmt == "table" else None
        run = run_playbook(
            ctx.root,
            "playbooks/site.yml",
            limit=limit,
            extravars=extravars,
            secrets=ctx.secrets,
            check=dry_run,
            progress=echo,
            cancel=lambda: bool(interrupted) and _snapshot(leftovers),
        )
        if interrupted:
            _stop(leftovers)
            return _interrupted(ctx, chosen, stamp, labs, fmt, run.artifacts)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    failed = run.rc != 0
    changed = any(h.changed for h in run.hosts.values())
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
                "sites": chosen,
                "ok": not failed,
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
            f"{'plan' if dry_run else 'rollout'} of {', '.join(chosen)} "
            f"({run.seconds:.1f} s, backup {stamp})",
            ["device", "result", "detail"],
            rows,
        )
        if failed:
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
    changes = sorted({c for h in run.hosts.values() for c in h.commands})
    audit.record(
        ctx.root,
        action,
        sites=chosen,
        devices=sorted(run.hosts),
        result="failed, rolled back" if failed else ("ok" if not dry_run else "planned"),
        change=audit.change_hash(changes),
        detail="; ".join(run.messages),
        backup_set=stamp,
    )
    if failed:
        return int(Exit.ERROR)
    return int(Exit.CHANGES) if dry_run and changed else 0


def _descendants(pid: int) -> set[int]:
    """Every process below pid (Linux /proc), e.g. Ansible's forks running the module."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found: set[int] = set()
    todo = [pid]
    while todo:
        here = todo.pop()
        for child, parent in parents.items():
            if parent == here and child not in found:
                found.add(child)
                todo.append(child)
    return found


def _snapshot(into: set[int]) -> bool:
    import os

    into |= _descendants(os.getpid())
    return True


def _stop(pids: set[int]) -> None:
    """Ansible was cancelled; its forks may still talk to devices: stop them before rollback."""
    import os
    import signal
    import time

    for sig in (signal.SIGTERM, signal.SIGKILL):
        alive = set()
        for pid in pids:
            try:
                os.kill(pid, sig)
                alive.add(pid)
            except (ProcessLookupError, PermissionError):
                continue
        if not alive:
            return
        time.sleep(1.0)


def minute_seconds() -> float:
    """Length of a device minute: 60 s, or $ROLLOUT_MINUTE_SECONDS for the lab twin's scale."""
    import os

    try:
        return max(0.05, float(os.environ.get("ROLLOUT_MINUTE_SECONDS", "") or 60))
    except ValueError:
        return 60.0


def _interrupted(
    ctx: Context, chosen: list[str], stamp: str, labs: Labs, fmt: str, artifacts: Path
) -> int:
    """Stopped by SIGINT/SIGTERM: Ansible was cancelled; put back every device already backed up."""
    from rollout import audit, ops
    from rollout.backups import BackupSet, BackupStore
    from rollout.targets import Managed, managed_devices

    click.secho(
        f"interrupted: the rollout of {', '.join(chosen)} was cancelled; "
        f"rolling every device back to backup {stamp}",
        fg="red",
        err=True,
    )
    store = BackupStore(ctx.root)
    results = []
    for slug in chosen:
        backup = store.base / slug / stamp
        devices = [
            m
            for m in managed_devices(ctx.inv, [slug], ctx.secrets, lab=labs.lab, netlab=labs.netlab)
            if (backup / f"{m.device.hostname}.txt").exists()
        ]
        if not devices:
            continue
        backup_set = store.get(slug, stamp)
        wait = minute_seconds() * 5

        def back(m: Managed, b: BackupSet = backup_set, w: float = wait) -> str:
            return ops.rollback_one(b, m, wait_seconds=w)

        results += ops.for_devices(devices, back)
    bad = [r for r in results if not r.ok]
    for r in results:
        click.echo(
            f"  {r.device}: {'rolled back' if r.ok else 'ROLLBACK FAILED: ' + r.error}", err=True
        )
    click.echo(
        f"  the devices above were put back to backup {stamp}, confirmed or not; "
        f"backups kept under {store.base}/<site>/{stamp}; "
        f"runner artifacts: {artifacts}",
        err=True,
    )
    click.echo(
        "  fix: run the same `rollout site` again when ready"
        + ("; check the devices that failed with `rollout drift`" if bad else ""),
        err=True,
    )
    audit.record(
        ctx.root,
        "rollout",
        sites=chosen,
        devices=[r.device for r in results],
        result="interrupted, rolled back" if not bad else "interrupted, rollback failed",
        backup_set=stamp,
    )
    if fmt == "json":
        emit_json({"sites": chosen, "ok": False, "interrupted": True, "backup_set": stamp})
    return int(Exit.ERROR)
