"""The converged lab twin the fleet tests share, and how they run `rollout drift` against it."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from labrun import LabRun

SITES = ("bao-thang", "bat-xat", "sa-pa")


class Fleet(LabRun):
    TIMEOUT: ClassVar[float] = 120

    def drift(self, *args: str, check: int | None = None) -> dict[str, Any]:
        proc = self.run("drift", *args, "--lab", "--format", "json", check=check)
        data: dict[str, Any] = json.loads(proc.stdout)
        return data
