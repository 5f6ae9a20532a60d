"""Change history of one device, from its backups (what Oxidized and RANCID are used for).

Every backup of a device is a version: ``<store>/<site>/<set id>/<device>.txt``, the set id
being the UTC time of the run. Versions are compared with each other, never with the
repository: the history says what changed on the device, whoever changed it. Noise lines
(time stamps, certificate blobs, the codec's status keys) are left out of every comparison.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from rollout.backups import BackupStore
from rollout.errors import RolloutError
from rollout.inventory.model import Platform

_ID = re.compile(r"^(\d{8}T\d{6}Z)(?:-(\d+))?$")


@dataclass(frozen=True)
class Version:
    device: str
    site: str
    id: str
    path: Path
    when: dt.datetime | None
    size: int
    changes: int | None = None
    """Lines added plus lines removed against the previous version (None for the first)."""


def set_time(set_id: str) -> dt.datetime | None:
    match = _ID.match(set_id)
    if match is None:
        return None
    return dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


def guess_platform(text: str) -> Platform | None:
    if re.search(r"^(hostname|interface|version) ", text, re.MULTILINE):
        return Platform.CISCO_IOS
    if re.search(r"^(h323name|systemname|systemsetting) ", text, re.MULTILINE):
        return Platform.POLYCOM
    return None


def _lines(path: Path, platform: Platform | None) -> list[str]:
    from rollout.drift import filter_noise

    text = path.read_text(encoding="utf-8", errors="replace")
    return filter_noise(platform or guess_platform(text), text).splitlines()


def versions(store: BackupStore, device: str, platform: Platform | None = None) -> list[Version]:
    """Every backup of the device, oldest first, each with its change count vs the previous."""
    found: list[tuple[str, str, Path]] = []
    if store.base.is_dir():
        for site_dir in sorted(p for p in store.base.iterdir() if p.is_dir()):
            for set_dir in sorted(p for p in site_dir.iterdir() if p.is_dir()):
                path = set_dir / f"{device}.txt"
                if not set_dir.name.startswith(".") and path.is_file():
                    found.append((set_dir.name, site_dir.name, path))
    found.sort()
    out: list[Version] = []
    previous: list[str] | None = None
    for set_id, site, path in found:
        lines = _lines(path, platform)
        changes = None
        if previous is not None:
            changes = sum(
                1
                for d in difflib.unified_diff(previous, lines, lineterm="", n=0)
                if d[:1] in "+-" and not d.startswith(("+++", "---"))
            )
        out.append(
            Version(device, site, set_id, path, set_time(set_id), path.stat().st_size, changes)
        )
        previous = lines
    if not out:
        raise RolloutError(
            f"there is no backup of {device} in {store.base}",
            "take one: rollout backup SITE (every backup is a version)",
        )
    return out


def _pick_since(found: list[Version], since: str) -> Version:
    for v in found:
        if v.id == since:
            return v
    try:
        moment = dt.datetime.fromisoformat(since)
    except ValueError:
        raise RolloutError(
            f"--since {since!r} is neither a version id nor a date",
            f"give a version ({', '.join(v.id for v in found[-5:])}) or a date: 2026-11-01",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    before = [v for v in found if v.when is not None and v.when <= moment]
    return before[-1] if before else found[0]


def diff(
    store: BackupStore,
    device: str,
    *,
    since: str | None = None,
    to: str | None = None,
    platform: Platform | None = None,
) -> tuple[Version, Version, list[str]]:
    """Unified diff between two versions: by default the previous one and the latest.

    ``since`` is a version id or a date (the last version at or before it); ``to`` a version id.
    """
    found = versions(store, device, platform)
    if to is None:
        new = found[-1]
    else:
        match = [v for v in found if v.id == to]
        if not match:
            raise RolloutError(
                f"no version {to} of {device}",
                f"use one of: {', '.join(v.id for v in found[-10:])}",
            )
        new = match[0]
    upto = found[: found.index(new) + 1]
    previous = upto[-2] if len(upto) > 1 else upto[-1]
    old = _pick_since(upto, since) if since is not None else previous
    text = list(
        difflib.unified_diff(
            _lines(old.path, platform),
            _lines(new.path, platform),
            fromfile=f"{device}@{old.id}",
            tofile=f"{device}@{new.id}",
            lineterm="",
        )
    )
    return old, new, text
