"""The site-wide transaction through Ansible (playbooks/site.yml): the lock, the run, and the
rollback of an interrupted run; the CLI only asks, calls and prints."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rollout import audit
from rollout.backups import BackupStore
from rollout.engine import devlock, journal
from rollout.engine.facts import slowest_minute
from rollout.engine.interrupt import Trap, roll_back
from rollout.engine.results import DeviceResult
from rollout.errors import RolloutError
from rollout.fleet import Result
from rollout.inventory.loader import Inventory
from rollout.lock import Holder
from rollout.runner import PlaybookRun, Progress
from rollout.secrets import Secrets
from rollout.targets import MANAGED, Managed


@dataclass(frozen=True)
class Labs:
    """Where the devices are reached: the lab twin, the network lab's router, or neither."""

    lab: Path | None
    netlab: Path | None

    def describe(self) -> str:
        held = [n for n, p in (("lab", self.lab), ("network lab", self.netlab)) if p]
        return " + ".join(held) if held else "LIVE devices"


@dataclass(frozen=True)
class SiteRun:
    """What a site run did: the playbook's outcome, or the rollback of an interrupted run."""

    sites: list[str]
    dry_run: bool
    backup_set: str
    run: PlaybookRun
    rolled_back: list[Result[str]] | None = None
    """Set when a signal interrupted the run: each device put back to the backup set."""
    results: tuple[DeviceResult, ...] = ()
    """What the run did to each device, in one word (engine/results.py)."""
    kept: tuple[Path, ...] = ()
    """The backup folders this run wrote (empty ones are removed)."""

    @property
    def interrupted(self) -> bool:
        return self.rolled_back is not None

    @property
    def failed(self) -> bool:
        return self.interrupted or self.run.rc != 0

    @property
    def changed(self) -> bool:
        return any(r.word in ("changed", "would change") for r in self.results)


def revert_wait(minutes: int, labs: Labs | None = None) -> float:
    """Seconds a rollback waits for a device that lost management to revert by itself: the
    timer's minutes in the slowest minute of the devices reached (the labs publish theirs)."""
    minute = slowest_minute((labs.lab, labs.netlab)) if labs is not None else 60.0
    return round(minutes * minute * 1.5 + 10, 1)


def run_sites(
    root: Path,
    inv: Inventory,
    secrets: Secrets,
    chosen: list[str],
    *,
    dry_run: bool,
    revert_minutes: int | None,
    labs: Labs,
    hosts: list[str] | None = None,
    progress: Callable[[Progress], None] | None = None,
    on_stale: Callable[[Holder], None] | None = None,
    on_interrupt: Callable[[str], None] | None = None,
    plan_file: Path | None = None,
    take_over: bool = False,
    on_takeover: Callable[[devlock.Taken], None] | None = None,
) -> SiteRun:
    """Hold the sites' lock (not for a dry run), run the playbook, audit the outcome.

    The lock is local (var/locks) and on the devices (engine.devlock: refused when another
    controller holds the site; a stale device lock taken over only with take_over).
    hosts: only these devices of the sites (the Ansible limit); the transaction then spans
    the chosen devices of each site: a failure rolls those back, the others are not touched.

    on_stale: told of each stale lock taken over; on_interrupt: told the backup set before an
    interrupted run is rolled back.
    """
    from rollout.lock import site_lock

    command = "rollout site " + " ".join(chosen) + (" --dry-run" if dry_run else "")
    lock = contextlib.nullcontext() if dry_run else site_lock(root, chosen, command)
    with lock as held:
        if held is not None:
            for stale in held.stale:
                if on_stale is not None:
                    on_stale(stale)
                audit.record(
                    root,
                    "lock-takeover",
                    sites=[stale.site],
                    result="ok",
                    detail=f"stale lock of {stale.describe()}",
                )
        # The device locks are taken by the site transaction itself, in the session it backs the
        # router up in, and removed in the one it ends with (engine.sitelocks): this run's
        # token, pid and command. A dry run touches no device: no device lock.
        token = "" if dry_run else devlock.new_token()
        return _run(
            root,
            inv,
            secrets,
            chosen,
            dry_run,
            revert_minutes,
            labs,
            progress,
            on_interrupt,
            plan_file,
            hosts,
            DeviceLock(token, command, take_over, on_takeover),
        )


