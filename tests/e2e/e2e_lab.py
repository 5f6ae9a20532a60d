"""Helpers of the end-to-end tests: a repository copy and the rollout CLI run against a lab."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent


@dataclass
class Lab:
    repo: Path
    lab_dir: Path
    env: dict[str, str]

    def run(
        self, *args: str, check: int | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(BIN / "rollout"), *args],
            cwd=self.repo,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check is not None:
            assert proc.returncode == check, (
                f"rollout {' '.join(args)} exited {proc.returncode}, wanted {check}\n"
                f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
            )
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc

    def json(self, *args: str, check: int | None = None) -> object:
        return json.loads(self.run(*args, "--format", "json", check=check).stdout)
