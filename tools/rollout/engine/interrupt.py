"""An interrupted site rollout: SIGINT/SIGTERM trapped, Ansible's forks found and stopped,
and every device already backed up in the run put back to that backup."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from rollout.backups import BackupSet, BackupStore
from rollout.engine.facts import minute_seconds
from rollout.engine.pool import for_devices
from rollout.engine.steps import rollback_one
from rollout.fleet import Result
from rollout.inventory.loader import Inventory
from rollout.secrets import Secrets
from rollout.targets import Managed, managed_devices

TRAPPED = (signal.SIGINT, signal.SIGTERM)
ROLLBACK_WAIT_MINUTES = 5
"""Revert-timer minutes an interrupted rollback waits for a device that lost management."""


class Trap:
    """SIGINT and SIGTERM noted instead of raised, while the context is open.

    `cancel` is what the Ansible runner polls: True once a signal came, after it remembered
    this process's children (Ansible's forks, which may still talk to devices).
    """

    def __init__(self) -> None:
        self.signals: list[int] = []
        self.children: set[int] = set()
        self._previous: dict[signal.Signals, Any] = {}

    def __enter__(self) -> Trap:
        self._previous = {sig: signal.signal(sig, self._note) for sig in TRAPPED}
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def _note(self, signum: int, _frame: FrameType | None) -> None:
        self.signals.append(signum)

    @property
    def happened(self) -> bool:
        return bool(self.signals)

    def cancel(self) -> bool:
        if not self.signals:
            return False
        self.children |= descendants(os.getpid())
        return True

    def stop_children(self) -> None:
        stop(self.children)


def descendants(pid: int) -> set[int]:
    """Every process below pid (Linux /proc), e.g. Ansible's forks running the module."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found: set[int] = set()
    todo = [pid]
    while todo:
        here = todo.pop()
        for child, parent in parents.items():
            if parent == here and child not in found:
                found.add(child)
                todo.append(child)
    return found


def stop(pids: set[int]) -> None:
    """Ansible was cancelled; its forks may still talk to devices: stop them before rollback."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        alive = set()
        for pid in pids:
            try:
                os.kill(pid, sig)
                alive.add(pid)
            except (ProcessLookupError, PermissionError):
                continue
        if not alive:
            return
        time.sleep(1.0)


def roll_back(
    inv: Inventory,
    secrets: Secrets,
    root: Path,
    chosen: Sequence[str],
    stamp: str,
    *,
    lab: Path | None = None,
    netlab: Path | None = None,
) -> list[Result[str]]:
    """Every device of the sites backed up in set stamp, converged back to that backup."""
    store = BackupStore(root)
    results: list[Result[str]] = []
    for slug in chosen:
        folder = store.base / slug / stamp
        devices = [
            m
            for m in managed_devices(inv, [slug], secrets, lab=lab, netlab=netlab)
            if (folder / f"{m.device.hostname}.txt").exists()
        ]
        if not devices:
            continue
        backup_set = store.get(slug, stamp)

        def back(m: Managed, b: BackupSet = backup_set) -> str:
            wait = minute_seconds(m.target) * ROLLBACK_WAIT_MINUTES
            return rollback_one(b, m, wait_seconds=wait)

        results += for_devices(devices, back)
    return results
