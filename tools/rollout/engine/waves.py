"""Waves: a canary site alone first, then batches of sites, each site its own transaction
(`engine.site.run_sites`); a batch where more sites fail than allowed stops the waves, and a
wave state file (engine.wavestate) lets `--resume` continue without touching the sites done.

The CLI only parses the options, asks, and prints the events this module reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rollout.engine import wavestate
from rollout.engine.results import Word
from rollout.engine.site import Labs, SiteRun
from rollout.engine.wavestate import Options, SiteEntry, SiteState, Wave, WaveState
from rollout.errors import RolloutError
from rollout.secrets import redact

if TYPE_CHECKING:
    from rollout.engine.devlock import Taken
    from rollout.inventory.loader import Inventory
    from rollout.lock import Holder
    from rollout.runner import Progress
    from rollout.secrets import Secrets

DEFAULT_BATCH = 10
DEFAULT_MAX_FAIL = 0


def parse_max_fail(text: str) -> int:
    """'10%' or '10' -> 10 (percent of a batch's sites that may fail); 0..100."""
    match = re.fullmatch(r"\s*(\d{1,3})\s*%?\s*", text)
    if match is None or int(match.group(1)) > 100:
        raise RolloutError(
            f"--max-fail {text!r} is not a percentage",
            "give a whole percentage from 0% to 100%, e.g. --max-fail 0% (stop at the first "
            "failed site) or --max-fail 20%",
        )
    return int(match.group(1))


def plan(selection: list[str], canary: str | None, batch: int) -> list[Wave]:
    """The waves in order: the canary alone (when given), then batches of `batch` sites in the
    order of the selection."""
    if batch < 1:
        raise RolloutError(f"--batch {batch} is not a number of sites", "give --batch 1 or more")
    if canary is not None and canary not in selection:
        raise RolloutError(
            f"the canary {canary} is not among the selected sites",
            f"add {canary} to the SITE list, or use --all, or choose a selected site",
        )
    waves: list[Wave] = []
    rest = list(selection)
    if canary is not None:
        rest.remove(canary)
        waves.append(Wave("canary", (canary,)))
    for n, start in enumerate(range(0, len(rest), batch), 1):
        waves.append(Wave(f"batch {n}", tuple(rest[start : start + batch])))
    return waves


def new_state(selection: list[str], all_sites: bool, options: Options, command: str) -> WaveState:
    waves = plan(selection, options.canary, options.batch)
    sites = {s: SiteEntry(wave=i) for i, w in enumerate(waves) for s in w.sites}
    return WaveState(
        name=wavestate.name_for(selection, all_sites),
        all_sites=all_sites,
        selection=tuple(selection),
        options=options,
        waves=waves,
        sites=sites,
        command=command,
    )


def prepare(
    path: Path,
    selection: list[str],
    all_sites: bool,
    options: Options,
    command: str,
    *,
    resume: bool,
) -> WaveState:
    """The state to run: a new plan, or (resume) the stopped one after checking it is the same
    selection and options. A new run over an unfinished state file is refused."""
    if not resume:
        if path.exists():
            try:
                old = wavestate.load(path)
            except wavestate.WaveFileError:
                old = None
            if old is None or not old.finished:
                raise RolloutError(
                    f"{path} holds waves that did not finish"
                    + (f" ({old.stopped})" if old is not None and old.stopped else ""),
                    "continue them with the same command and --resume, or delete the file "
                    "to plan the waves again",
                )
        return new_state(selection, all_sites, options, command)
    try:
        state = wavestate.load(path)
    except wavestate.WaveFileError as exc:
        raise RolloutError(exc.message, exc.fix) from None
    same = f"run `{resume_command(state)}`, or delete {path} to plan new waves"
    if state.all_sites != all_sites or list(state.selection) != selection:
        was = "--all" if state.all_sites else " ".join(state.selection)
        raise RolloutError(
            f"{path} is for other sites ({was}); this run selects "
            + ("--all" if all_sites else " ".join(selection)),
            same,
        )
    if state.options != options:
        diff = ", ".join(
            f"{k} {v!r} (this run: {options.as_dict()[k]!r})"
            for k, v in state.options.as_dict().items()
            if options.as_dict()[k] != v
        )
        raise RolloutError(f"{path} was started with other options: {diff}", same)
    state.stopped = ""
    return state


@dataclass(frozen=True)
class Event:
    """What the waves did, as it happens: 'wave' (a wave starts), 'site' (a site ended),
    'skip' (a wave whose sites are all done), 'stop' (the waves stop)."""

    kind: str
    wave: int
    name: str
    sites: tuple[str, ...] = ()
    state: SiteState | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"event": self.kind, "wave": self.wave + 1, "name": self.name}
        if self.sites:
            out["sites"] = list(self.sites)
        if self.state is not None:
            out["state"] = self.state.value
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass
class Outcome:
    state: WaveState
    path: Path
    stopped: str = ""
    interrupted: bool = False
    ran: list[str] = field(default_factory=list)
    """The sites this invocation rolled out (done or not)."""

    @property
    def ok(self) -> bool:
        return not self.stopped and self.state.finished


