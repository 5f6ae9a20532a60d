"""The site transaction, for every site of a run at once: what the role site_rollout runs in
one task (``rollout.ansible_step``), a site per thread and a device per thread.

Per site, in the commit safety order (``steps.COMMIT_ORDER``): the site's lock on its WAN
router (``sitelocks``: every site's taken first; refused, the site is not touched, and with
``lock_strict`` no site is), every device backed up before any is pushed (a device that cannot
be read stops its site: nothing is sent), then each device pushed with its revert timer and
verified; if any device of the site failed, every device whose push ran is rolled back to its
backup, else each is confirmed, then saved. The lock is released when the site is done,
whatever happened (``finally``). A saved plan is checked on every device of every site before
anything else: one device that changed stops every site. A run that is killed stops at once
(``_watch``): no step starts after it, its lock stays (stale) for ``rollout recover``.

Sessions: one per device for the lock, the backup and the push (and the saved plan's check; the
push plans from what the backup read; the devices other than the lock's log in while the locks
are taken, ``_login_ahead``, and read nothing before), and one fresh session for the verify, the
confirm and the save: the verify must log in anew (a push that cut management keeps the
session it came through: ``steps.verify_one``). A rollback opens its own sessions
(``steps.rollback_one`` waits for a device that lost management).

Every step is the engine's own (``steps``, ``saved``, ``devlock``): one audit line and one
journal entry each, as ``rollout recover`` expects them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rollout.drivers.base import Driver
from rollout.engine import devlock, pool, processes, steps
from rollout.engine.outcome import DeviceOutcome, site_progress
from rollout.engine.planfile import SavedDevice
from rollout.engine.sitelocks import PLAY_COMMAND, SiteLocks
from rollout.errors import RolloutError
from rollout.inventory.loader import Inventory
from rollout.secrets import Secrets
from rollout.targets import Managed, driver_for

SITE_WORKERS = 24
"""Sites run at once (each with a thread per device): about as many device sessions at once as
`rollout plan` uses (pool.for_devices: 32), the planning being what the two cores spend."""


@dataclass(frozen=True)
class Transaction:
    """What every site of the run shares."""

    root: Path
    inv: Inventory
    secrets: Secrets
    backup_set: str
    revert_minutes: int = 5
    revert_wait: float = 0.0
    plan_file: Path | None = None
    lock_token: str = ""
    """The token every site's lock is taken with ("": play-BACKUP_SET)."""
    lock_command: str = ""
    """The command the lock names ("": ansible-playbook playbooks/site.yml)."""
    holder_pid: int | None = None
    """The process whose life the locks follow (`rollout site`, or ansible-playbook)."""
    lock_strict: bool = False
    """A site refused stops every site (`rollout site`: all or nothing), not only its own."""
    take_over: bool = False
    check: bool = False
    sites_per_process: int = processes.MIN_SITES
    """Sites a process is given at least (``processes.groups_of``)."""
    progress_file: Path | None = None
    """Where each site's end is told as it happens (`rollout.engine.outcome.site_progress`: a
    JSON line per site, its devices' results): what `rollout site` shows while the one task
    runs every site."""


class Sessions:
    """One open session per device, shared by its steps; closed at the end of the run."""

    def __init__(self) -> None:
        self._open: dict[str, Driver] = {}
        self._guard = threading.Lock()

    def of(self, m: Managed) -> Driver:
        with self._guard:
            found = self._open.get(m.device.hostname)
            if found is None:
                found = self._open[m.device.hostname] = driver_for(m.target)
            return found

    def fresh(self, m: Managed) -> Driver:
        """A new session for m (the previous one closed)."""
        self.drop(m)
        return self.of(m)

    def drop(self, m: Managed) -> None:
        with self._guard:
            found = self._open.pop(m.device.hostname, None)
        if found is not None:
            found.close()

    def close(self) -> None:
        with self._guard:
            held, self._open = list(self._open.values()), {}
        for driver in held:
            driver.close()

    def close_for(self, devices: Sequence[Managed]) -> None:
        """Close the sessions of devices another process took over (their logins ahead)."""
        for m in devices:
            self.drop(m)


