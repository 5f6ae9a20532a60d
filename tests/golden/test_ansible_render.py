"""Ansible renders exactly what `rollout render` renders, from the same inventory."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import pytest

BIN = Path(sys.executable).parent
SAMPLE = (
    "ubnd-tinh",
    "lao-cai",
    "bat-xat",
    "muong-khuong",
    "si-ma-cai",
    "bac-ha",
    "bao-thang",
    "bao-yen",
    "sa-pa",
    "van-ban",
    "y-ty",
    "nghia-lo",
)


class Run(Protocol):
    """The run_tool fixture: a tool of the venv run in a folder."""

    def __call__(self, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]: ...


pytestmark = [
    pytest.mark.ansible,
    pytest.mark.skipif(
        shutil.which("ansible-playbook", path=str(BIN)) is None,
        reason="ansible-playbook is not installed next to the test interpreter",
    ),
]


@pytest.fixture(scope="module")
def ansible_repo(tmp_path_factory: pytest.TempPathFactory, copy_of: Callable[[Path], Path]) -> Path:
    return copy_of(tmp_path_factory.mktemp("ansible") / "repo")


def test_playbook_renders_the_same_tree_as_the_cli(
    ansible_repo: Path,
    render: Callable[..., dict[str, bytes]],
    run_tool: Run,
    tree_of: Callable[[Path], dict[str, bytes]],
    tmp_path: Path,
) -> None:
    # The hub, the nine sites of 2017 (re-coded) and two communes cloned by the tool: every
    # kind of site, without rendering all 400 devices through Ansible's per-host machinery.
    by_ansible = tmp_path / "ansible"
    limit = ",".join(f"site_{slug.replace('-', '_')}" for slug in SAMPLE)
    run_tool(
        [
            str(BIN / "ansible-playbook"),
            "playbooks/render.yml",
            "--limit",
            limit,
            "-e",
            f"render_out={by_ansible}",
        ],
        cwd=ansible_repo,
    )
    from_ansible = tree_of(by_ansible)
    from_cli = render(ansible_repo, tmp_path / "cli", *SAMPLE)
    assert len(from_cli) == 4 * len(SAMPLE) == 48
    assert sorted(from_ansible) == sorted(from_cli)
    different = [name for name in from_cli if from_ansible[name] != from_cli[name]]
    assert not different, f"Ansible and `rollout render` differ for {different}"


def test_inventory_graph_has_the_rollout_groups(ansible_repo: Path, run_tool: Run) -> None:
    proc = run_tool([str(BIN / "ansible-inventory"), "--graph"], cwd=ansible_repo)
    graph = proc.stdout
    groups: dict[str, list[str]] = {}
    current = ""
    for line in graph.splitlines():
        name = line.strip(" |-")
        if name.startswith("@"):
            current = name.strip("@:")
            groups[current] = []
        elif current and name:
            groups[current].append(name)
    for group in ("site_bao_thang", "platform_cisco_ios", "role_codec", "level_hub"):
        assert group in groups, f"no group {group} in:\n{graph}"
    assert sorted(groups["site_bao_thang"]) == [
        "bao-thang-codec01",
        "bao-thang-rtr01",
        "bao-thang-sw01",
        "bao-thang-vmeet01",
    ]
    assert "bao-thang-codec01" in groups["role_codec"]
    assert "bao-thang-rtr01" in groups["platform_cisco_ios"]
    assert "bao-thang-codec01" not in groups["platform_cisco_ios"]
    assert groups["level_hub"] == [
        "ubnd-tinh-rtr01",
        "ubnd-tinh-sw01",
        "ubnd-tinh-codec01",
        "ubnd-tinh-vmeet01",
    ]


def test_invalid_inventory_stops_ansible(
    tmp_path: Path, copy_of: Callable[[Path], Path], env_for_tools: dict[str, str]
) -> None:
    broken = copy_of(tmp_path / "repo")
    site = broken / "inventory" / "sites" / "sa-pa.yml"
    site.write_text(site.read_text(encoding="utf-8") + "vlanz: 1\n", encoding="utf-8")
    proc = subprocess.run(
        [str(BIN / "ansible-inventory"), "--graph"],
        cwd=broken,
        env={**env_for_tools, "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "inventory/sites/sa-pa.yml" in proc.stdout + proc.stderr
    assert "unknown field 'vlanz'" in proc.stdout + proc.stderr
