"""`rollout diagnose`: from "the meeting is bad at site X" to the cause (docs/diagnose.md)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from rollout.cli.app import emit_json, fail
from rollout.cli.context import Context, load, select_sites
from rollout.cli.options import (
    Where,
    history_db_option,
    repo_option,
    sites_argument,
    where_options,
)
from rollout.errors import RolloutError

SITES_AT_ONCE = 8
"""Sites diagnosed at once with --all (each reads its own devices in parallel too)."""
UNREACHED = ".device_unreachable"
SHOWN_LINES = 12
"""Evidence lines a cause shows in the table (JSON carries all of them)."""


def exit_code(diagnoses: Sequence[Any]) -> int:
    """1 when a device could not be read (not fully diagnosed), 2 any fault, 0 all healthy."""
    if any(c.code.endswith(UNREACHED) for d in diagnoses for c in d.causes):
        return 1
    return 2 if any(d.verdict == "fault" for d in diagnoses) else 0


def _parse_at(text: str) -> datetime:
    """``--at``: ISO 8601; without a zone, the province's local time (UTC+7)."""
    from rollout.diagnose.store import parse_time

    return parse_time(text)


def _now(ctx: Context, chosen: list[str], where: Where, every: bool, out: list[Any]) -> None:
    """Diagnose the chosen sites now: each site's devices read at once, sites in a pool."""
    from rollout.diagnose.collect import DEVICE_TIMEOUT, collect_devices, hub_router
    from rollout.diagnose.context import CollectContext
    from rollout.diagnose.expect import expectations
    from rollout.diagnose.hubfile import HUBVIEW
    from rollout.diagnose.rules import diagnose
    from rollout.targets import lab_dir, netlab_dir

    devices = ctx.managed(chosen, where, every, DEVICE_TIMEOUT)
    by_site: dict[str, list[Any]] = {}
    for m in devices:
        by_site.setdefault(m.site.slug, []).append(m)
    sites = [s for s in chosen if s in by_site]
    if not sites:
        raise RolloutError("no device to read", "check the sites (and the lab: --lab)")
    notes: list[str] = []
    lab = lab_dir(ctx.root, where.lab_dir) if where.lab else None
    netlab = netlab_dir(ctx.root, where.netlab_dir) if where.netlab else None
    hub = hub_router(ctx.inv, ctx.secrets, lab=lab, netlab=netlab, notes=notes)
    hubview = netlab / HUBVIEW if netlab is not None else None

    def one(site: str) -> Any:
        cctx = CollectContext(ctx.inv, ctx.secrets, False, expectations(ctx.inv, site), ctx.root)
        evidence = collect_devices(cctx, site, by_site[site], hub=hub, hubview=hubview)
        notes.extend(cctx.notes)
        found = diagnose(evidence, cctx.expect)
        if len(sites) > 1:
            done = len(out) + 1
            click.echo(f"[{done}/{len(sites)}] {site}: {found.verdict}", err=True)
        out.append(found)
        return found

    with ThreadPoolExecutor(max_workers=min(SITES_AT_ONCE, len(sites))) as pool:
        list(pool.map(one, sites))
    order = {s: i for i, s in enumerate(sites)}
    out.sort(key=lambda d: order[d.site])
    for note in dict.fromkeys(notes):
        click.secho(f"note: {ctx.secrets.redact(note)}", fg="yellow", err=True)


def show(diagnoses: Sequence[Any]) -> None:
    """One block per site: verdict, then each cause with segment, evidence and fix."""
    for d in diagnoses:
        color = "green" if d.verdict == "healthy" else "red"
        when = f" (evidence of {d.at})" if d.at else ""
        click.secho(f"{d.site}: {d.verdict}{when} in {d.seconds:.1f} s", fg=color, bold=True)
        for i, c in enumerate(d.causes, 1):
            click.echo(f"  {i}. [{c.segment}] {c.cause}  ({c.code}, {c.likelihood:.2f})")
            for line in c.evidence[:SHOWN_LINES]:
                click.echo(f"       - {line}")
            if len(c.evidence) > SHOWN_LINES:
                more = len(c.evidence) - SHOWN_LINES
                click.echo(f"       ... {more} more lines (--format json shows them all)")
            click.secho(f"     fix: {c.fix}", fg="cyan")
        click.echo("")


@click.command()
@sites_argument
@where_options
@click.option(
    "--at",
    "at_text",
    default=None,
    metavar="ISO-TIME",
    help="Answer from the history `rollout watch` keeps, as it was at that time "
    "(e.g. 2026-12-01T09:00, the province's local time UTC+7 unless an offset is given).",
)
@history_db_option
@repo_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="One block per site for people; JSON for machines (an object for one site, "
    "a list for several).",
)
def diagnose(
    sites: tuple[str, ...],
    all_sites: bool,
    where: Where,
    at_text: str | None,
    db: Path | None,
    repo: Path | None,
    fmt: str,
) -> int:
    """Where a site's conference trouble sits: LAN, WAN, our config, the codec, the hub or
    the cloud, with the evidence and the fix (read-only, safe during a meeting).

    Exit 0 all healthy, 2 a fault was found, 1 a device could not be read (its segment is
    named as the first suspect) or bad input.
    """
    from rollout.diagnose.run import HISTORY_DB, diagnose_at

    out: list[Any] = []
    try:
        ctx = load(repo)
        every = all_sites or not sites
        if every and not all_sites:
            raise RolloutError("name the sites", "give SITE... or --all")
        chosen = select_sites(ctx.inv, sites, every)
        if at_text is not None:
            at = _parse_at(at_text)
            path = db if db is not None else ctx.root / HISTORY_DB
            out = [diagnose_at(ctx.inv, s, path, at) for s in chosen]
        else:
            _now(ctx, chosen, where, every, out)
    except RolloutError as exc:
        fail(exc, fmt)
    if fmt == "json":
        payload = [d.to_json() for d in out]
        emit_json(payload[0] if len(payload) == 1 and not all_sites else payload)
    else:
        show(out)
    return exit_code(out)
