"""Security tests share the fault suite's lab helper."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from rollout.cli.main import cli


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def rollout(repo: Path) -> Callable[..., Run]:
    """Run `rollout ARGS...` in-process against a copy of the repository."""

    def run(*args: str) -> Run:
        env = {"ROLLOUT_REPO": str(repo), "COLUMNS": "200", "NO_COLOR": "1"}
        result = CliRunner().invoke(cli, list(args), env=env, prog_name="rollout")
        return Run(result.exit_code, result.stdout, result.stderr)

    return run
