"""Saved plans: the exact per-device commands of a rollout, reviewed now and applied later.

`rollout plan SITE --out FILE` writes one; `rollout site --plan FILE` applies exactly its
commands and refuses a device whose running configuration changed since (the way
`terraform plan -out` / `terraform apply PLANFILE` works). The file is JSON, versioned
(`format`, `version`), written atomically with mode 0600, and holds no secret: a vault value
inside a command is stored as a reference to its vault variable (`{{ vault_name }}`, or
`{{ vault_name | line N }}` for line N of a multi-line value) and filled in again from the vault
when the plan is applied.

Each device carries two hashes, both sha256 of text whose vault values are references:
`running` of the running configuration in the form its driver compares (HASH_FORMS), and
`intended` of the configuration rendered from the repository.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rollout.drivers.base import Plan
from rollout.errors import RolloutError
from rollout.secrets import Secrets

FORMAT = "rollout-plan"
VERSION = 1
_REF = re.compile(r"\{\{ (vault_[A-Za-z0-9_]+)(?: \| line (\d+))? \}\}")


def _ios_form(text: str) -> str:
    from rollout.drivers.ios_rules import clean

    return clean(text)


def _as_read(text: str) -> str:
    return text


# The form of the running configuration each platform's planner compares, hashed by the plan.
# (platform, description, function)
HASH_FORMS: dict[str, tuple[str, Callable[[str], str]]] = {
    "cisco_ios": (
        "ios-clean: `show running-config` without its noise lines (banner, size, time stamps, "
        "version, comments, ntp clock-period), identity lines and certificate blobs, as the "
        "IOS planner parses it (drivers/ios_rules.clean)",
        _ios_form,
    ),
    "polycom": (
        "settings: the managed settings as the driver reads them (one `KEY set VALUE` line "
        "each, normalized by drivers/polycom_api)",
        _as_read,
    ),
    "linux_router": (
        "bundle: rollout's files on the router and the live checks, as the driver joins them "
        "(drivers/linux_files.join_bundle)",
        _as_read,
    ),
}


class PlanFileError(RolloutError):
    pass


def references(text: str, secrets: Secrets) -> str:
    """text with every vault value (longest first) replaced by a reference to its name."""
    needles: list[tuple[str, str]] = []
    for name in sorted(secrets):
        value = secrets[name]
        needles.append((value, f"{{{{ {name} }}}}"))
        if "\n" in value.strip():
            for i, line in enumerate(value.splitlines()):
                if line.strip() and not line.startswith("-----"):
                    needles.append((line.strip(), f"{{{{ {name} | line {i} }}}}"))
    for value, ref in sorted(needles, key=lambda n: len(n[0]), reverse=True):
        if len(value) >= 4:
            text = text.replace(value, ref)
    return text


def refill(text: str, secrets: Secrets, where: str = "the plan") -> str:
    """The references of text replaced by the vault's values again."""

    def value(m: re.Match[str]) -> str:
        name, line = m.group(1), m.group(2)
        if name not in set(secrets):
            raise PlanFileError(
                f"{where}: refers to {name}, which the vault does not hold",
                f"add {name} to the vault, or make a new plan with `rollout plan --out`",
            )
        raw = secrets[name]
        return raw if line is None else raw.splitlines()[int(line)].strip()

    return _REF.sub(value, text)


def digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def running_hash(platform: str, running: str, secrets: Secrets) -> str:
    form = HASH_FORMS.get(platform, ("as read", _as_read))[1]
    return digest(references(form(running), secrets))


def intended_hash(intended: str, secrets: Secrets) -> str:
    return digest(references(intended, secrets))


def summary(platform: str, added: int, removed: int, commands: int) -> str:
    """'+226 -3' for a device configured by lines, '19 settings' for the codec, '' when none."""
    if not commands:
        return "no change"
    if platform == "polycom":
        return f"{commands} setting{'s' if commands != 1 else ''}"
    return f"+{added}" + (f" -{removed}" if removed else "")


def counted(plan: Plan) -> tuple[int, int]:
    """(lines added, lines removed): the driver's own counts (a file diff), or, for a plan of
    configuration lines, the lines that negate ('no ...') against the others."""
    if plan.added or plan.removed:
        return len(plan.added), len(plan.removed)
    removed = sum(1 for c in plan.commands if c.strip().startswith("no "))
    return len(plan.commands) - removed, removed


@dataclass(frozen=True)
class SavedDevice:
    hostname: str
    site: str
    platform: str
    running: str
    intended: str
    commands: tuple[str, ...]
    """Commands with vault values as references (refill() before sending)."""
    added: int = 0
    removed: int = 0

    @property
    def summary(self) -> str:
        return summary(self.platform, self.added, self.removed, len(self.commands))

    def as_dict(self) -> dict[str, Any]:
        return {
            "hostname": self.hostname,
            "site": self.site,
            "platform": self.platform,
            "running_hash": self.running,
            "running_form": HASH_FORMS.get(self.platform, ("as read",))[0].split(":")[0],
            "intended_hash": self.intended,
            "added": self.added,
            "removed": self.removed,
            "commands": list(self.commands),
        }


