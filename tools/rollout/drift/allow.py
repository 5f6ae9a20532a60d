"""The drift allow-list: approved local exceptions, each with a reason and an expiry date.

Lines an entry covers stay in the report (state `allowed`) but do not fail the run; an
expired entry fails validation, so that nothing stays approved by being forgotten.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

from rollout.drift.report import Line, State
from rollout.drivers.base import Plan
from rollout.errors import RolloutError

ALLOW_FILE = Path("inventory/drift-allow.yml")


@dataclass(frozen=True)
class Allowance:
    device: str
    """Device hostname, or a glob (`*-sw01`)."""
    lines: tuple[re.Pattern[str], ...]
    reason: str
    expires: dt.date

    def covers(self, device: str, line: str) -> bool:
        return fnmatch.fnmatchcase(device, self.device) and any(
            p.search(line) or p.search(line.strip()) for p in self.lines
        )


@dataclass(frozen=True)
class AllowList:
    entries: tuple[Allowance, ...] = ()
    path: Path | None = None

    def reason(self, device: str, line: str) -> str | None:
        for entry in self.entries:
            if entry.covers(device, line):
                return f"{entry.reason} (until {entry.expires.isoformat()})"
        return None


def load_allow_list(path: Path, *, today: dt.date | None = None) -> AllowList:
    """Read and validate the allow-list; a missing file is an empty list.

    Every entry needs device, lines (regular expressions), reason and expires (a date).
    Expired entries and bad regular expressions fail with the file, entry and fix.
    """
    import yaml

    today = today or dt.date.today()
    if not path.exists():
        return AllowList((), path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RolloutError(f"{path}: cannot read the drift allow-list ({exc})") from None
    raw = data.get("allow") if isinstance(data, dict) else None
    if raw is None:
        raw = []
    if not isinstance(raw, list) or (isinstance(data, dict) and set(data) - {"allow"}):
        raise RolloutError(
            f"{path}: expected a mapping with one key, allow: a list of entries",
            "allow: [{device: SITE-sw01, lines: ['^regex$'], reason: why, expires: 2027-01-31}]",
        )
    problems: list[str] = []
    entries: list[Allowance] = []
    for n, item in enumerate(raw, 1):
        where = f"{path}: entry {n}"
        if not isinstance(item, dict):
            problems.append(f"{where}: not a mapping")
            continue
        unknown = set(item) - {"device", "lines", "reason", "expires"}
        missing = {"device", "lines", "reason", "expires"} - set(item)
        if unknown or missing:
            problems.append(
                f"{where}: "
                + "; ".join(
                    [f"unknown key {k!r}" for k in sorted(unknown)]
                    + [f"missing {k!r}" for k in sorted(missing)]
                )
            )
            continue
        expires = item["expires"]
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError:
                expires = None
        if not isinstance(expires, dt.date):
            problems.append(f"{where}: expires must be a date (YYYY-MM-DD)")
            continue
        lines = item["lines"] if isinstance(item["lines"], list) else [item["lines"]]
        compiled = []
        for text in lines:
            try:
                compiled.append(re.compile(str(text)))
            except re.error as exc:
                problems.append(f"{where}: lines: {text!r} is not a regular expression ({exc})")
        reason = str(item["reason"] or "").strip()
        if not reason:
            problems.append(f"{where}: reason must say why the deviation is approved")
        if expires < today:
            problems.append(
                f"{where} ({item['device']}: {reason or 'no reason'}) expired on "
                f"{expires.isoformat()}; renew it with a new date, or repair the device "
                "and remove the entry"
            )
        entries.append(Allowance(str(item["device"]), tuple(compiled), reason, expires))
    if problems:
        raise RolloutError(
            "the drift allow-list is not valid:\n  " + "\n  ".join(problems),
            f"edit {path}",
        )
    return AllowList(tuple(entries), path)


def apply_allow(device: str, plan: Plan, allow: AllowList) -> tuple[State, tuple[Line, ...]]:
    """Lines with their allowance; a section header is allowed when all its children are."""
    commands = list(plan.commands)
    reasons: list[str | None] = [allow.reason(device, c) for c in commands]
    for i, command in enumerate(commands):
        if command.startswith(" ") or reasons[i] is not None:
            continue
        children = []
        for j in range(i + 1, len(commands)):
            if not commands[j].startswith(" "):
                break
            children.append(j)
        if children and all(reasons[j] is not None for j in children):
            reasons[i] = reasons[children[0]]
    lines = tuple(Line(c, r) for c, r in zip(commands, reasons, strict=True))
    if not lines:
        return State.CLEAN, lines
    if all(x.allowed is not None for x in lines):
        return State.ALLOWED, lines
    return State.DRIFT, lines
