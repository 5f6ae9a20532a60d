"""Commands that talk to devices: backup, rollback (plan: rollout.cli.plan; drift:
rollout.cli.drift)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from rollout.cli.app import Exit, emit_json, fail, table
from rollout.cli.context import load, select_sites
from rollout.cli.options import (
    Where,
    format_option,
    repo_option,
    sites_argument,
    where_options,
    workers_option,
)
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