@dataclass(frozen=True)
class SavedPlan:
    sites: tuple[str, ...]
    devices: tuple[SavedDevice, ...]
    created: str = ""
    by: str = ""
    where: str = ""
    path: Path | None = None

    def device(self, hostname: str) -> SavedDevice | None:
        return next((d for d in self.devices if d.hostname == hostname), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "created": self.created,
            "by": self.by,
            "where": self.where,
            "sites": list(self.sites),
            "devices": [d.as_dict() for d in self.devices],
        }


def site_summaries(plan: SavedPlan) -> list[str]:
    """One line per site: 'bao-thang: rtr01 +226 -3, sw01 +89, codec01 19 settings'."""
    lines = []
    for site in plan.sites:
        parts = [f"{_short(d.hostname, site)} {d.summary}" for d in plan.devices if d.site == site]
        lines.append(f"{site}: {', '.join(parts) if parts else 'no device'}")
    return lines


def _short(hostname: str, site: str) -> str:
    return hostname[len(site) + 1 :] if hostname.startswith(site + "-") else hostname


def save(plan: SavedPlan, path: Path) -> Path:
    """Write atomically (a temporary file in the same folder, renamed), mode 0600."""
    data = json.dumps(plan.as_dict(), ensure_ascii=False, indent=2) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        tmp.chmod(0o600)
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise PlanFileError(
            f"cannot write the plan {path} ({exc.strerror})", "choose a writable --out path"
        ) from None
    return path


def _field(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        raise PlanFileError(
            f"{where}: field '{key}' is missing or not a {kind.__name__}",
            "use a plan written by `rollout plan SITE --out FILE`, unedited",
        )
    return value


def load(path: Path) -> SavedPlan:
    """Read and check a plan file; a PlanFileError names the file, the field and the fix."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanFileError(
            f"cannot read the plan {path} ({exc.strerror})",
            "pass the file `rollout plan SITE --out FILE` wrote",
        ) from None
    except ValueError as exc:
        raise PlanFileError(
            f"{path}: not JSON ({exc})", "make a new plan with `rollout plan SITE --out FILE`"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PlanFileError(
            f"{path}: field 'format' is not {FORMAT!r}: not a rollout plan",
            "pass the file `rollout plan SITE --out FILE` wrote",
        )
    if data.get("version") != VERSION:
        raise PlanFileError(
            f"{path}: field 'version' is {data.get('version')!r}; this rollout reads {VERSION}",
            "make a new plan with this version of rollout: `rollout plan SITE --out FILE`",
        )
    devices = []
    for i, raw in enumerate(_field(data, "devices", list, str(path))):
        where = f"{path}: devices[{i}]"
        if not isinstance(raw, dict):
            raise PlanFileError(f"{where} is not a mapping", "make a new plan")
        commands = _field(raw, "commands", list, where)
        if not all(isinstance(c, str) for c in commands):
            raise PlanFileError(f"{where}: 'commands' must be strings", "make a new plan")
        devices.append(
            SavedDevice(
                hostname=_field(raw, "hostname", str, where),
                site=_field(raw, "site", str, where),
                platform=_field(raw, "platform", str, where),
                running=_field(raw, "running_hash", str, where),
                intended=_field(raw, "intended_hash", str, where),
                commands=tuple(commands),
                added=int(raw.get("added", 0)),
                removed=int(raw.get("removed", 0)),
            )
        )
    sites = _field(data, "sites", list, str(path))
    return SavedPlan(
        sites=tuple(str(s) for s in sites),
        devices=tuple(devices),
        created=str(data.get("created", "")),
        by=str(data.get("by", "")),
        where=str(data.get("where", "")),
        path=path,
    )


def saved_commands(commands: Iterable[str], secrets: Secrets, device: str) -> tuple[str, ...]:
    """Commands as stored: references for vault values; refused when they do not round-trip."""
    out = tuple(references(c, secrets) for c in commands)
    for sent, stored in zip(commands, out, strict=False):
        if refill(stored, secrets) != sent:
            raise PlanFileError(
                f"{device}: a command cannot be stored without its secret",
                "a vault value overlaps another one; rename or change it in the vault",
            )
    return out


def check_same(saved: SavedDevice, running: str, intended: str, secrets: Secrets) -> list[str]:
    """Why this device may not get its saved commands ([] when it may)."""
    why = []
    now = running_hash(saved.platform, running, secrets)
    if now != saved.running:
        why.append(
            f"its running configuration changed since the plan was made "
            f"(now {now[:19]}, plan {saved.running[:19]})"
        )
    if intended_hash(intended, secrets) != saved.intended:
        why.append("the repository's configuration for it changed since the plan was made")
    return why


def sites_of(plan: SavedPlan, chosen: Sequence[str], path: Path) -> None:
    """The plan must be for exactly the sites the run is for."""
    if sorted(plan.sites) != sorted(chosen):
        raise PlanFileError(
            f"{path} is a plan for {', '.join(plan.sites)}, not for {', '.join(chosen)}",
            f"run `rollout site {' '.join(plan.sites)} --plan {path}`, or make a new plan",
        )