Runner = Callable[[list[str]], SiteRun]
"""Runs one batch: engine.site.run_sites bound to the repository, labs and options."""


def site_outcome(run: SiteRun, slug: str, devices: Set[str]) -> tuple[SiteState, str]:
    """One site's state after its batch ran (devices: its hostnames): done only when none of
    its devices failed."""
    if run.rolled_back is not None:  # interrupted: every backed-up device put back
        back = [r for r in run.rolled_back if r.device in devices]
        bad = [r for r in back if not r.ok]
        if bad:
            return SiteState.FAILED, f"interrupted; rollback of {bad[0].device} failed"
        if back:
            return SiteState.ROLLED_BACK, f"interrupted; put back to backup {run.backup_set}"
        return SiteState.NOT_TOUCHED, "interrupted before any device was backed up"
    mine = [r for r in run.results if r.site == slug]
    failed = any(h.failed for h in run.run.hosts.values() if h.host in devices)
    if not mine:
        if run.run.rc != 0:
            return SiteState.NOT_TOUCHED, "; ".join(run.run.messages)[:200] or "the run failed"
        return SiteState.DONE, "no managed device"
    worst = next((r for r in mine if r.word is Word.FAILED), None) or next(
        (r for r in mine if r.word is Word.ROLLED_BACK), None
    )
    if not failed and worst is None:
        changed = sum(r.word is Word.CHANGED for r in mine)
        return SiteState.DONE, f"changed {changed}, unchanged {len(mine) - changed}"
    if worst is not None and worst.word is Word.FAILED:
        return SiteState.FAILED, f"{worst.device}: {worst.detail}"
    if worst is not None:
        return SiteState.ROLLED_BACK, f"{worst.device}: {worst.detail}"
    first = next((r for r in mine if r.detail), mine[0])
    return SiteState.NOT_TOUCHED, f"{first.device}: {first.detail}"


def too_many(failed: int, size: int, max_fail: int) -> bool:
    """More than max_fail percent of the batch's sites failed."""
    return failed * 100 > max_fail * size


