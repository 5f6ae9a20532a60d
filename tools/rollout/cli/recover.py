"""`rollout recover SITE`, and the notice every command touching a site prints first when the
site has an unfinished rollout (`report_unfinished`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from rollout.cli.app import Exit, emit_json, fail, table
from rollout.cli.context import Context, load, select_sites
from rollout.cli.options import Where, format_option, repo_option, where_options
from rollout.errors import RolloutError


def report_unfinished(ctx: Context, sites: list[str], where: Where, fmt: str) -> list[Any]:
    """Say plainly, before anything else, which of the sites have an unfinished rollout and
    what each device is left in (stderr for people); the JSON entries for `--format json`.

    Reads the sites' journals; only for a site with an unfinished run are its devices asked
    for their own pending state. Never fails the command: a problem reading is said as such.
    """
    from rollout.engine import journal
    from rollout.engine.unfinished import unfinished

    open_sites = [s for s in sites if journal.open_run(ctx.root, s) is not None]
    if not open_sites:
        return []
    try:
        devices = ctx.managed(open_sites, where)
    except RolloutError:
        devices = []
    found = unfinished(ctx.root, open_sites, devices)
    if fmt != "json":
        for u in found:
            click.secho(f"warning: {u.describe()}", fg="red", err=True)
            click.echo(f"  fix: {u.fix()}", err=True)
    return [u.to_json() for u in found]


@click.command()
@click.argument("site_name", metavar="SITE")
@where_options
@repo_option
@format_option
def recover(site_name: str, where: Where, repo: Path | None, fmt: str) -> int:
    """Finish a site's unfinished rollout (one killed or stopped): all new or all old.

    Confirms and saves every device only if every device of the run verifies; otherwise
    rolls every device the run backed up back to that backup, the codec included. Exit 0
    done (or nothing to do), 1 when the rollback itself failed (the journal stays open).
    """
    from rollout.engine.recover import recover as run_recover

    try:
        ctx = load(repo)
        site = select_sites(ctx.inv, (site_name,), False)[0]
        lab = ctx.lab_dir(where.lab, where.lab_dir)
        netlab = ctx.netlab_dir(where.netlab, where.netlab_dir)
        if lab is None and netlab is None:
            ctx.require_live_ready([site])
        notices = report_unfinished(ctx, [site], where, fmt)
        done = run_recover(
            ctx.root,
            ctx.inv,
            ctx.secrets,
            site,
            lab=lab,
            netlab=netlab,
            progress=(lambda line: click.echo(line, err=True)) if fmt == "table" else None,
        )
    except RolloutError as exc:
        fail(exc, fmt)
    rows = [
        (r.device, "ok" if r.ok else "FAILED", ctx.secrets.redact(r.value or r.error or ""))
        for r in done.devices
    ]
    if fmt == "json":
        emit_json(
            {
                "site": site,
                "run": done.run or None,
                "outcome": done.outcome,
                "reason": ctx.secrets.redact(done.reason),
                "ok": done.ok,
                "unfinished": notices,
                "devices": [{"device": d, "result": s, "detail": x} for d, s, x in rows],
            }
        )
    elif not done.run:
        click.echo(f"{site}: no unfinished rollout, nothing to recover")
    else:
        table(
            f"recover {site} (rollout {done.run}): {done.outcome}",
            ["device", "result", "detail"],
            rows,
        )
        if not done.ok:
            click.secho(
                f"recover FAILED: the site may be mixed; the journal stays open. "
                f"Check the devices that failed, then `rollout recover {site}` again",
                fg="red",
                err=True,
            )
    return int(Exit.ERROR) if not done.ok else 0
