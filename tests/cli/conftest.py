"""Fixtures for the CLI tests: a private copy of the repository and a way to run `rollout`."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from rollout.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
COPIED = ("inventory", "templates", "ansible.cfg", "plugins", "playbooks", "roles")


def copy_repo(target: Path) -> Path:
    """Copy what rollout and Ansible read (inventory, templates, plugins...) into target."""
    target.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, target / name)
    return target


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("ROLLOUT_REPO", "ROLLOUT_VAULT_PASSWORD_FILE", "ANSIBLE_VAULT_PASSWORD_FILE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A writable copy of the repository; the real one is never touched."""
    return copy_repo(tmp_path / "repo")


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
