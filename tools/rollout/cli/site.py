"""`rollout site`: the site-wide transaction, through Ansible (ansible-runner)."""

from __future__ import annotations

from pathlib import Path

import click

from rollout.cli.app import Exit, emit_json, fail, table
from rollout.cli.context import load, select_sites
from rollout.cli.options import format_option, lab_options, repo_option
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
@lab_options
@repo_option
@format_option
def site(
    sites: tuple[str, ...],
    yes: bool,
    dry_run: bool,
    revert_minutes: int | None,
    lab: bool,
    lab_dir: Path | None,
    repo: Path | None,
    fmt: str,
) -> int:
    """Roll out sites: back up, push with a revert timer, save, verify, confirm.

    A failure on any device rolls every device of its site back to the backup taken at the
    start. Runs playbooks/site.yml through ansible-runner. Exit 0 done, 1 failed (rolled
    back), 2 with --dry-run when changes would be made.
    """
    from rollout.backups import BackupStore
    from rollout.runner import run_playbook

    try:
        ctx = load(repo)
        chosen = select_sites(ctx.inv, sites, False)
        if not yes and not dry_run:
            click.confirm(
                f"Roll out {', '.join(chosen)} ({'lab' if lab or lab_dir else 'LIVE devices'})?",
                abort=True,
            )
        store = BackupStore(ctx.root)
        stamp = store.new_set(chosen[0]).id
        for slug in chosen[1:]:
            (store.base / slug / stamp).mkdir(parents=True, exist_ok=True)
        lab_path = ctx.lab_dir(lab, lab_dir)
        extravars = {
            "site_rollout_backup_set": stamp,
            "site_rollout_revert_minutes": revert_minutes or ctx.inv.province.revert_minutes,
            "site_rollout_lab_dir": str(lab_path.resolve()) if lab_path else "",
        }
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
        )
    except RolloutError as exc:
        fail(exc, fmt)
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
    if failed:
        return int(Exit.ERROR)
    return int(Exit.CHANGES) if dry_run and changed else 0
