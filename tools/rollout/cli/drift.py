"""`rollout drift` for fleets, and the change history: `rollout history`, `rollout diff`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from rollout.cli.app import emit_json, fail, table
from rollout.cli.context import left_out, load, select_sites, shown_left_out
from rollout.cli.options import (
    Where,
    device_options,
    repo_option,
    sites_argument,
    where_options,
    workers_option,
)
from rollout.cli.recover import report_unfinished
from rollout.errors import RolloutError

FORMATS = ["table", "json", "markdown", "html"]


class _Progress:
    """A rich progress bar on stderr for people; nothing for machines or when not a terminal."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar: Any = None
        if enabled and total:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self.bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task("drift", total=total)
            self.problems = 0

    def __enter__(self) -> _Progress:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, result: Any) -> None:
        if self.bar is not None:
            if result.state.value != "clean":
                self.problems += 1
            self.bar.update(self.task, advance=1, description=f"drift ({self.problems} not clean)")


@click.command()
@sites_argument
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    type=click.Choice(["cisco_ios", "polycom", "linux_router"]),
    help="Only devices of this platform (repeatable).",
)
@device_options
@click.option(
    "--timeout",
    type=click.FloatRange(0.5, 3600),
    default=None,
    help="Seconds per device to connect or answer (default: $ROLLOUT_DEVICE_TIMEOUT or 20).",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 5),
    default=1,
    show_default=True,
    help="Extra attempts for a device that was unreachable or timed out.",
)
@click.option(
    "--allow",
    "allow_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Allow-list of approved deviations (default: inventory/drift-allow.yml).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to this file instead of stdout (json/markdown/html).",
)
@where_options
@workers_option
@repo_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="A table for people; JSON for machines; Markdown or HTML for a report.",
)
def drift(
    sites: tuple[str, ...],
    all_sites: bool,
    platforms: tuple[str, ...],
    roles: tuple[str, ...],
    names: tuple[str, ...],
    timeout: float | None,
    retries: int,
    allow_file: Path | None,
    out: Path | None,
    where: Where,
    workers: int,
    repo: Path | None,
    fmt: str,
) -> int:
    """Which devices no longer match the repository (read-only), fleet-wide.

    Every device is its own result: one that cannot be reached, refuses the login, times out
    or offers an unknown host key is reported with that kind, and the others are still
    checked. Lines covered by the allow-list are shown as `allowed` and do not fail the run.

    Exit 0 clean, 2 drift found, 1 when a device could not be checked (or bad input), or when
    some were left out: a broken site file, or (--all against a lab) devices the lab does not
    hold; each is named with the reason (JSON: the `left_out` list).
    """
    from rollout import drift as engine

    err_fmt = "json" if fmt == "json" else "table"
    try:
        ctx = load(repo)
        every = all_sites or not sites
        chosen = select_sites(ctx.inv, sites, every)
        allow = engine.load_allow_list(
            allow_file if allow_file is not None else ctx.root / engine.ALLOW_FILE
        )
        unfinished = report_unfinished(ctx, chosen, where, fmt)
        devices = ctx.managed(
            chosen, where, every, timeout, roles=roles, names=names, platforms=platforms
        )
        if not devices:
            raise RolloutError("no device to check", "check the sites (and the lab: --lab)")
        people = fmt == "table" and sys.stderr.isatty()
        with _Progress(len(devices), people) as progress:
            report = engine.check(
                ctx.inv,
                ctx.secrets,
                devices,
                allow=allow,
                workers=workers,
                retries=retries,
                progress=progress,
            )
    except RolloutError as exc:
        fail(exc, err_fmt)
    if fmt == "table":
        c = report.counts
        table(
            f"drift: {len(report.devices)} devices in {report.seconds:.1f} s "
            f"({c['clean']} clean, {c['drift']} drift, {c['allowed']} allowed, "
            f"{c['error']} error)",
            ["device", "state", "kind", "detail", "unmanaged", "s"],
            engine.table_rows(report),
        )
        for d in report.devices:
            if d.state is engine.State.ERROR and d.fix:
                click.echo(f"{d.device}: fix: {d.fix}", err=True)
        return report.exit_code
    if fmt == "json":
        import json

        payload = {
            **report.to_json(),
            "left_out": [x.as_dict() for x in left_out()],
            "unfinished": unfinished,
        }
        text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
        shown_left_out()
    elif fmt == "markdown":
        text = engine.markdown(report)
    else:
        text = engine.html(report)
    from rollout.secrets import redact

    text = redact(text)
    if out is not None:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            fail(RolloutError(f"cannot write {out}: {exc.strerror}"), err_fmt)
    else:
        click.echo(text, nl=False)
    return report.exit_code


def _platform_of(repo: Path | None, device: str) -> Any:
    """The device's platform from the inventory, when the repository still names it."""
    try:
        ctx = load(repo)
    except RolloutError:
        return None
    for _site, d in ctx.inv.devices():
        if d.hostname == device:
            return d.platform
    return None


def _store(repo: Path | None) -> Any:
    from rollout.backups import BackupStore
    from rollout.cli.app import repo_root

    return BackupStore(repo_root(repo))


@click.command()
@click.argument("device")
@repo_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def history(device: str, repo: Path | None, fmt: str) -> None:
    """List the versions of DEVICE (one per backup): time, size, lines changed."""
    from rollout.history import versions

    try:
        found = versions(_store(repo), device, _platform_of(repo, device))
    except RolloutError as exc:
        fail(exc, fmt)
    if fmt == "json":
        emit_json(
            [
                {
                    "id": v.id,
                    "site": v.site,
                    "time": v.when.isoformat() if v.when else None,
                    "size": v.size,
                    "changes": v.changes,
                }
                for v in found
            ]
        )
        return
    table(
        f"history of {device}: {len(found)} versions",
        ["version", "time (UTC)", "bytes", "lines changed"],
        [
            (
                v.id,
                v.when.strftime("%Y-%m-%d %H:%M:%S") if v.when else "?",
                v.size,
                "first" if v.changes is None else v.changes,
            )
            for v in found
        ],
    )


@click.command("diff")
@click.argument("device")
@click.option("--since", default=None, metavar="ID|DATE", help="Older version, or a date.")
@click.option("--to", "to", default=None, metavar="ID", help="Newer version (default: latest).")
@repo_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def diff_versions(
    device: str, since: str | None, to: str | None, repo: Path | None, fmt: str
) -> int:
    """What changed on DEVICE between two of its backups (noise left out).

    Independent of the repository: this is the device's own history. Exit 2 when the versions
    differ, 0 when they do not.
    """
    from rollout.history import diff
    from rollout.secrets import redact

    try:
        old, new, lines = diff(
            _store(repo), device, since=since, to=to, platform=_platform_of(repo, device)
        )
    except RolloutError as exc:
        fail(exc, fmt)
    if fmt == "json":
        emit_json({"from": old.id, "to": new.id, "diff": [redact(x) for x in lines]})
    elif not lines:
        click.echo(f"{device}: no change from {old.id} to {new.id}")
    else:
        for line in lines:
            color = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1])
            click.secho(redact(line), fg=color if not line.startswith(("+++", "---")) else None)
    return 2 if lines else 0


COMMANDS = (drift, history, diff_versions)
