"""Run a playbook through ansible-runner (the engine AWX uses) with live progress."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rollout.errors import RolloutError
from rollout.secrets import Secrets

RUNNER_DIR = Path("var/runner")
SUMMARY_TASK = "Report the failure"


@dataclass
class HostOutcome:
    host: str
    ok: int = 0
    changed: int = 0
    failed: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    steps: dict[str, str] = field(default_factory=dict)
    """What each rollout step did on the host: ok, changed, failed or skipped."""
    notes: list[str] = field(default_factory=list)

    def did(self, step: str) -> str:
        return self.steps.get(step, "")


@dataclass(frozen=True)
class Progress:
    """One task's result on one host, as it happens (for a person or a JSON line)."""

    host: str
    task: str
    status: str
    message: str = ""

    @property
    def text(self) -> str:
        tail = f": {self.message}" if self.message else ""
        return f"{self.status:>7}  {self.host}  {self.task}{tail}"

    def as_dict(self) -> dict[str, str]:
        out = {"event": "task", "host": self.host, "task": self.task, "status": self.status}
        if self.message:
            out["message"] = self.message
        return out


@dataclass
class PlaybookRun:
    rc: int
    status: str
    hosts: dict[str, HostOutcome]
    messages: list[str]
    artifacts: Path
    seconds: float


def run_playbook(
    root: Path,
    playbook: str,
    *,
    limit: str,
    extravars: Mapping[str, Any],
    secrets: Secrets,
    check: bool = False,
    progress: Callable[[Progress], None] | None = None,
    forks: int = 20,
    cancel: Callable[[], bool] | None = None,
) -> PlaybookRun:
    import ansible_runner

    private = root / RUNNER_DIR
    private.mkdir(parents=True, exist_ok=True)
    hosts: dict[str, HostOutcome] = {}
    messages: list[str] = []

    def on_event(event: Mapping[str, Any]) -> bool:
        data = event.get("event_data") or {}
        host = data.get("host")
        kind = event.get("event", "")
        task = data.get("task", "")
        if not (host and kind.startswith("runner_on_")):
            return True
        out = hosts.setdefault(host, HostOutcome(host))
        res = data.get("res") or {}
        step = str(res.get("step", "")) if isinstance(res, dict) else ""
        status, message = "", ""
        if kind == "runner_on_ok":
            if res.get("note"):
                note = secrets.redact(str(res["note"]))
                out.notes.append(note)
                messages.append(f"{host}: {note}")
            out.ok += 1
            out.changed += 1 if res.get("changed") else 0
            if res.get("commands"):
                out.commands = [secrets.redact(str(c)) for c in res["commands"]]
            status = "changed" if res.get("changed") else "ok"
            if isinstance(res.get("steps"), dict):  # a merged task: each step it ran
                out.steps.update({str(k): str(v) for k, v in res["steps"].items()})
            elif step:
                skipped = res.get("skipped") or (step == "rollback" and not res.get("rolled_back"))
                out.steps[step] = "skipped" if skipped else status
        elif kind == "runner_on_failed":
            message = secrets.redact(str(res.get("msg", "failed")))
            if task.startswith(SUMMARY_TASK):
                if message not in messages:
                    messages.append(message)
                return True
            if data.get("ignore_errors"):
                return True
            out.failed.append(f"{task}: {message}")
            if isinstance(res.get("steps"), dict):  # a merged task: the steps done before
                out.steps.update({str(k): str(v) for k, v in res["steps"].items()})
            if step:
                out.steps[step] = "refused" if res.get("refused") else "failed"
            if task.startswith("Roll back"):
                messages.append(f"{host}: the rollback itself FAILED: {message}")
            status = "failed"
        elif kind == "runner_on_unreachable":
            out.failed.append(f"{task}: unreachable")
            status = "unrch"
        if status and progress is not None:
            progress(Progress(host, task, status, message))
        return True

    cmdline = "--check --diff" if check else ""
    env = {
        "ANSIBLE_CONFIG": str(root / "ansible.cfg"),
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_NOCOLOR": "1",
        # the inventory plugin sets a broken site file aside (this run is limited to good sites)
        "ROLLOUT_TOLERANT_INVENTORY": "1",
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }
    start = time.monotonic()
    try:
        result = ansible_runner.run(
            private_data_dir=str(private),
            project_dir=str(root),
            playbook=str(root / playbook),
            inventory=str(root / "inventory/rollout.yml"),
            limit=limit,
            extravars=dict(extravars),
            cmdline=cmdline or None,
            envvars=env,
            forks=forks,
            quiet=True,
            event_handler=on_event,
            rotate_artifacts=20,
            suppress_env_files=True,
            cancel_callback=cancel,
        )
    except Exception as exc:
        raise RolloutError(
            f"ansible-runner could not run {playbook}: {secrets.redact(str(exc))}",
            "check that ansible-core and ansible-runner are installed in this environment",
        ) from None
    artifacts = Path(result.config.artifact_dir)
    redact_tree(artifacts, secrets)
    return PlaybookRun(
        rc=int(result.rc),
        status=str(result.status),
        hosts=hosts,
        messages=messages,
        artifacts=artifacts,
        seconds=time.monotonic() - start,
    )


def redact_tree(folder: Path, secrets: Secrets) -> int:
    """Pass every file Ansible left under folder through the redaction layer (in place).

    The module hides its secrets argument (no_log), but a device may echo a value back in an
    error; artifacts are kept for days, so they are scrubbed. Returns the files rewritten.
    """
    from rollout.secrets import redact_bytes, remember

    remember(secrets)
    rewritten = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            data = path.read_bytes()
            clean = redact_bytes(data)
            if clean != data:
                path.write_bytes(clean)
                rewritten += 1
        except OSError:
            continue
    return rewritten
