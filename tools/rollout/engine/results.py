"""What a site run did to each device, in one word, derived from the steps that ran.

The words (`Word`) are the same in the table, the recap line and the audit log:

- `unchanged`: the run succeeded and nothing was sent to the device;
- `changed`: the run succeeded and the device got its commands (confirmed, saved);
- `rolled back`: commands were sent (or a push failed half-way) and the device was put back to
  the backup taken at the start;
- `not touched`: nothing was sent (the site failed before its push, or the push had nothing to
  send); the device is as it was;
- `failed`: the device is not known to be as it was or as intended (its rollback, confirm or
  save failed, or it was pushed and not rolled back);
- `would change` (dry run only): the push would send commands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from rollout.runner import HostOutcome

DETAIL_WIDTH = 200


class Word(StrEnum):
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    ROLLED_BACK = "rolled back"
    NOT_TOUCHED = "not touched"
    FAILED = "failed"
    WOULD_CHANGE = "would change"


# Order of the recap: the worst first.
RECAP_ORDER = (
    Word.FAILED,
    Word.ROLLED_BACK,
    Word.NOT_TOUCHED,
    Word.CHANGED,
    Word.WOULD_CHANGE,
    Word.UNCHANGED,
)


@dataclass(frozen=True)
class DeviceResult:
    device: str
    site: str
    word: Word
    detail: str = ""
    commands: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "device": self.device,
            "site": self.site,
            "result": self.word.value,
            "detail": self.detail,
            "commands": list(self.commands),
        }


def shorten(text: str, width: int = DETAIL_WIDTH) -> str:
    """text on one line, cut at a word boundary (never mid-word) with '…' when too long."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    if space > width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + " …"


def _failure(h: HostOutcome) -> str:
    """The first failed step of a host, as 'failed at <task>: message'."""
    return f"failed at {h.failed[0]}" if h.failed else ""


def _sent(h: HostOutcome) -> bool:
    """Commands reached the device (or may have: a push that failed half-way)."""
    return h.did("push") in ("changed", "failed")


def device_result(
    h: HostOutcome, site: str, site_failed: bool, *, dry_run: bool, backup_set: str
) -> DeviceResult:
    commands = tuple(h.commands)
    if dry_run:
        if h.failed:
            return DeviceResult(h.host, site, Word.FAILED, shorten(_failure(h)))
        if h.did("push") == "changed":
            return DeviceResult(h.host, site, Word.WOULD_CHANGE, f"{len(commands)} lines", commands)
        return DeviceResult(h.host, site, Word.UNCHANGED)
    failure = _failure(h)
    if h.did("rollback") == "failed":
        return DeviceResult(h.host, site, Word.FAILED, shorten(failure), commands)
    for step in ("confirm", "save"):
        if h.did(step) == "failed":
            return DeviceResult(h.host, site, Word.FAILED, shorten(failure), commands)
    if site_failed or h.failed:
        if h.did("rollback") == "changed" and _sent(h):
            why = f"{failure}; " if failure else ""
            detail = f"{why}put back to backup {backup_set}"
            return DeviceResult(h.host, site, Word.ROLLED_BACK, shorten(detail), commands)
        if _sent(h):
            detail = f"{failure or 'pushed'}; not rolled back"
            return DeviceResult(h.host, site, Word.FAILED, shorten(detail), commands)
        detail = failure or "the site failed before anything was sent to this device"
        return DeviceResult(h.host, site, Word.NOT_TOUCHED, shorten(detail))
    if not h.steps:
        return DeviceResult(h.host, site, Word.NOT_TOUCHED, shorten(" ".join(h.notes)))
    if h.did("push") == "changed":
        return DeviceResult(h.host, site, Word.CHANGED, f"{len(commands)} lines", commands)
    return DeviceResult(h.host, site, Word.UNCHANGED)


def derive(
    hosts: Mapping[str, HostOutcome],
    site_of: Mapping[str, str],
    *,
    dry_run: bool,
    backup_set: str,
) -> list[DeviceResult]:
    """Every host's word; a site failed when any of its hosts failed a step."""
    failed_sites = {site_of.get(h.host, "") for h in hosts.values() if h.failed}
    return [
        device_result(
            h,
            site_of.get(h.host, ""),
            site_of.get(h.host, "") in failed_sites,
            dry_run=dry_run,
            backup_set=backup_set,
        )
        for h in sorted(hosts.values(), key=lambda h: h.host)
    ]


def counts(results: Iterable[DeviceResult]) -> str:
    """'rolled back 1, not touched 2' (the worst first)."""
    seen = [r.word for r in results]
    return ", ".join(f"{w.value} {seen.count(w)}" for w in RECAP_ORDER if w in seen) or "no device"


def recap(
    sites: Sequence[str], results: Sequence[DeviceResult], seconds: float, failed: bool
) -> list[str]:
    """One line per site, like Ansible's PLAY RECAP: 'bao-thang: changed 2, unchanged 1'."""
    lines = []
    for site in sites:
        mine = [r for r in results if r.site == site]
        bad = any(r.word in (Word.FAILED, Word.ROLLED_BACK, Word.NOT_TOUCHED) for r in mine)
        state = "FAILED" if failed and (bad or not mine) else "ok"
        lines.append(f"{site}: {state}: {counts(mine)} ({seconds:.1f} s)")
    return lines


def audit_result(results: Sequence[DeviceResult], failed: bool) -> str:
    return f"{'failed' if failed else 'ok'}: {counts(results)}"


def prune_empty(base: Path, sites: Iterable[str], backup_set: str) -> list[Path]:
    """Remove the run's empty backup folders (nothing was backed up there); the kept ones."""
    kept = []
    for site in sites:
        folder = base / site / backup_set
        try:
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
            elif folder.is_dir():
                kept.append(folder)
        except OSError:
            continue
    return kept
