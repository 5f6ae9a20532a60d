"""Backups: one set per run and site, kept outside git, written so that none is ever lost.

Layout: ``<store>/<site>/<set id>/<device>.txt`` where the set id is the UTC time of the run
(``20261128T093000Z``). Sets are never overwritten; files are written to a temporary name,
flushed to disk, then renamed, so a crash leaves either the whole file or none of it.
Secrets (vault values) are redacted before anything reaches the disk.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rollout.errors import RolloutError
from rollout.secrets import Secrets

DEFAULT_STORE = Path("var/backups")
ENV_STORE = "ROLLOUT_BACKUP_DIR"


class BackupError(RolloutError):
    pass


@dataclass(frozen=True)
class BackupSet:
    site: str
    id: str
    path: Path

    def devices(self) -> list[str]:
        return sorted(p.stem for p in self.path.glob("*.txt"))

    def read(self, device: str) -> str:
        try:
            return (self.path / f"{device}.txt").read_text(encoding="utf-8")
        except OSError as exc:
            raise BackupError(
                f"backup {self.id} of {self.site} has no readable copy of {device} "
                f"({exc.strerror})",
                f"choose another backup: rollout backups {self.site}",
            ) from None


class BackupStore:
    def __init__(self, root: Path) -> None:
        env = os.environ.get(ENV_STORE)
        self.base = Path(env) if env else root / DEFAULT_STORE

    def new_set(self, site: str) -> BackupSet:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        folder = self.base / site
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for n in range(100):
                set_id = stamp if n == 0 else f"{stamp}-{n}"
                try:
                    (folder / set_id).mkdir()
                except FileExistsError:
                    continue
                return BackupSet(site, set_id, folder / set_id)
        except OSError as exc:
            raise BackupError(
                f"cannot create a backup folder under {folder} ({exc.strerror})",
                "free disk space or set ROLLOUT_BACKUP_DIR to a writable folder",
            ) from None
        raise BackupError(f"too many backups of {site} in one second", "try again")

    def write(self, backup: BackupSet, device: str, text: str, secrets: Secrets) -> Path:
        path = backup.path / f"{device}.txt"
        tmp = backup.path / f".{device}.txt.tmp"
        data = secrets.redact(text).encode("utf-8")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            if path.exists():
                raise BackupError(f"backup {path} already exists", "never overwrite a backup")
            tmp.rename(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise BackupError(
                f"cannot write the backup of {device} to {backup.path} ({exc.strerror}); "
                "nothing was pushed",
                "free disk space or set ROLLOUT_BACKUP_DIR to a writable folder, then rerun",
            ) from None
        return path

    def sets(self, site: str) -> list[BackupSet]:
        folder = self.base / site
        if not folder.is_dir():
            return []
        return [
            BackupSet(site, p.name, p)
            for p in sorted(folder.iterdir())
            if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.txt"))
        ]

    def get(self, site: str, set_id: str | None) -> BackupSet:
        sets = self.sets(site)
        if not sets:
            raise BackupError(
                f"there is no backup of {site}", f"take one first: rollout backup {site}"
            )
        if set_id is None:
            return sets[-1]
        for backup in sets:
            if backup.id == set_id:
                return backup
        raise BackupError(
            f"no backup {set_id} of {site}",
            f"use one of: {', '.join(b.id for b in sets[-10:])}",
        )

    def all_sets(self, sites: Iterable[str]) -> list[BackupSet]:
        return [b for s in sites for b in self.sets(s)]