@dataclass
class _Run:
    tx: Transaction
    out: dict[str, DeviceOutcome]
    locks: SiteLocks
    sessions: Sessions = field(default_factory=Sessions)
    running: dict[str, str] = field(default_factory=dict)
    """Each device's running configuration as its backup read it (its push plans from it)."""
    login_failed: dict[str, Exception] = field(default_factory=dict)
    """A device whose login ahead of its backup failed (``_login_ahead``): why."""

    def each(self, devices: Sequence[Managed], work: Callable[[Managed], None]) -> None:
        """work on every device at once; a step records its own failure (never raises)."""

        def guarded(m: Managed) -> None:
            try:
                work(m)
            except Exception as exc:  # a bug in a step is that device's failure, named
                self.out[m.device.hostname].fail("", exc, self.tx.secrets)

        if len(devices) == 1:
            guarded(devices[0])
            return
        with ThreadPoolExecutor(max_workers=max(1, len(devices))) as threads:
            list(threads.map(guarded, devices))

    def gone(self) -> bool:
        """The run that started the transaction is gone (killed): nothing more is done (no
        step, no rollback, the lock kept: `rollout recover` finishes the site)."""
        from rollout.lock import pid_alive

        pid = self.tx.holder_pid
        return pid is not None and pid > 0 and not pid_alive(pid)

    def step(self, m: Managed, name: str, work: Callable[[], object]) -> bool:
        """Run one step of m; its failure is recorded (and its session dropped): False."""
        if self.gone():
            why = RolloutError(
                f"the run that started the transaction (pid {self.tx.holder_pid}) is gone: "
                f"stopped before {name}",
                f"rollout recover {m.site.slug}",
            )
            self.out[m.device.hostname].fail(name, why, self.tx.secrets)
            return False
        try:
            work()
        except Exception as exc:
            self.out[m.device.hostname].fail(name, exc, self.tx.secrets)
            self.sessions.drop(m)
            return False
        return True


def run(
    tx: Transaction, devices: Sequence[Managed], reached: Sequence[Managed] = ()
) -> tuple[dict[str, DeviceOutcome], dict[str, dict[str, object]]]:
    """Every device's outcome (by hostname), the sites of devices run as transactions at once;
    and what became of each site's lock (``SiteLocks.report``; none in check mode).

    reached: every device of those sites the run reaches (the site's lock is held on its router
    even when the chosen devices leave the router out); default: devices.
    """
    pool.preload()
    outcomes = {m.device.hostname: DeviceOutcome(m.device.hostname, m.site.slug) for m in devices}
    token = tx.lock_token or f"play-{tx.backup_set}"
    locks = SiteLocks(tx.root, token, tx.lock_command or PLAY_COMMAND, tx.holder_pid, tx.take_over)
    state = _Run(tx, outcomes, locks)
    sites: dict[str, list[Managed]] = {}
    for m in devices:
        sites.setdefault(m.site.slug, []).append(m)
    stop = threading.Event()
    if not tx.check and tx.holder_pid:
        threading.Thread(target=_watch, args=(tx.holder_pid, stop), daemon=True).start()
    try:
        if tx.check:
            if tx.plan_file is None or _precheck(state, devices):
                state.each(devices, lambda m: _plan(state, m))
            return state.out, {}
        try:
            logins = _login_ahead(state, sites, reached or devices)
            try:
                _lock(state, sites, reached or devices)
            finally:
                if logins is not None:
                    logins.shutdown(wait=True)
            going = [s for s, mine in sites.items() if not _any_failed(state, mine)]
            chosen = [m for s in going for m in sites[s]]
            if tx.plan_file is not None and chosen and not _precheck(state, chosen):
                return state.out, locks.report
            if going:
                _run_going(state, sites, going)
        finally:
            if not state.gone():
                locks.release_all(state.sessions)
    finally:
        stop.set()
        state.sessions.close()
    return state.out, locks.report


