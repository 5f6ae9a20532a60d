"""The `rollout` CLI run against a lab twin in a repository copy: one helper for every suite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

BIN = Path(sys.executable).parent


def lab_env(lab_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a rollout run against the lab in lab_dir (never the caller's repo)."""
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "ROLLOUT_LAB_DIR": str(lab_dir),
        **extra,
    }
    env.pop("ROLLOUT_REPO", None)
    return env


@dataclass
class LabRun:
    repo: Path
    lab_dir: Path
    env: dict[str, str]

    TIMEOUT: ClassVar[float] = 240

    def run(
        self, *args: str, check: int | None = None, timeout: float | None = None
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(BIN / "rollout"), *args],
            cwd=self.repo,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout or self.TIMEOUT,
            check=False,
        )
        if check is not None:
            assert proc.returncode == check, (
                f"rollout {' '.join(args)} exited {proc.returncode}, wanted {check}\n"
                f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
            )
        assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
        return proc

    def json(self, *args: str, check: int | None = None) -> Any:
        return json.loads(self.run(*args, "--format", "json", check=check).stdout)

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(BIN / "rollout"), *args],
            cwd=self.repo,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def fault(self, device: str, spec: dict[str, Any] | str) -> None:
        text = spec if isinstance(spec, str) else json.dumps(spec)
        self.run("lab", "fault", device, text, check=0)

    @contextmanager
    def faulted(self, device: str, spec: dict[str, Any]) -> Iterator[None]:
        self.fault(device, spec)
        try:
            yield
        finally:
            self.fault(device, "clear")
