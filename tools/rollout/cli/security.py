"""Security commands: the baseline lint, trusting a host key, querying the audit log."""

from __future__ import annotations

from pathlib import Path

import click

from rollout.cli.app import Exit, emit_json, fail, table
from rollout.cli.context import load, select_sites
from rollout.cli.options import (
    Where,
    format_option,
    repo_option,
    sites_argument,
    where_options,
)
from rollout.errors import RolloutError


def lint_problems(root: Path, sites: list[str]) -> list[str]:
    """Baseline findings of the sites as text (for validate); [] when clean."""
    from rollout.inventory.loader import load_inventory
    from rollout.lint import lint_sites
    from rollout.secrets import load_secrets

    inv = load_inventory(root, tolerant=True)
    return [str(f) for f in lint_sites(inv, load_secrets(root), sites)]


@click.command()
@sites_argument
@repo_option
@format_option
def lint(sites: tuple[str, ...], all_sites: bool, repo: Path | None, fmt: str) -> int:
    """Check what we render against the security baseline (all sites by default).

    Each finding names the device, the line of its rendered configuration and the rule.
    Exit 0 clean, 1 on any finding.
    """
    from rollout.lint import lint_sites

    try:
        ctx = load(repo)
        chosen = select_sites(ctx.inv, sites, all_sites or not sites)
        findings = lint_sites(ctx.inv, ctx.secrets, chosen)
    except RolloutError as exc:
        fail(exc, fmt)
    if fmt == "json":
        emit_json(
            {"ok": not findings, "sites": chosen, "findings": [f.as_dict() for f in findings]}
        )
    elif findings:
        for f in findings:
            click.secho(f"{f}", fg="red", err=True)
        click.secho(f"{len(findings)} findings; fix the templates or the vault", err=True)
    else:
        click.echo(f"ok: {len(chosen)} sites meet the security baseline")
    return int(Exit.ERROR) if findings else 0


@click.command()
@click.argument("device")
@click.option("--yes", is_flag=True, help="Record the key without asking.")
@where_options
@repo_option
def trust(device: str, yes: bool, where: Where, repo: Path | None) -> int:
    """Read DEVICE's SSH host key, show its fingerprint and record it (asks first).

    Real devices are recorded in inventory/known_hosts (commit it); with --lab or --netlab, in
    that lab's known_hosts. Every trust is written to the audit log.
    """
    from rollout import audit
    from rollout import trust as keys

    try:
        ctx = load(repo)
        site = next((s for s, d in ctx.inv.devices() if d.hostname == device), None)
        if site is None:
            raise RolloutError(f"no device '{device}' in the inventory", "see inventory/sites/")
        found = [m for m in ctx.managed([site.slug], where) if m.device.hostname == device]
        if not found:
            raise RolloutError(f"{device} is not managed over SSH", "nothing to trust")
        target = found[0].target
        assert target.known_hosts is not None
        key = keys.fetch(target.host, target.port, target.timeout)
        old = keys.recorded(target.known_hosts, target.host, target.port)
        click.echo(f"{device} ({target.host}:{target.port}) offers {key.kind} {key.fingerprint}")
        for k in old:
            same = "the same key" if k == key else "a DIFFERENT key"
            click.echo(f"  {target.known_hosts} holds {k.kind} {k.fingerprint} ({same})")
        if old == [key]:
            click.echo("already trusted; nothing changed")
            return 0
        if not yes:
            click.confirm(f"Trust this key for {device}?", abort=True)
        keys.record(target.known_hosts, target.host, target.port, key)
        audit.record(
            ctx.root,
            "trust",
            sites=[site.slug],
            devices=[device],
            detail=f"{key.kind} {key.fingerprint} recorded in {target.known_hosts}",
            replaced=[k.fingerprint for k in old],
        )
    except RolloutError as exc:
        fail(exc)
    click.echo(f"recorded in {target.known_hosts}")
    return 0


@click.command("audit")
@click.option("--since", default="", help="UTC date/time (2026-11-28T09:30) or 30m, 12h, 7d.")
@click.option("--site", default="", help="Only entries about this site.")
@click.option("--device", default="", help="Only entries about this device.")
@click.option("--action", default="", help="Only this action (plan, push, rollout, trust...).")
@repo_option
@format_option
def audit_cmd(since: str, site: str, device: str, action: str, repo: Path | None, fmt: str) -> None:
    """Who planned, rolled out, rolled back, backed up or trusted what, and how it ended."""
    from rollout import audit
    from rollout.cli.app import repo_root

    try:
        path = audit.audit_path(repo_root(repo))
        assert path is not None
        found = audit.query(path, audit.Query(since, site, device, action))
    except RolloutError as exc:
        fail(exc, fmt)
    if fmt == "json":
        emit_json(found)
        return
    rows = [
        (
            e.get("when", ""),
            e.get("who", ""),
            e.get("action", ""),
            ",".join(e.get("sites", [])),
            ",".join(e.get("devices", [])),
            e.get("result", ""),
            str(e.get("change", ""))[:19],
            str(e.get("detail", ""))[:80],
        )
        for e in found
    ]
    table(
        f"audit log {path} ({len(rows)} entries)",
        ["when", "who", "action", "sites", "devices", "result", "change", "detail"],
        rows,
    )


COMMANDS = (lint, trust, audit_cmd)