def _run_going(state: _Run, sites: dict[str, list[Managed]], going: list[str]) -> None:
    """The sites whose locks are held: as threads, and on a controller with several cores and
    enough sites, in several processes (``processes``: planning is CPU-bound, one interpreter
    uses one core). Each child releases its own sites' locks; the parent, its own and those of
    a child that failed."""
    import os

    groups = processes.groups_of(
        going, lambda s: len(sites[s]), os.cpu_count() or 1, state.tx.sites_per_process
    )
    moved = state.locks.hand_over([s for g in groups[1:] for s in g])

    def fresh(group: list[str]) -> object:
        inherited = state.sessions
        state.sessions = Sessions()
        state.locks.held = {}
        state.locks.take_back({s: moved[s] for s in group if s in moved})
        if state.tx.holder_pid:
            watch = (state.tx.holder_pid, threading.Event())
            threading.Thread(target=_watch, args=watch, daemon=True).start()
        return inherited

    def run(group: list[str]) -> dict[str, object]:
        workers = min(SITE_WORKERS, len(group))
        with ThreadPoolExecutor(max_workers=workers) as threads:
            list(threads.map(lambda s: _site(state, sites[s]), group))
        hosts = [m.device.hostname for s in group for m in sites[s]]
        return {
            "out": {h: state.out[h] for h in hosts},
            "locks": {s: state.locks.report[s] for s in group if s in state.locks.report},
        }

    def merge(group: list[str], result: dict[str, dict[str, object]]) -> None:
        state.out.update(result["out"])  # type: ignore[arg-type]
        state.locks.report.update(result["locks"])  # type: ignore[arg-type]
        state.sessions.close_for([m for s in group for m in sites[s]])

    def lost(group: list[str], why: str) -> None:
        # still on the routers, as far as the parent knows: released with its own
        state.locks.take_back({s: moved[s] for s in group if s in moved})
        for s in group:
            for m in sites[s]:
                state.out[m.device.hostname].fail("", RolloutError(why), state.tx.secrets)

    processes.run_groups(groups, run, fresh, merge, lost)


WATCH_SECONDS = 0.05


def _watch(pid: int, stop: threading.Event) -> None:
    """End this process at once when the run that started the transaction is gone (`rollout
    site` killed, or ansible-playbook): a killed run stops touching devices, as its own
    process would have; its journal names what it left unfinished for `rollout recover`, and
    its lock stays (stale: its pid is gone)."""
    import os

    from rollout.lock import pid_alive

    while not stop.wait(WATCH_SECONDS):
        if not pid_alive(pid):
            os._exit(3)


def _any_failed(state: _Run, devices: Sequence[Managed]) -> bool:
    return any(state.out[m.device.hostname].failed for m in devices)


LOGIN_WORKERS = 16
"""Logins at once while the locks are taken (as many as locks taken at once: LOCK_SITES)."""


def _login_ahead(
    state: _Run, sites: dict[str, list[Managed]], reached: Sequence[Managed]
) -> ThreadPoolExecutor | None:
    """Log in to every device but the lock's while the sites' locks are taken (the lock
    device's session takes the lock): a login reads and sends nothing, and the backup, the
    first step that reads, still starts only once the site's lock is held. One login less on
    each site's critical path (~0.3 s on the lab). A failed login is kept for the backup step,
    which fails with it (no second login attempt: a wrong password is tried once)."""
    lockers = {
        locker.device.hostname
        for locker in (devlock.lock_device(reached, site) for site in sites)
        if locker is not None
    }
    ahead = [m for mine in sites.values() for m in mine if m.device.hostname not in lockers]
    if not ahead:
        return None

    def login(m: Managed) -> None:
        try:
            state.sessions.of(m).connect()
        except Exception as exc:
            state.sessions.drop(m)
            state.login_failed[m.device.hostname] = exc

    threads = ThreadPoolExecutor(max_workers=min(LOGIN_WORKERS, len(ahead)))
    for m in ahead:
        threads.submit(login, m)
    return threads


def _lock(state: _Run, sites: dict[str, list[Managed]], reached: Sequence[Managed]) -> None:
    """Every site's lock: a site refused fails each of its devices (nothing is done there);
    with lock_strict, every site's (nothing is done anywhere)."""
    refused = state.locks.take(list(sites), reached, state.sessions)
    for site, mine in sites.items():
        why = refused.get(site)
        if why is None and state.tx.lock_strict and refused:
            first = sorted(refused)[0]
            why = RolloutError(f"not started: the lock of site {first} was refused")
        if why is None:
            continue
        for m in mine:
            state.out[m.device.hostname].fail("lock", why, state.tx.secrets)


def _saved(tx: Transaction, m: Managed) -> SavedDevice:
    """m's entry of the saved plan."""
    from rollout.engine import planfile

    assert tx.plan_file is not None
    found = planfile.load(tx.plan_file).device(m.device.hostname)
    if found is None:
        raise RolloutError(
            f"{m.device.hostname} is not in the plan {tx.plan_file}",
            "make a new plan for the site with `rollout plan SITE --out FILE`",
        )
    return found


def _precheck(state: _Run, devices: Sequence[Managed]) -> bool:
    """Every device against the saved plan; one refused stops every site (False)."""
    from rollout.engine import saved as saved_steps

    tx = state.tx

    def one(m: Managed) -> None:
        failed = state.login_failed.pop(m.device.hostname, None)
        state.step(
            m,
            "precheck",
            lambda: saved_steps.precheck_one(
                tx.inv,
                tx.secrets,
                m,
                _saved(tx, m),
                driver=state.sessions.of(m),
                login_failed=failed,
            ),
        )

    state.each(devices, one)
    return not _any_failed(state, devices)


