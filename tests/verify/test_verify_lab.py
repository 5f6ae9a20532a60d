"""`rollout verify SITE --lab` on the pilot's lab twin: IP SLA probes and a codec test call.

One lab start: the pilot is rolled out once, then each phase impairs the path it needs and
puts it back. The phases are one test so that any pytest-xdist distribution keeps them on one
worker (one lab, one set of ports).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labrun import LabRun, lab_env
from repocopy import copy_repo

pytestmark = pytest.mark.lab

ROUTER = "bao-thang-rtr01"
CODEC = "bao-thang-codec01"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabRun]:
    root = tmp_path_factory.mktemp("repo")
    repo = copy_repo(root)
    lab_dir = Path(tmp_path_factory.mktemp("lab"))
    handle = LabRun(repo, lab_dir, lab_env(lab_dir, ROLLOUT_BACKUP_DIR=str(root / "backups")))
    handle.run("lab", "up", "bao-thang", check=0)
    try:
        handle.run("site", "bao-thang", "--lab", "--yes", check=0)
        yield handle
    finally:
        handle.run("lab", "down")


def verify(lab: LabRun, check: int) -> dict[str, Any]:
    proc = lab.run("verify", "bao-thang", "--lab", "--seconds", "1", "--format", "json")
    assert proc.returncode == check, proc.stdout + proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def failed(data: dict[str, Any]) -> list[str]:
    return [f"{c['name']}: {c['detail']}" for c in data["verify"]["checks"] if not c["ok"]]


def codec_calls(lab: LabRun) -> str:
    return lab.run("lab", "send", CODEC, "callinfo all", check=0).stdout


def good_path_passes_and_is_kept_for_the_report(lab: LabRun) -> None:
    data = verify(lab, 0)
    assert data["ok"] and not failed(data)
    names = [c["name"] for c in data["verify"]["checks"]]
    assert any(n.startswith("class EF") for n in names)
    assert any(n.startswith("class AF41") for n in names)
    assert any(n.startswith("backup path: test call") for n in names)
    assert data["verify"]["classes"]["EF"]["router_mos"] == pytest.approx(4.34)
    kept = json.loads((lab.repo / "var/proof/bao-thang/verify.json").read_text())
    assert kept["ok"] and kept["checks"] == data["verify"]["checks"]
    assert "system is not in a call" in codec_calls(lab)
    table = lab.run("verify", "bao-thang", "--lab", "--seconds", "1", check=0).stdout
    assert "PASS" in table


def bad_wan_fails_naming_class_and_metric(lab: LabRun) -> None:
    lab.run("lab", "impair", ROUTER, "--loss-percent", "5", "--jitter-ms", "60", check=0)
    try:
        data = verify(lab, 2)
    finally:
        lab.run("lab", "impair", ROUTER, "--clear", check=0)
    bad = failed(data)
    assert any(b.startswith("class EF") and "loss 5.00 % > 1" in b for b in bad), bad
    assert any(b.startswith("class AF41") and "jitter 60.0 ms > 30" in b for b in bad), bad
    assert not any(b.startswith("backup path") for b in bad), bad
    assert "system is not in a call" in codec_calls(lab)


def bad_codec_link_fails_the_backup_path(lab: LabRun) -> None:
    lab.run("lab", "impair", CODEC, "--jitter-ms", "45", "--loss-percent", "3", check=0)
    try:
        data = verify(lab, 2)
    finally:
        lab.run("lab", "impair", CODEC, "--clear", check=0)
    bad = failed(data)
    assert any(b.startswith("backup path: video on the codec") and "jitter" in b for b in bad)
    assert any(b.startswith("backup path: audio on the codec") and "loss" in b for b in bad)
    assert not any(b.startswith("class ") for b in bad), bad
    assert "system is not in a call" in codec_calls(lab)


def unreachable_router_is_an_error(lab: LabRun) -> None:
    with lab.faulted(ROUTER, {"kind": "unreachable"}):
        proc = lab.run("verify", "bao-thang", "--lab", "--seconds", "1", check=1)
    assert ROUTER in proc.stdout + proc.stderr


def test_verify_on_the_lab_twin(lab: LabRun) -> None:
    good_path_passes_and_is_kept_for_the_report(lab)
    bad_wan_fails_naming_class_and_metric(lab)
    bad_codec_link_fails_the_backup_path(lab)
    unreachable_router_is_an_error(lab)
