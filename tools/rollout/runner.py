"""Run a playbook through ansible-runner (the engine AWX uses) with live progress."""

from __future__ import annotations

import contextlib
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


@dataclass
class HostOutcome:
    host: str
    ok: int = 0
    changed: int = 0
    failed: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    steps: dict[str, str] = field(default_factory=dict)
    """What each rollout step did on the host: ok, changed, failed, refused or skipped."""
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
    locks: dict[str, dict[str, Any]] = field(default_factory=dict)
    """What the site transaction did with each site's lock (rollout.engine.sitelocks)."""


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
    site_progress: Path | None = None,
) -> PlaybookRun:
    """Run the playbook; progress() gets each task's result per host as it comes and, with
    site_progress (the file the site task appends to as each site ends), each device of a
    site that ended."""
    import ansible_runner

    private = root / RUNNER_DIR
    private.mkdir(parents=True, exist_ok=True)
    hosts: dict[str, HostOutcome] = {}
    messages: list[str] = []
    locks: dict[str, dict[str, Any]] = {}
    results: list[Path] = []

    def on_event(event: Mapping[str, Any]) -> bool:
        data = event.get("event_data") or {}
        host = data.get("host")
        kind = event.get("event", "")
        task = data.get("task", "")
        if not (host and kind.startswith("runner_on_")):
            return True
        out = hosts.setdefault(host, HostOutcome(host))
        res = data.get("res") or {}
        if isinstance(res, dict) and "site_failure" in res and kind != "runner_on_unreachable":
            status = device_result(out, res, secrets, messages)
            if progress is not None:
                message = secrets.redact(str(res.get("msg", ""))) if status == "failed" else ""
                progress(Progress(host, task, status, message))
            return True
        status, message = "", ""
        if isinstance(res.get("locks"), dict):  # the site transaction's task
            locks.update({str(k): dict(v) for k, v in res["locks"].items()})
            results.append(Path(str(res.get("results") or "")))
        if kind == "runner_on_ok":
            out.ok += 1
            out.changed += 1 if res.get("changed") else 0
            status = "changed" if res.get("changed") else "ok"
        elif kind == "runner_on_failed":
            if data.get("ignore_errors"):
                return True
            message = secrets.redact(str(res.get("msg", "failed")))
            out.failed.append(f"{task}: {message}")
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
    watcher = _SiteWatch(site_progress, progress) if site_progress and progress else None
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
    finally:
        if watcher is not None:
            watcher.stop()
    artifacts = Path(result.config.artifact_dir)
    redact_tree(artifacts, secrets)
    for folder in results:
        left_results(folder, hosts, secrets, messages)
    return PlaybookRun(
        rc=int(result.rc),
        status=str(result.status),
        hosts=hosts,
        messages=messages,
        artifacts=artifacts,
        seconds=time.monotonic() - start,
        locks=locks,
    )


class _SiteWatch:
    """Reads the site task's progress file while the play runs: each site that ended gives a
    Progress per device (task 'site SLUG'), in the order sites end."""

    EVERY = 0.2

    def __init__(self, path: Path, progress: Callable[[Progress], None]) -> None:
        import threading

        self.path = path
        self.progress = progress
        self.offset = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.EVERY):
            self._read()

    def _read(self) -> None:
        from rollout.engine.outcome import read_progress

        lines, self.offset = read_progress(self.path, self.offset)
        for line in lines:
            devices = line.get("devices")
            if not isinstance(devices, dict):
                continue
            for host, seen in sorted(devices.items()):
                if isinstance(seen, dict):
                    self.progress(
                        Progress(
                            str(host),
                            f"site {line.get('site', '')}",
                            str(seen.get("status", "")),
                            str(seen.get("message", "")),
                        )
                    )

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._read()  # what the last site wrote as the play ended
        with contextlib.suppress(OSError):
            self.path.unlink()


def device_result(
    out: HostOutcome, res: Mapping[str, Any], secrets: Secrets, messages: list[str]
) -> str:
    """One device's result of its site's transaction (the role's rollout_result task, see
    rollout.engine.outcome): its steps, commands, failure and notes into out; the site's
    failure and a failed rollback into messages. The task's status (ok, changed, failed)."""
    host = out.host
    steps = res.get("steps")
    if isinstance(steps, dict):
        out.steps.update({str(k): str(v) for k, v in steps.items()})
    if res.get("commands"):
        out.commands = [secrets.redact(str(c)) for c in res["commands"]]
    if res.get("note"):
        note = secrets.redact(str(res["note"]))
        out.notes.append(note)
        messages.append(f"{host}: {note}")
    if res.get("failure"):
        out.failed.append(secrets.redact(str(res["failure"])))
    site = secrets.redact(str(res.get("site_failure") or ""))
    if site and site not in messages:
        messages.append(site)
    if res.get("rollback_error"):
        why = secrets.redact(str(res["rollback_error"]))
        messages.append(f"{host}: the rollback itself FAILED: {why}")
    if res.get("failed"):
        return "failed"
    out.ok += 1
    out.changed += 1 if res.get("changed") else 0
    return "changed" if res.get("changed") else "ok"


def left_results(
    folder: Path, hosts: dict[str, HostOutcome], secrets: Secrets, messages: list[str]
) -> None:
    """The device results no host's task took (the play ran on one host: the site task ran
    every device), read from the folder the site task wrote them to, then removed."""
    import json

    if not folder.name or not folder.is_dir():
        return
    for path in sorted(folder.glob("*.json")):
        with contextlib.suppress(OSError, ValueError):
            res = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(res, dict):
                device_result(
                    hosts.setdefault(path.stem, HostOutcome(path.stem)), res, secrets, messages
                )
            path.unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()


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
