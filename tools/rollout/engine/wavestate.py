"""The wave state file: the plan of waves of a `rollout site` wave run, each site's state and
the options, so that `--resume` continues where a stopped or interrupted run left off.

JSON (`format: rollout-waves`, `version: 1`), written atomically after every site (a temporary
file in the same folder, fsync-ed, renamed, the folder fsync-ed): a reader, a `kill -9` or a
power cut sees the previous complete file or the new one, never half of one. It holds no secret.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

FORMAT = "rollout-waves"
VERSION = 1
FOLDER = Path("var/waves")


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class SiteState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    ROLLED_BACK = "rolled back"
    NOT_TOUCHED = "not touched"


class WaveFileError(Exception):
    """A wave state file that cannot be read or does not match (turned into RolloutError)."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


@dataclass(frozen=True)
class Options:
    """What decides the plan of waves and when a wave stops; a resume must give the same."""

    canary: str | None
    batch: int
    max_fail: int
    """Percent of a batch's sites that may fail without stopping the waves."""
    revert_minutes: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "canary": self.canary,
            "batch": self.batch,
            "max_fail": self.max_fail,
            "revert_minutes": self.revert_minutes,
        }


@dataclass(frozen=True)
class Wave:
    name: str
    sites: tuple[str, ...]


@dataclass
class SiteEntry:
    state: SiteState = SiteState.PENDING
    wave: int = 0
    detail: str = ""
    backup_set: str = ""
    at: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "state": self.state.value,
            "wave": self.wave,
            "detail": self.detail,
            "backup_set": self.backup_set,
            "at": self.at,
        }


@dataclass
class WaveState:
    name: str
    all_sites: bool
    selection: tuple[str, ...]
    options: Options
    waves: list[Wave]
    sites: dict[str, SiteEntry]
    command: str = ""
    created: str = field(default_factory=now)
    updated: str = ""
    stopped: str = ""
    """Why the last run stopped ('' while running or when every site is done)."""

    @property
    def finished(self) -> bool:
        return all(e.state is SiteState.DONE for e in self.sites.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "name": self.name,
            "command": self.command,
            "created": self.created,
            "updated": self.updated,
            "selection": {"all": self.all_sites, "sites": list(self.selection)},
            "options": self.options.as_dict(),
            "waves": [{"name": w.name, "sites": list(w.sites)} for w in self.waves],
            "sites": {s: e.as_dict() for s, e in self.sites.items()},
            "stopped": self.stopped,
            "finished": self.finished,
        }


def name_for(selection: list[str], all_sites: bool) -> str:
    """The state file's name from the selection: 'all', or the first site and a hash of all."""
    if all_sites:
        return "all"
    digest = hashlib.sha256(",".join(sorted(selection)).encode()).hexdigest()[:8]
    return f"{selection[0]}-{len(selection)}-sites-{digest}"


def default_path(root: Path, selection: list[str], all_sites: bool) -> Path:
    return root / FOLDER / f"{name_for(selection, all_sites)}.json"


def save(state: WaveState, path: Path) -> None:
    """Write atomically: a temporary file in the same folder, fsync-ed, renamed over."""
    state.updated = now()
    data = json.dumps(state.as_dict(), ensure_ascii=False, indent=2) + "\n"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(path)
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WaveFileError(
            f"cannot write the wave state {path} ({exc.strerror})",
            "free space or fix the folder's permissions, then run again with --resume",
        ) from None


def load(path: Path) -> WaveState:
    """Read and check a state file; a WaveFileError names the file, the field and the fix."""
    fix = (
        f"restore {path} from a copy, or delete it to plan the waves again "
        "(sites already rolled out are then rolled out again: a second run changes nothing)"
    )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WaveFileError(
            f"no wave state file {path}: nothing to resume",
            "start the waves without --resume (or give the --waves-file of the stopped run)",
        ) from None
    except OSError as exc:
        raise WaveFileError(f"cannot read the wave state {path} ({exc.strerror})", fix) from None
    except ValueError as exc:
        raise WaveFileError(f"{path} is not a wave state file (not JSON: {exc})", fix) from None
    try:
        return _parse(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise WaveFileError(f"{path} is not a valid wave state file ({_why(exc)})", fix) from None


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"field {exc} is missing"
    return str(exc) or type(exc).__name__


KIND_WORDS = {
    int: "a whole number",
    str: "text",
    list: "a list",
    dict: "a mapping",
    bool: "true/false",
}


def _typed(value: Any, kind: type, name: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"field '{name}' is not {KIND_WORDS.get(kind, kind.__name__)}")
    return value


def _parse(data: Any) -> WaveState:
    _typed(data, dict, "(top)")
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise ValueError(f"format/version is not {FORMAT}/{VERSION}")
    sel = _typed(data["selection"], dict, "selection")
    opts = _typed(data["options"], dict, "options")
    canary = opts["canary"]
    if canary is not None:
        _typed(canary, str, "options.canary")
    revert = opts.get("revert_minutes")
    if revert is not None:
        _typed(revert, int, "options.revert_minutes")
    options = Options(
        canary,
        _typed(opts["batch"], int, "options.batch"),
        _typed(opts["max_fail"], int, "options.max_fail"),
        revert,
    )
    waves = [
        Wave(
            _typed(w["name"], str, "waves[].name"),
            tuple(_typed(s, str, "waves[].sites[]") for s in _typed(w["sites"], list, "sites")),
        )
        for w in _typed(data["waves"], list, "waves")
    ]
    sites: dict[str, SiteEntry] = {}
    for slug, raw in _typed(data["sites"], dict, "sites").items():
        entry = _typed(raw, dict, f"sites.{slug}")
        sites[slug] = SiteEntry(
            SiteState(entry["state"]),
            _typed(entry["wave"], int, f"sites.{slug}.wave"),
            str(entry.get("detail", "")),
            str(entry.get("backup_set", "")),
            str(entry.get("at", "")),
        )
    planned = [s for w in waves for s in w.sites]
    if sorted(planned) != sorted(sites):
        raise ValueError("the sites of 'waves' and of 'sites' differ")
    return WaveState(
        name=_typed(data["name"], str, "name"),
        all_sites=_typed(sel["all"], bool, "selection.all"),
        selection=tuple(_typed(s, str, "selection.sites[]") for s in sel["sites"]),
        options=options,
        waves=waves,
        sites=sites,
        command=str(data.get("command", "")),
        created=str(data.get("created", "")),
        updated=str(data.get("updated", "")),
        stopped=str(data.get("stopped", "")),
    )
