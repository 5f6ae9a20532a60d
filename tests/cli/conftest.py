"""Fixtures for the CLI tests: a private copy of the repository and a way to run `rollout`."""

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
    exception: BaseException | None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def rollout(repo: Path) -> Callable[..., Run]:
    """Run `rollout ARGS...` in-process against the copy (ROLLOUT_REPO points at it)."""

    def run(*args: str, root: Path | None = None) -> Run:
        runner = CliRunner()
        env = {"ROLLOUT_REPO": str(root or repo), "COLUMNS": "200", "NO_COLOR": "1"}
        result = runner.invoke(cli, list(args), env=env, prog_name="rollout")
        return Run(result.exit_code, result.stdout, result.stderr, result.exception)

    return run
