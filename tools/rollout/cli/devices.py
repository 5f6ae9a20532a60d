"""Commands that talk to devices: plan, backup, rollback (drift: rollout.cli.drift)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from rollout.cli.app import Exit, emit_json, fail, table
from rollout.cli.context import Context, load, select_sites
from rollout.cli.options import (
    Where,
    format_option,
    repo_option,
    sites_argument,
    where_options,
    workers_option,
)
from rollout.cli.recover import report_unfinished
from rollout.errors import RolloutError


def _progress(fmt: str, total: int, verb: str) -> Any:
    """A per-device progress line on stderr (people only)."""
    done = [0]

    def report(result: Any) -> None:
        done[0] += 1
        if fmt == "table":
            mark = "ok" if result.ok else "FAILED"
            click.echo(f"[{done[0]}/{total}] {verb} {result.device}: {mark}", err=True)

    return report


def _plan_results(
    ctx: Context,
    sites: list[str],
    where: Where,
    workers: int,
    fmt: str,
    verb: str,
    every: bool = False,
) -> list[Any]:
    from rollout.engine.pool import for_devices
    from rollout.engine.steps import plan_one

    devices = ctx.managed(sites, where, every)
    return for_devices(
        devices,
        lambda m: plan_one(ctx.inv, ctx.secrets, m),
        workers=workers,
        progress=_progress(fmt, len(devices), verb),
    )


@click.command()
@sites_argument
@where_options
@workers_option
@repo_option
@format_option
def plan(
    sites: tuple[str, ...],
    all_sites: bool,
    where: Where,
    workers: int,
    repo: Path | None,
    fmt: str,
) -> int:
    """Show, per device, the exact commands a rollout would send.

    Exit 0 when nothing would change, 2 when something would, 1 on any error.
    """
    try:
        ctx = load(repo)
        chosen = select_sites(ctx.inv, sites, all_sites)
        unfinished = report_unfinished(ctx, chosen, where, fmt)
        results = _plan_results(ctx, chosen, where, workers, fmt, "read", all_sites)
    except RolloutError as exc:
        fail(exc, fmt)
    redact = ctx.secrets.redact
    if fmt == "json":
        emit_json(
            {
                "sites": chosen,
                "unfinished": unfinished,
                "devices": [
                    {
                        "device": r.device,
                        "ok": r.ok,
                        "changed": bool(r.value and (r.value.changed or r.value.unconfirmed)),
                        "unconfirmed": r.value.unconfirmed if r.value else "",
                        "commands": [redact(c) for c in r.value.commands] if r.value else [],
                        "unmanaged_count": len(r.value.unmanaged) if r.value else 0,
                        "unmanaged": [redact(c) for c in r.value.unmanaged] if r.value else [],
                        "error": redact(r.error),
                        "fix": r.fix,
                    }
                    for r in results
                ],
            }
        )
    else:
        for r in results:
            if not r.ok:
                click.secho(f"== {r.device}: ERROR: {redact(r.error)}", fg="red")
                if r.fix:
                    click.echo(f"   fix: {r.fix}")
            elif r.value and r.value.changed:
                click.secho(f"== {r.device}: {len(r.value.commands)} lines to send", fg="yellow")
                for command in r.value.commands:
                    click.echo(f"   {redact(command)}")
                if r.value.unconfirmed:
                    click.secho(f"   UNCONFIRMED: {r.value.unconfirmed}", fg="yellow")
            elif r.value and r.value.unconfirmed:
                click.secho(f"== {r.device}: UNCONFIRMED: {r.value.unconfirmed}", fg="yellow")
            else:
                click.secho(f"== {r.device}: no changes", fg="green")
            if r.ok and r.value and r.value.unmanaged:
                click.echo(f"   {len(r.value.unmanaged)} unmanaged lines left as they are")
    return _exit(results)


def _exit(results: list[Any]) -> int:
    if any(not r.ok for r in results):
        return int(Exit.ERROR)
    changed = any(r.value and (r.value.changed or r.value.unconfirmed) for r in results)
    return int(Exit.CHANGES) if changed else 0


@click.command()
@sites_argument
@where_options
@workers_option
@repo_option
@format_option
def backup(
    sites: tuple[str, ...],
    all_sites: bool,
    where: Where,
    workers: int,
    repo: Path | None,
    fmt: str,
) -> int:
    """Save every device's running configuration (redacted, time-stamped, outside git)."""
    from rollout.backups import BackupStore
    from rollout.engine.pool import for_devices
    from rollout.engine.steps import backup_one

    try:
        ctx = load(repo)
        chosen = select_sites(ctx.inv, sites, all_sites)
        store = BackupStore(ctx.root)
        devices = ctx.managed(chosen, where, all_sites)
        chosen = [s for s in chosen if any(m.site.slug == s for m in devices)]
        sets = {slug: store.new_set(slug) for slug in chosen}
        results = for_devices(
            devices,
            lambda m: backup_one(store, sets[m.site.slug], ctx.secrets, m),
            workers=workers,
            progress=_progress(fmt, len(devices), "backed up"),
        )
    except RolloutError as exc:
        fail(exc, fmt)
    rows = [
        (r.device, "ok" if r.ok else "error", str(r.value) if r.ok else r.error) for r in results
    ]
    head = {"sets": {s: b.id for s, b in sets.items()}}
    return _per_device(fmt, "backup", head, ("detail", "file / error"), rows)


@click.command()
@click.argument("site")
@click.option("--to", "set_id", default=None, metavar="ID", help="Backup set (default: latest).")
@where_options
@workers_option
@repo_option
@format_option
def rollback(
    site: str,
    set_id: str | None,
    where: Where,
    workers: int,
    repo: Path | None,
    fmt: str,
) -> int:
    """Put every device of SITE back to a backup set."""
    from rollout.backups import BackupStore
    from rollout.engine.pool import for_devices
    from rollout.engine.steps import rollback_one

    try:
        ctx = load(repo)
        chosen = select_sites(ctx.inv, (site,), False)
        backup_set = BackupStore(ctx.root).get(site, set_id)
        devices = ctx.managed(chosen, where)
        results = for_devices(
            devices,
            lambda m: rollback_one(backup_set, m),
            workers=workers,
            progress=_progress(fmt, len(devices), "rolled back"),
        )
    except RolloutError as exc:
        fail(exc, fmt)
    rows = [(r.device, "ok" if r.ok else "error", ctx.secrets.redact(r.error)) for r in results]
    title = f"rollback of {site} to {backup_set.id}"
    return _per_device(fmt, title, {"set": backup_set.id}, ("error", "error"), rows)


def _per_device(
    fmt: str,
    title: str,
    head: dict[str, Any],
    last: tuple[str, str],
    rows: list[tuple[str, str, str]],
) -> int:
    """One row per device (device, state, detail) as a table or JSON; exit 1 if any failed.

    last: the detail's JSON key and its column title.
    """
    if fmt == "json":
        emit_json({**head, "devices": [{"device": d, "state": s, last[0]: x} for d, s, x in rows]})
    else:
        table(title, ["device", "state", last[1]], [list(r) for r in rows])
    return int(Exit.ERROR) if any(s != "ok" for _, s, _ in rows) else 0
