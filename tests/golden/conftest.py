"""Fixtures for the golden tests: rendering with the installed `rollout` and a repository copy."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from repocopy import REPO, copy_repo

GOLDEN = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def tool_env() -> dict[str, str]:
    """The environment for the tools: the venv first on PATH, no outside repository or vault."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"ROLLOUT_REPO", "ROLLOUT_VAULT_PASSWORD_FILE", "ANSIBLE_VAULT_PASSWORD_FILE"}
        and not k.startswith("ANSIBLE_")
    }
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["ANSIBLE_NOCOLOR"] = "1"
    return env


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        args, cwd=cwd, env=tool_env(), capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder, by relative path, with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def render_with_cli(root: Path, out: Path, *sites: str) -> dict[str, bytes]:
    """`rollout render SITES... --out OUT` (redacted), run in root; the files it wrote."""
    run([str(BIN / "rollout"), "render", *(sites or ("--all",)), "--out", str(out)], cwd=root)
    return tree(out)


@pytest.fixture(scope="session")
def render() -> Callable[..., dict[str, bytes]]:
    return render_with_cli


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The pilot and the hub rendered (redacted) from the repository's own files."""
    return render_with_cli(REPO, tmp_path_factory.mktemp("render"), "bao-thang", "ubnd-tinh")


@pytest.fixture(scope="session")
def run_tool() -> Callable[[list[str], Path], subprocess.CompletedProcess[str]]:
    """Run a tool of the venv (rollout, ansible-*) in a folder; fail the test if it fails."""
    return run


@pytest.fixture(scope="session")
def tree_of() -> Callable[[Path], dict[str, bytes]]:
    return tree


@pytest.fixture(scope="session")
def copy_of() -> Callable[[Path], Path]:
    return copy_repo


@pytest.fixture(scope="session")
def env_for_tools() -> dict[str, str]:
    return tool_env()
