"""The locks of a site transaction (``engine.transaction``): each site's lock on its WAN router
(``engine.devlock``) taken in the session the transaction then backs the router up in, and
removed in the session it last used, as soon as the site is done (or whatever happened).

Who holds them: the run that started the play. `rollout site` passes its token, its pid and its
command line (the lock follows the CLI's life, and a refusal names the CLI that holds it); a
bare ansible-playbook (AWX) holds them as ``play-BACKUP_SET`` under ansible-playbook's pid.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rollout import audit
from rollout.drivers.base import Driver
from rollout.engine import devlock
from rollout.errors import RolloutError
from rollout.targets import Managed

LOCK_SITES = 32
"""Sites whose locks are taken at once: each take opens the router's session the site's
backup then uses, so the take costs the transaction little beyond its own commands."""

PLAY_COMMAND = "ansible-playbook playbooks/site.yml"
"""How the lock names a run that the playbook started itself (no `rollout site` around it)."""


class Sessions(Protocol):
    def of(self, m: Managed) -> Driver: ...

    def drop(self, m: Managed) -> None: ...


@dataclass
class SiteLocks:
    """Every site's lock of one transaction, and what became of each (``report``)."""

    root: Path
    token: str
    command: str = PLAY_COMMAND
    pid: int | None = None
    take_over: bool = False
    held: dict[str, devlock.Taken] = field(default_factory=dict)
    report: dict[str, dict[str, object]] = field(default_factory=dict)
    """Per site: ``refused`` (message, ``fix``, ``held`` when another run holds it),
    ``took_over`` (device, replaced holder line, reason), ``released``."""
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def take(
        self, sites: Sequence[str], reached: Sequence[Managed], sessions: Sessions
    ) -> dict[str, RolloutError]:
        """Every site's lock at once (a take never waits for another holder, so two runs
        never deadlock); the sites refused, with why."""
        refused: dict[str, RolloutError] = {}

        def one(site: str) -> None:
            m = devlock.lock_device(reached, site)
            if m is None:
                return
            me = devlock.me(site, self.command, self.token, self.pid)
            try:
                taken = devlock.take(m, me, take_over=self.take_over, driver=sessions.of(m))
            except Exception as exc:
                sessions.drop(m)
                why = (
                    exc
                    if isinstance(exc, RolloutError)
                    else RolloutError(f"{type(exc).__name__}: {exc}")
                )
                if not isinstance(exc, devlock.DeviceLockHeld):
                    why = RolloutError(
                        f"the lock of site {site} could not be taken: {why.message}", why.fix
                    )
                with self._guard:
                    refused[site] = why
                    self.report[site] = {
                        "refused": why.message,
                        "fix": why.fix,
                        "held": isinstance(exc, devlock.DeviceLockHeld),
                    }
                return
            if taken is None:
                return
            devlock.audit_takeover(self.root, taken)
            with self._guard:
                if taken.fresh:
                    self.held[site] = taken
                    self.report[site] = {"released": False}
                if taken.replaced is not None:
                    self.report[site]["took_over"] = {
                        "device": m.device.hostname,
                        "replaced": taken.replaced.encode(),
                        "reason": taken.replaced_reason,
                    }

        if sites:
            with ThreadPoolExecutor(max_workers=min(LOCK_SITES, len(sites))) as pool:
                list(pool.map(one, sites))
        return refused

    def release(self, site: str, sessions: Sessions) -> None:
        """Remove the site's marker (if this run took it); a failure is audited, not raised."""
        with self._guard:
            taken = self.held.pop(site, None)
        if taken is None:
            return
        m = taken.managed
        try:
            done = devlock.release(m, self.token, driver=sessions.of(m))
        except Exception as exc:
            sessions.drop(m)
            try:  # the session the site ended with may be the one that failed: once more
                done = devlock.release(m, self.token)
            except Exception:
                audit.record(
                    self.root,
                    "device-unlock",
                    sites=[site],
                    devices=[m.device.hostname],
                    result="failed",
                    detail=str(exc),
                )
                return
        with self._guard:
            self.report.setdefault(site, {})["released"] = done

    def hand_over(self, sites: Sequence[str]) -> dict[str, devlock.Taken]:
        """The locks of sites another process will release (``processes``): no longer this
        one's to release."""
        with self._guard:
            return {s: self.held.pop(s) for s in sites if s in self.held}

    def take_back(self, held: dict[str, devlock.Taken]) -> None:
        """Locks handed over come back to this one (a forked child's own sites, or those of a
        child that ended without releasing them). In a child, the guard is a new one: the
        parent's threads that might have held it do not exist there."""
        self._guard = threading.Lock()
        self.held.update(held)

    def release_all(self, sessions: Sessions) -> None:
        """Every lock still held (sites stopped before their transaction ran)."""
        for site in list(self.held):
            self.release(site, sessions)