def run(
    state: WaveState,
    path: Path,
    batch_runner: Runner,
    site_devices: Mapping[str, Set[str]],
    on_event: Callable[[Event], None] | None = None,
) -> Outcome:
    """Run the waves not done yet, in order; the state file written after every site.
    site_devices: each site's device hostnames."""
    tell = on_event or (lambda _e: None)
    out = Outcome(state, path)
    wavestate.save(state, path)
    for i, wave in enumerate(state.waves):
        todo = [s for s in wave.sites if state.sites[s].state is not SiteState.DONE]
        if not todo:
            tell(Event("skip", i, wave.name, wave.sites, detail="already done"))
            continue
        tell(Event("wave", i, wave.name, tuple(todo)))
        try:
            ended, interrupted = _batch(todo, batch_runner, site_devices)
        except KeyboardInterrupt:
            return _stop(out, i, "interrupted before the batch's run started", tell)
        out.ran.extend(todo)
        for slug in todo:
            what, detail, backup_set = ended[slug]
            detail = redact(detail)  # the file and the events never hold a vault value
            state.sites[slug] = SiteEntry(what, i, detail, backup_set, wavestate.now())
            wavestate.save(state, path)
            tell(Event("site", i, wave.name, (slug,), what, detail))
        failed = [s for s in wave.sites if state.sites[s].state is not SiteState.DONE]
        if interrupted:
            out.interrupted = True
            return _stop(out, i, "interrupted: the batch's devices were rolled back", tell)
        if failed and wave.name == "canary":
            return _stop(out, i, f"the canary {failed[0]} failed; no batch was started", tell)
        if too_many(len(failed), len(wave.sites), state.options.max_fail):
            share = f"{len(failed)} of {len(wave.sites)} sites"
            why = f"{wave.name}: {share} failed ({', '.join(failed)}), "
            why += f"more than --max-fail {state.options.max_fail}%"
            return _stop(out, i, why, tell)
    left = [s for s, e in state.sites.items() if e.state is not SiteState.DONE]
    if left:
        why = f"every wave ran, within --max-fail; not done: {', '.join(left)}"
        return _stop(out, len(state.waves) - 1, why, tell)
    wavestate.save(state, path)
    return out


Ended = dict[str, tuple[SiteState, str, str]]
"""Per site of a batch: its state, the detail and the backup set of its run."""


def _batch(
    todo: list[str], batch_runner: Runner, site_devices: Mapping[str, Set[str]]
) -> tuple[Ended, bool]:
    """Run a batch's sites together; when the run is refused before it starts (a device lock
    held elsewhere, a router that cannot be reached to take it), run them one by one so that
    the refusal counts against its own site only. Whether a signal interrupted the run."""
    try:
        done = batch_runner(todo)
    except RolloutError as exc:
        if len(todo) > 1:
            ended: Ended = {}
            for slug in todo:
                one, interrupted = _batch([slug], batch_runner, site_devices)
                ended.update(one)
                if interrupted:
                    rest = [s for s in todo if s not in ended]
                    ended.update(dict.fromkeys(rest, (SiteState.PENDING, "", "")))
                    return ended, True
            return ended, False
        why = f"refused before anything was pushed: {exc.message}"
        return {todo[0]: (SiteState.NOT_TOUCHED, why, "")}, False
    found: Ended = {}
    for slug in todo:
        what, detail = site_outcome(done, slug, site_devices.get(slug, set()))
        found[slug] = (what, detail, done.backup_set)
    return found, done.interrupted


def _stop(out: Outcome, wave: int, why: str, tell: Callable[[Event], None]) -> Outcome:
    out.stopped = why
    out.state.stopped = why
    wavestate.save(out.state, out.path)
    tell(Event("stop", wave, out.state.waves[wave].name, detail=why))
    return out


def resume_command(state: WaveState) -> str:
    """The command that continues the waves: the one that started them, with --resume."""
    words = state.command.split()
    return " ".join(words if "--resume" in words else [*words, "--resume"])


def batch_runner(
    root: Path,
    inv: Inventory,
    secrets: Secrets,
    options: Options,
    labs: Labs,
    *,
    progress: Callable[[Progress], None] | None = None,
    on_stale: Callable[[Holder], None] | None = None,
    on_interrupt: Callable[[str], None] | None = None,
    take_over: bool = False,
    on_takeover: Callable[[Taken], None] | None = None,
) -> Runner:
    """run_sites for one batch, with the wave's options (no dry run: waves push)."""
    from rollout.engine.site import run_sites

    def go(sites: list[str]) -> SiteRun:
        return run_sites(
            root,
            inv,
            secrets,
            sites,
            dry_run=False,
            revert_minutes=options.revert_minutes,
            labs=labs,
            progress=progress,
            on_stale=on_stale,
            on_interrupt=on_interrupt,
            take_over=take_over,
            on_takeover=on_takeover,
        )

    return go