def _plan(state: _Run, m: Managed) -> None:
    """Check mode: what the push would send (nothing is sent)."""
    tx = state.tx
    out = state.out[m.device.hostname]

    def plan() -> None:
        planned = steps.push_one(tx.inv, tx.secrets, m, tx.revert_minutes, check=True)
        out.commands = [tx.secrets.redact(c) for c in planned.commands]
        out.steps["push"] = "changed" if planned.changed else "ok"

    state.step(m, "push", plan)


def _site(state: _Run, devices: Sequence[Managed]) -> None:
    """One site, its lock released at its end."""
    try:
        _transaction(state, devices)
    finally:
        if not state.gone():
            state.locks.release(devices[0].site.slug, state.sessions)
            if state.tx.progress_file is not None:
                site_progress(
                    state.tx.progress_file, [state.out[m.device.hostname] for m in devices]
                )


def _transaction(state: _Run, devices: Sequence[Managed]) -> None:
    """Back up all, push and verify each, then roll back all or confirm and save each."""
    state.each(devices, lambda m: _backup(state, m))
    if _any_failed(state, devices):
        return  # a device could not be read: nothing is sent to the site
    state.each(devices, lambda m: _push_verify(state, m))
    if _any_failed(state, devices):
        pushed = [m for m in devices if "push" in state.out[m.device.hostname].steps]
        state.each(pushed, lambda m: _rollback(state, m))
    else:
        state.each(devices, lambda m: _confirm_save(state, m))


def _backup(state: _Run, m: Managed) -> None:
    from rollout.backups import BackupSet, BackupStore

    tx = state.tx
    store = BackupStore(tx.root)
    folder = store.base / m.site.slug / tx.backup_set
    backup = BackupSet(m.site.slug, tx.backup_set, folder)

    def one() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        failed = state.login_failed.pop(m.device.hostname, None)
        driver = state.sessions.of(m)
        text = steps.backup_read(store, backup, tx.secrets, m, driver=driver, login_failed=failed)[
            1
        ]
        state.running[m.device.hostname] = text

    if state.step(m, "backup", one):
        state.out[m.device.hostname].steps["backup"] = "ok"


def _push_verify(state: _Run, m: Managed) -> None:
    from rollout.engine import saved as saved_steps

    tx = state.tx
    out = state.out[m.device.hostname]

    def push() -> None:
        driver = state.sessions.of(m)
        if tx.plan_file is not None:
            entry = _saved(tx, m)
            sent = saved_steps.push_saved(
                tx.inv, tx.secrets, m, tx.revert_minutes, entry, driver=driver
            )
        else:
            running = state.running.pop(m.device.hostname, None)
            sent = steps.push_one(
                tx.inv, tx.secrets, m, tx.revert_minutes, driver=driver, running=running
            )
        out.commands = [tx.secrets.redact(c) for c in sent.commands]
        out.steps["push"] = "changed" if sent.changed else "ok"

    if not state.step(m, "push", push):
        return
    verified = state.step(
        m, "verify", lambda: steps.verify_one(tx.inv, tx.secrets, m, driver=state.sessions.fresh(m))
    )
    if verified:
        out.steps["verify"] = "ok"


def _rollback(state: _Run, m: Managed) -> None:
    from rollout.backups import BackupStore

    tx = state.tx
    out = state.out[m.device.hostname]
    state.sessions.drop(m)
    backup = BackupStore(tx.root).get(m.site.slug, tx.backup_set)

    def one() -> None:
        out.note = steps.rollback_one(backup, m, wait_seconds=tx.revert_wait)
        out.steps["rollback"] = "changed"

    if not state.step(m, "rollback", one):
        return


def _confirm_save(state: _Run, m: Managed) -> None:
    out = state.out[m.device.hostname]
    done: list[str] = []
    if not state.step(m, "confirm", lambda: None):
        return
    try:
        steps.confirm_save_one(m, done, driver=state.sessions.of(m))
    except Exception as exc:
        failed = next(s for s in ("confirm", "save") if s not in done)
        out.fail(failed, exc, state.tx.secrets)
        state.sessions.drop(m)
    finally:
        out.steps.update(dict.fromkeys(done, "ok"))
