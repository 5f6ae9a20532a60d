"""The execution environment (AWX / Ansible Automation Platform) as far as it can be built here.

No container runtime exists on this machine, so the image itself is not built. What is checked:
ansible-builder accepts `execution-environment.yml` and writes a complete build context; the
builder's own introspection (the script that runs inside the image build) finds every Python
dependency of the rollout package; and the image's final stage, replayed in a fresh virtual
environment from nothing but that build context, runs the repository's playbook under
ansible-runner (the entrypoint of every execution environment) and renders exactly what
`rollout render` renders.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from repocopy import REPO, copy_repo

BIN = Path(sys.executable).parent
# The hub, the pilot, a former district site and a commune made by the tool: every kind of site,
# without rendering all 400 devices through Ansible's per-host machinery.
SAMPLE = ("ubnd-tinh", "bao-thang", "sa-pa", "y-ty")
SAMPLE_GROUPS = tuple(f"site_{slug.replace('-', '_')}" for slug in SAMPLE)

pytestmark = [
    pytest.mark.ansible,
    pytest.mark.skipif(
        shutil.which("ansible-builder", path=str(BIN)) is None,
        reason="ansible-builder is not installed next to the test interpreter (pip install .[dev])",
    ),
]


def _name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9_.-]+)", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, f"{' '.join(cmd)}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc.stdout


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`ansible-builder create` run on a copy of what the definition file names."""
    src = tmp_path_factory.mktemp("ee-src")
    for name in ("execution-environment.yml", "ee", "tools", "pyproject.toml", "README.md"):
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, src / name)
    _run(
        [str(BIN / "ansible-builder"), "create", "-f", "execution-environment.yml", "-c", "ctx"],
        src,
    )
    return src / "ctx"


def test_build_context_is_complete(context: Path) -> None:
    spec = (context / "Containerfile").read_text() if (context / "Containerfile").exists() else ""
    spec = spec or (context / "Dockerfile").read_text()
    assert "COPY _build/rollout-src /opt/rollout-src" in spec
    assert "pip install --no-cache-dir /opt/rollout-src" in spec
    assert "ansible-core" in spec and "ansible-runner" in spec
    src = context / "_build" / "rollout-src"
    assert (src / "pyproject.toml").is_file()
    assert (src / "tools" / "rollout" / "cli" / "main.py").is_file()
    for name in ("requirements.txt", "requirements.yml", "bindep.txt"):
        assert (context / "_build" / name).is_file(), name


def test_introspection_finds_every_dependency_of_the_package(context: Path, tmp_path: Path) -> None:
    """The builder's own script (run inside the image build) sees every runtime dependency."""
    build = context / "_build"
    out = tmp_path / "requirements.txt"
    _run(
        [
            sys.executable,
            str(build / "scripts" / "introspect.py"),
            "introspect",
            f"--user-pip={build / 'requirements.txt'}",
            f"--user-bindep={build / 'bindep.txt'}",
            f"--write-pip={out}",
            f"--write-bindep={tmp_path / 'bindep.txt'}",
        ],
        tmp_path,
    )
    found = {_name(line) for line in out.read_text().splitlines() if line.strip()}
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = {_name(dep) for dep in project["dependencies"]}
    # ansible-core and ansible-runner are installed by the definition's own fields.
    missing = wanted - found - {"ansible-core", "ansible-runner"}
    assert not missing, f"add {sorted(missing)} to ee/requirements.txt"
    definition = yaml.safe_load((REPO / "execution-environment.yml").read_text())
    deps = definition["dependencies"]
    assert _name(deps["ansible_core"]["package_pip"]) == "ansible-core"
    assert _name(deps["ansible_runner"]["package_pip"]) == "ansible-runner"


def test_final_stage_runs_the_playbook_under_ansible_runner(
    context: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The image's final stage replayed in a fresh venv: the playbook runs unchanged."""
    root = tmp_path_factory.mktemp("ee-run")
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], root)
    definition = yaml.safe_load((REPO / "execution-environment.yml").read_text())["dependencies"]
    _run(
        [
            str(venv / "bin" / "pip"),
            "install",
            "-q",
            definition["ansible_core"]["package_pip"],
            definition["ansible_runner"]["package_pip"],
            "-r",
            str(context / "_build" / "requirements.txt"),
            str(context / "_build" / "rollout-src"),
        ],
        root,
    )
    # AWX's layout: the synced project inside the runner's private data folder.
    private = root / "runner"
    project = copy_repo(private / "project")
    out = root / "by-ee"
    env = {
        "PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin",
        "HOME": str(root),
        "LANG": "C.UTF-8",
    }
    _run(
        [
            str(venv / "bin" / "ansible-runner"),
            "run",
            str(private),
            "-p",
            "playbooks/render.yml",
            "--cmdline",
            f"-e render_out={out} --limit {','.join(SAMPLE_GROUPS)}",
        ],
        root,
        env=env,
    )
    status = private / "artifacts"
    assert [p.read_text() for p in status.glob("*/status")] == ["successful"]
    cli = root / "by-cli"
    _run([str(venv / "bin" / "rollout"), "render", *SAMPLE, "--out", str(cli)], project, env=env)
    by_ee, by_cli = _tree(out), _tree(cli)
    assert len(by_cli) == 4 * len(SAMPLE)
    assert sorted(by_ee) == sorted(by_cli)
    assert [name for name in by_cli if by_ee[name] != by_cli[name]] == []
