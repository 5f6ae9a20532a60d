"""What the site transaction did to one device: each step's status, its failure, its commands;
and the result the role reports for the device (one Ansible task result per host)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rollout.secrets import Secrets

STEP_TASKS: dict[str, str] = {
    "lock": "Take the site's lock on its WAN router",
    "precheck": "Check every device against the saved plan",
    "backup": "Back up the running configuration",
    "push": "Push the intended configuration with a revert timer",
    "verify": "Verify the device (management reachable, no drift left, codec registered)",
    "confirm": "Confirm the change (cancels the revert timer), then save it (startup-config)",
    "save": "Confirm the change (cancels the revert timer), then save it (startup-config)",
    "rollback": "Roll back every device of a site where any device failed",
    "": "Roll out the site",
}
"""What each step is called where a failure names it ('failed at <step>: why'): the names the
role's tasks had when each step was a task of its own, so reports read as before."""


@dataclass
class DeviceOutcome:
    host: str
    site: str
    steps: dict[str, str] = field(default_factory=dict)
    """What each step did: ok, changed, failed, refused or skipped."""
    failed_step: str = ""
    message: str = ""
    commands: list[str] = field(default_factory=list)
    note: str = ""
    rollback_error: str = ""
    """Why the rollback itself failed (the device is neither old nor new: said apart)."""

    @property
    def failed(self) -> bool:
        return bool(self.message)

    def fail(self, step: str, exc: BaseException, secrets: Secrets) -> None:
        """Record the device's first failure (never a traceback, never a secret)."""
        from rollout.errors import RolloutError
        from rollout.secrets import redact

        text = str(exc) if isinstance(exc, RolloutError) else f"{type(exc).__name__}: {exc}"
        refused = getattr(exc, "step", "") == "plan-check"
        text = redact(secrets.redact(text)) or "failed"
        if step:
            self.steps[step] = "refused" if refused else "failed"
        if step == "rollback":
            self.rollback_error = text
        if not self.failed:
            self.failed_step = step
            self.message = text

    @property
    def failure(self) -> str:
        """'<task>: why', as a failed task reads (empty when the device did not fail)."""
        if not self.failed:
            return ""
        return f"{STEP_TASKS.get(self.failed_step, self.failed_step)}: {self.message}"

    def report(self, site_message: str, *, diff: bool = False) -> dict[str, object]:
        """The device's task result (the role's per-host task returns it as its own)."""
        changed = self.steps.get("push") == "changed" or self.steps.get("rollback") == "changed"
        out: dict[str, object] = {
            "host": self.host,
            "site": self.site,
            "changed": changed,
            "steps": dict(self.steps),
            "commands": list(self.commands),
            "failure": self.failure,
            "site_failure": site_message,
            "failed": self.failed or bool(site_message),
            "msg": self.failure or site_message,
        }
        if self.note:
            out["note"] = self.note
        if self.rollback_error:
            out["rollback_error"] = self.rollback_error
        if diff and self.steps.get("push") == "changed":
            out["diff"] = {
                "before_header": f"{self.host} (running)",
                "after_header": f"{self.host} (commands)",
                "before": "",
                "after": "\n".join(self.commands) + "\n",
            }
        return out


_PROGRESS_LOCK = threading.Lock()


def site_progress(path: Path, outcomes: Sequence[DeviceOutcome]) -> None:
    """Append one JSON line for a site that ended: its devices' status (changed, ok, failed)
    and failure ('' when none); never a secret (outcomes hold redacted texts only). Sites end
    in threads: one line at a time, written whole."""
    import json

    line = {
        "site": outcomes[0].site if outcomes else "",
        "devices": {
            o.host: {
                "status": "failed"
                if o.failed
                else ("changed" if o.steps.get("push") == "changed" else "ok"),
                "message": o.failure,
            }
            for o in outcomes
        },
    }
    with _PROGRESS_LOCK, path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


def read_progress(path: Path, offset: int) -> tuple[list[dict[str, Any]], int]:
    """The whole lines written to path since offset, and the offset after them."""
    import json

    try:
        with path.open("rb") as f:
            f.seek(offset)
            data = f.read()
    except OSError:
        return [], offset
    end = data.rfind(b"\n") + 1
    lines: list[dict[str, Any]] = []
    for raw in data[:end].splitlines():
        try:
            item = json.loads(raw)
        except ValueError:
            continue
        if isinstance(item, dict):
            lines.append(item)
    return lines, offset + end


def site_failures(outcomes: Iterable[DeviceOutcome]) -> dict[str, str]:
    """Per failed site, its message: 'site S failed: H failed at 'task': why; ...'."""
    found: dict[str, list[str]] = {}
    for o in outcomes:
        if o.failed:
            task = STEP_TASKS.get(o.failed_step, o.failed_step)
            found.setdefault(o.site, []).append(f"{o.host} failed at '{task}': {o.message}")
    return {site: f"site {site} failed: {'; '.join(why)}" for site, why in found.items()}
