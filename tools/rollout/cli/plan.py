"""`rollout plan`: per device, the exact commands a rollout would send; `--out FILE` saves them
(engine/planfile.py) for `rollout site --plan FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rollout.cli.app import Exit, emit_json, fail
from rollout.cli.context import Context, load, select_sites
from rollout.cli.devices import _progress
from rollout.cli.options import (
    Where,
    device_options,
    format_option,
    repo_option,
    sites_argument,
    where_options,
    workers_option,
)
from rollout.cli.recover import report_unfinished
from rollout.errors import RolloutError

if TYPE_CHECKING:
    from rollout.engine.planfile import SavedPlan


def _plan_results(
    ctx: Context,
    sites: list[str],
    where: Where,
    workers: int,
    fmt: str,
    every: bool = False,
    roles: tuple[str, ...] = (),
    names: tuple[str, ...] = (),
) -> list[Any]:
    from rollout.engine.pool import for_devices
    from rollout.engine.steps import plan_one

    devices = ctx.managed(sites, where, every, roles=roles, names=names)
    return for_devices(
        devices,
        lambda m: plan_one(ctx.inv, ctx.secrets, m),
        workers=workers,
        progress=_progress(fmt, len(devices), "read"),
    )


def make_plan(
    ctx: Context,
    sites: list[str],
    where: Where,
    workers: int,
    fmt: str,
    every: bool = False,
    roles: tuple[str, ...] = (),
    names: tuple[str, ...] = (),
) -> SavedPlan:
    """Read every device of the sites and return the SavedPlan (RolloutError on any failure)."""
    from rollout import audit
    from rollout.engine.planfile import SavedPlan
    from rollout.engine.pool import for_devices
    from rollout.engine.saved import saved_device

    devices = ctx.managed(sites, where, every, roles=roles, names=names)
    results = for_devices(
        devices,
        lambda m: saved_device(ctx.inv, ctx.secrets, m),
        workers=workers,
        progress=_progress(fmt, len(devices), "read"),
    )
    bad = [r for r in results if not r.ok]
    if bad:
        raise RolloutError(
            "no plan was saved: "
            + "; ".join(ctx.secrets.redact(f"{r.device}: {r.error}") for r in bad),
            bad[0].fix or "fix the device named, then plan again",
        )
    found = (
        ("lab", ctx.lab_dir(where.lab, where.lab_dir)),
        ("netlab", ctx.netlab_dir(where.netlab, where.netlab_dir)),
    )
    labs = [name for name, folder in found if folder is not None]
    return SavedPlan(
        sites=tuple(sites),
        devices=tuple(r.value for r in results if r.value is not None),
        created=audit.now(),
        by=audit.who(),
        where="+".join(labs) or "live",
    )


@click.command()
@sites_argument
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Save the plan (JSON, 0600, no secret) for `rollout site SITE --plan FILE`.",
)
@device_options
@where_options
@workers_option
@repo_option
@format_option
def plan(
    sites: tuple[str, ...],
    all_sites: bool,
    out: Path | None,
    roles: tuple[str, ...],
    names: tuple[str, ...],
    where: Where,
    workers: int,
    repo: Path | None,
    fmt: str,
) -> int:
    """Show, per device, the exact commands a rollout would send.

    With --out FILE, also save them, with the hash of each device's running configuration,
    for `rollout site SITE --plan FILE` (applies exactly them; refuses a changed device).
    --role and --device narrow it to some devices of the sites. Exit 0 when nothing would
    change, 2 when something would, 1 on any error or when some were left out (a broken site
    file; devices a lab does not hold with --all).
    """
    if out is not None:
        return _save(sites, all_sites, out, where, workers, repo, fmt, roles, names)
    try:
        ctx = load(repo)
        chosen = select_sites(ctx.inv, sites, all_sites)
        unfinished = report_unfinished(ctx, chosen, where, fmt)
        results = _plan_results(ctx, chosen, where, workers, fmt, all_sites, roles, names)
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
    if any(not r.ok for r in results):
        return int(Exit.ERROR)
    changed = any(r.value and (r.value.changed or r.value.unconfirmed) for r in results)
    return int(Exit.CHANGES) if changed else 0


def _save(
    sites: tuple[str, ...],
    all_sites: bool,
    out: Path,
    where: Where,
    workers: int,
    repo: Path | None,
    fmt: str,
    roles: tuple[str, ...] = (),
    names: tuple[str, ...] = (),
) -> int:
    from rollout.engine import planfile

    try:
        ctx = load(repo)
        chosen = select_sites(ctx.inv, sites, all_sites)
        saved = make_plan(ctx, chosen, where, workers, fmt, all_sites, roles, names)
        path = planfile.save(saved, out)
    except RolloutError as exc:
        fail(exc, fmt)
    if fmt == "json":
        emit_json({"ok": True, "plan": str(path), **saved.as_dict()})
    else:
        for d in saved.devices:
            click.secho(f"== {d.hostname}: {d.summary}", fg="yellow" if d.commands else "green")
            for command in d.commands:
                click.echo(f"   {command}")
        for line in planfile.site_summaries(saved):
            click.echo(line)
        click.echo(
            f"plan saved to {path}; apply it with `rollout site {' '.join(chosen)} --plan {path}`"
        )
    changed = any(d.commands for d in saved.devices)
    return int(Exit.CHANGES) if changed else 0
