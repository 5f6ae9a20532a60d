"""`rollout site` in waves (--all, --canary, --batch, --max-fail, --resume): check the options,
ask, print the waves' progress and the tables; the waves themselves are engine.waves."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from rollout.cli.app import Exit, emit_json, table
from rollout.errors import RolloutError

if TYPE_CHECKING:
    from rollout.cli.context import Context
    from rollout.engine.site import Labs
    from rollout.engine.waves import Event, Outcome
    from rollout.engine.wavestate import WaveState
    from rollout.lock import Holder


@dataclass(frozen=True)
class WaveArgs:
    """The wave options of `rollout site`, as given."""

    all_sites: bool
    canary: str | None
    batch: int | None
    max_fail: str | None
    resume: bool
    waves_file: Path | None

    @property
    def wanted(self) -> bool:
        """Any wave option given: the run goes in waves."""
        return bool(
            self.all_sites
            or self.canary
            or self.batch is not None
            or self.max_fail is not None
            or self.resume
            or self.waves_file is not None
        )


def refuse_with(dry_run: bool, plan: Path | None, picked: bool) -> None:
    """Options a wave run does not take, each with the fix."""
    if dry_run:
        raise RolloutError(
            "--dry-run does not go with waves (--all/--canary/--batch/--max-fail/--resume)",
            "see the changes first with `rollout plan SITE...` (or --all), then run the waves",
        )
    if plan is not None:
        raise RolloutError(
            "--plan does not go with waves: a saved plan is applied in one run",
            "apply the saved plan with `rollout site SITE... --plan FILE`, without wave options",
        )
    if picked:
        raise RolloutError(
            "--role/--device do not go with waves: each site of a wave is rolled out whole",
            "drop --role/--device, or roll those devices out with `rollout site SITE --role ...`",
        )


@dataclass(frozen=True)
class Prepared:
    """The waves to run: their state and where it is kept."""

    state: WaveState
    path: Path


def prepare(
    ctx: Context,
    chosen: list[str],
    args: WaveArgs,
    *,
    dry_run: bool,
    plan: Path | None,
    picked: bool,
    revert_minutes: int | None,
) -> Prepared:
    """Check the options and the state file (before any device is reached)."""
    from rollout.engine import waves, wavestate
    from rollout.engine.wavestate import Options

    refuse_with(dry_run, plan, picked)
    options = Options(
        args.canary,
        args.batch if args.batch is not None else waves.DEFAULT_BATCH,
        waves.parse_max_fail(args.max_fail) if args.max_fail is not None else 0,
        revert_minutes,
    )
    path = args.waves_file or wavestate.default_path(ctx.root, chosen, args.all_sites)
    command = "rollout " + " ".join(sys.argv[1:])
    state = waves.prepare(path, chosen, args.all_sites, options, command, resume=args.resume)
    return Prepared(state, path)


def run(
    ctx: Context,
    prepared: Prepared,
    labs: Labs,
    *,
    yes: bool,
    take_over: bool,
    fmt: str,
    on_stale: Callable[[Holder], None] | None = None,
) -> int:
    """Ask unless yes, run the waves; the exit code."""
    from rollout.engine import waves

    state, path = prepared.state, prepared.path
    if not yes:
        for line in _plan_lines(state):
            click.echo(line, err=True)
        left = sum(e.state != "done" for e in state.sites.values())
        click.confirm(
            f"Roll out {left} site(s) in {len(state.waves)} wave(s) ({labs.describe()})?",
            abort=True,
            err=True,
        )
    site_devices = {s: {d.hostname for d in ctx.inv.sites[s].devices} for s in state.sites}
    runner = waves.batch_runner(
        ctx.root,
        ctx.inv,
        ctx.secrets,
        state.options,
        labs,
        on_stale=on_stale,
        on_interrupt=lambda stamp: click.secho(
            f"interrupted: rolling the batch's devices back to backup {stamp}", fg="red", err=True
        ),
        take_over=take_over,
    )
    outcome = waves.run(state, path, runner, site_devices, on_event=_events(fmt, len(state.waves)))
    return _show(outcome, fmt)


def _plan_lines(state: WaveState) -> list[str]:
    lines = []
    for n, wave in enumerate(state.waves, 1):
        done = [s for s in wave.sites if state.sites[s].state == "done"]
        tail = f" ({len(done)} done)" if done else ""
        lines.append(f"wave {n}/{len(state.waves)} {wave.name}: {' '.join(wave.sites)}{tail}")
    return lines


def _events(fmt: str, total: int) -> Callable[[Event], None]:
    from rollout.secrets import redact

    def show(event: Event) -> None:
        if fmt == "json":
            click.echo(redact(json.dumps(event.as_dict(), ensure_ascii=False)), err=True)
            return
        detail = redact(event.detail)
        head = f"wave {event.wave + 1}/{total} {event.name}"
        if event.kind == "wave":
            click.secho(f"{head}: rolling out {', '.join(event.sites)}", bold=True, err=True)
        elif event.kind == "skip":
            click.echo(f"{head}: every site already done, skipped", err=True)
        elif event.kind == "site" and event.state is not None:
            colour = "green" if event.state == "done" else "red"
            click.secho(f"  {event.sites[0]}: {event.state.value}: {detail}", fg=colour, err=True)
        elif event.kind == "stop":
            click.secho(f"{head}: STOPPED: {detail}", fg="red", err=True)

    return show


def _show(outcome: Outcome, fmt: str) -> int:
    from rollout.engine.waves import resume_command
    from rollout.secrets import redact

    state = outcome.state
    if fmt == "json":
        emit_json(
            {
                **state.as_dict(),
                "ok": outcome.ok,
                "interrupted": outcome.interrupted,
                "state_file": str(outcome.path),
                "ran": outcome.ran,
                "resume": "" if outcome.ok else resume_command(state),
            }
        )
    else:
        for n, wave in enumerate(state.waves, 1):
            rows = [
                (s, state.sites[s].state.value, state.sites[s].backup_set, state.sites[s].detail)
                for s in wave.sites
            ]
            table(
                f"wave {n}/{len(state.waves)} {wave.name}",
                ["site", "state", "backup set", "detail"],
                rows,
            )
    if outcome.ok:
        click.echo(f"every site done; wave state in {outcome.path}", err=True)
        return 0
    failed = [s for s, e in state.sites.items() if e.state not in ("done", "pending")]
    click.secho(f"waves STOPPED: {redact(outcome.stopped)}", fg="red", err=True)
    if failed:
        click.echo(f"  sites not done after their run: {', '.join(failed)}", err=True)
    click.echo(
        f"  done sites stay done; fix the failed sites, then continue with "
        f"`{resume_command(state)}` (wave state in {outcome.path})",
        err=True,
    )
    return int(Exit.ERROR)