@dataclass(frozen=True)
class DeviceLock:
    """The run's device locks, as the site transaction takes them (engine.sitelocks)."""

    token: str
    command: str
    take_over: bool = False
    on_takeover: Callable[[devlock.Taken], None] | None = None

    def _release(self, m: Managed) -> None:
        with contextlib.suppress(RolloutError, OSError):
            devlock.release(m, self.token)

    def extravars(self) -> dict[str, object]:
        return {
            "site_rollout_lock_token": self.token,
            "site_rollout_lock_pid": os.getpid(),
            "site_rollout_lock_command": self.command,
            "site_rollout_lock_strict": True,
            "site_rollout_take_over": self.take_over,
        }

    def settle(
        self,
        inv: Inventory,
        secrets: Secrets,
        chosen: list[str],
        labs: Labs,
        run: PlaybookRun,
        *,
        refusals: bool = True,
    ) -> None:
        """After the play: tell each takeover, remove a lock the play left behind (a release
        that failed, or a run stopped: an interrupted one after its rollback), then raise the
        first refusal (in site order) as the lock raised it."""
        from rollout.targets import managed_devices

        if not self.token:
            return
        reports = run.locks
        reached = managed_devices(inv, chosen, secrets, lab=labs.lab, netlab=labs.netlab)
        for site in sorted(reports):
            took = reports[site].get("took_over")
            m = devlock.lock_device(reached, site)
            if isinstance(took, dict) and m is not None and self.on_takeover is not None:
                me = devlock.me(site, self.command, self.token)
                replaced = devlock.decode(str(took.get("replaced", "")))
                self.on_takeover(devlock.Taken(m, me, True, replaced, str(took.get("reason"))))
        left = [
            m
            for site in chosen
            if (m := devlock.lock_device(reached, site)) is not None
            and not reports.get(site, {}).get("released")
            and "refused" not in reports.get(site, {})
        ]
        if left:
            with ThreadPoolExecutor(max_workers=min(devlock.LOCK_WORKERS, len(left))) as pool:
                list(pool.map(self._release, left))
        refused = [reports[s] for s in chosen if "refused" in reports.get(s, {})]
        if refused and refusals:
            first = refused[0]
            kind = devlock.DeviceLockHeld if first.get("held") else RolloutError
            raise kind(str(first["refused"]), str(first.get("fix", "")))


