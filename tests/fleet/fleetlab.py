"""The converged lab twin the fleet tests share, and how they run `rollout` against it."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
SITES = ("bao-thang", "bat-xat", "sa-pa")


@dataclass
class Fleet:
    repo: Path
    lab_dir: Path
    env: dict[str, str]

    def run(self, *args: str, check: int | None = None) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(BIN / "rollout"), *args],
            cwd=self.repo,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if check is not None:
            assert proc.returncode == check, (
                f"rollout {' '.join(args)} exited {proc.returncode}, wanted {check}\n"
                f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
            )
        assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
        return proc

    def drift(self, *args: str, check: int | None = None) -> dict[str, Any]:
        proc = self.run("drift", *args, "--lab", "--format", "json", check=check)
        data: dict[str, Any] = json.loads(proc.stdout)
        return data

    def fault(self, device: str, spec: dict[str, Any] | str) -> None:
        text = spec if isinstance(spec, str) else json.dumps(spec)
        self.run("lab", "fault", device, text, check=0)