def _run(
    root: Path,
    inv: Inventory,
    secrets: Secrets,
    chosen: list[str],
    dry_run: bool,
    revert_minutes: int | None,
    labs: Labs,
    progress: Callable[[Progress], None] | None,
    on_interrupt: Callable[[str], None] | None,
    plan_file: Path | None = None,
    hosts: list[str] | None = None,
    lock: DeviceLock | None = None,
) -> SiteRun:
    from rollout.runner import RUNNER_DIR, run_playbook

    device_lock = lock or DeviceLock("", "")
    with Trap() as trap:
        store = BackupStore(root)
        stamp = store.new_set(chosen[0]).id
        for slug in chosen[1:]:
            (store.base / slug / stamp).mkdir(parents=True, exist_ok=True)
        minutes = revert_minutes or inv.province.revert_minutes
        extravars: dict[str, object] = {
            "site_rollout_backup_set": stamp,
            "site_rollout_revert_minutes": minutes,
            "site_rollout_lab_dir": str(labs.lab.resolve()) if labs.lab else "",
            "site_rollout_netlab_dir": str(labs.netlab.resolve()) if labs.netlab else "",
            "site_rollout_revert_wait": revert_wait(minutes, labs),
            "site_rollout_plan_file": str(plan_file.resolve()) if plan_file else "",
            **device_lock.extravars(),
        }
        action = "plan" if dry_run else "rollout"
        audit.record(root, f"{action}-start", sites=chosen, backup_set=stamp)
        devices = {
            slug: [
                d.hostname
                for d in inv.sites[slug].devices
                if d.platform in MANAGED and (not hosts or d.hostname in hosts)
            ]
            for slug in chosen
        }
        if not dry_run:  # the journal: what the run is about to do, before any device
            for slug in chosen:
                command = "rollout site " + " ".join(chosen)
                journal.begin(
                    root,
                    slug,
                    stamp,
                    devices=devices[slug],
                    revert_minutes=minutes,
                    command=command,
                )
        # The play runs on one host: its one task runs every site (the devices named here);
        # each device's result is read from the folder the task leaves (runner), with no
        # per-host task for the other devices (Ansible forks a worker per host and task).
        every = [name for slug in chosen for name in devices[slug]]
        extravars["site_rollout_hosts"] = every
        # Each site's end, told by the site task as it happens (the play is one task).
        watch = root / RUNNER_DIR / f"progress-{stamp}-{os.getpid()}.jsonl"
        watch.parent.mkdir(parents=True, exist_ok=True)
        extravars["site_rollout_progress_file"] = str(watch)
        limit = every[0] if every else ",".join(f"site_{s.replace('-', '_')}" for s in chosen)
        try:
            run = run_playbook(
                root,
                "playbooks/site.yml",
                limit=limit,
                extravars=extravars,
                secrets=secrets,
                check=dry_run,
                progress=progress,
                cancel=trap.cancel,
                site_progress=watch,
            )
        except RolloutError as exc:
            _finish(root, chosen, stamp, dry_run, f"failed: {exc.message}")
            raise
        if trap.happened:
            trap.stop_children()
            if on_interrupt is not None:
                on_interrupt(stamp)
            results = roll_back(inv, secrets, root, chosen, stamp, lab=labs.lab, netlab=labs.netlab)
            device_lock.settle(inv, secrets, chosen, labs, run, refusals=False)
            bad = [r for r in results if not r.ok]
            result = "interrupted, rolled back" if not bad else "interrupted, rollback failed"
            _finish(root, chosen, stamp, dry_run, result)
            audit.record(
                root,
                "rollout",
                sites=chosen,
                devices=[r.device for r in results],
                result=result,
                backup_set=stamp,
                results={r.device: "rolled back" if r.ok else "failed" for r in results},
            )
            return SiteRun(chosen, dry_run, stamp, run, results)
    from rollout.engine import results as res

    try:
        device_lock.settle(inv, secrets, chosen, labs, run)
    except RolloutError as exc:  # refused: nothing was done (every device not touched)
        res.prune_empty(store.base, chosen, stamp)
        _finish(root, chosen, stamp, dry_run, f"refused: {exc.message}")
        raise
    site_of = {d.hostname: s.slug for s, d in inv.devices()}
    found = res.derive(run.hosts, site_of, dry_run=dry_run, backup_set=stamp)
    kept = res.prune_empty(store.base, chosen, stamp)
    done = SiteRun(chosen, dry_run, stamp, run, results=tuple(found), kept=tuple(kept))
    _finish(root, chosen, stamp, dry_run, res.audit_result(found, done.failed))
    changes = sorted({c for h in run.hosts.values() for c in h.commands})
    audit.record(
        root,
        action,
        sites=chosen,
        devices=sorted(run.hosts),
        result=res.audit_result(found, done.failed) if not dry_run else "planned",
        change=audit.change_hash(changes),
        detail="; ".join(run.messages),
        backup_set=stamp if kept else "",
        results={r.device: r.word.value for r in found},
        **({"plan_file": str(plan_file)} if plan_file else {}),
    )
    return done


def _finish(root: Path, chosen: list[str], stamp: str, dry_run: bool, result: str) -> None:
    """Close each site's journal (left open, 'stopped', while a device is unsettled)."""
    if not dry_run:
        for slug in chosen:
            journal.finish(root, slug, stamp, result)
