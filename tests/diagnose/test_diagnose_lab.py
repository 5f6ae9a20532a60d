"""`rollout diagnose SITE --lab` over real SSH to the lab twin: healthy after a rollout, then
each fault the twin can show, named by its segment first, then healthy again.

One lab start (the pilot rolled out once); the phases are one test so that any pytest-xdist
distribution keeps them on one worker (one lab, one set of ports).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from labrun import LabRun, lab_env
from repocopy import copy_repo

pytestmark = pytest.mark.lab

SITE = "bao-thang"
ROUTER, SWITCH, CODEC = "bao-thang-rtr01", "bao-thang-sw01", "bao-thang-codec01"
WAN = "GigabitEthernet0/0/0"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabRun]:
    root = tmp_path_factory.mktemp("repo")
    repo = copy_repo(root)
    lab_dir = Path(tmp_path_factory.mktemp("lab"))
    handle = LabRun(repo, lab_dir, lab_env(lab_dir, ROLLOUT_BACKUP_DIR=str(root / "backups")))
    handle.run("lab", "up", SITE, check=0)
    try:
        handle.run("site", SITE, "--lab", "--yes", check=0)
        yield handle
    finally:
        handle.run("lab", "down")


def diagnose(lab: LabRun, check: int) -> dict[str, Any]:
    proc = lab.run("diagnose", SITE, "--lab", "--format", "json")
    assert proc.returncode == check, proc.stdout + proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    assert data["site"] == SITE
    return data


def first(data: dict[str, Any]) -> tuple[str, str]:
    top = data["causes"][0]
    return top["segment"], top["code"]


def healthy(lab: LabRun) -> None:
    data = diagnose(lab, 0)
    assert data["verdict"] == "healthy" and data["causes"] == [], data
    table = lab.run("diagnose", SITE, "--lab", check=0).stdout
    assert f"{SITE}: healthy" in table


def loss_on_the_path_points_to_the_wan(lab: LabRun) -> None:
    lab.run("lab", "impair", ROUTER, "--loss-percent", "5", "--jitter-ms", "60", check=0)
    try:
        data = diagnose(lab, 2)
    finally:
        lab.run("lab", "impair", ROUTER, "--clear", check=0)
    assert data["verdict"] == "fault"
    assert first(data)[0] == "wan", data["causes"]
    assert any("loss 5 %" in e for e in data["causes"][0]["evidence"]), data["causes"][0]


def qos_removed_by_hand_is_config(lab: LabRun) -> None:
    lab.run(
        "lab",
        "send",
        ROUTER,
        "--config",
        f"interface {WAN}",
        "no service-policy output WAN-SHAPER",
        check=0,
    )
    try:
        data = diagnose(lab, 2)
    finally:
        lab.run(
            "lab",
            "send",
            ROUTER,
            "--config",
            f"interface {WAN}",
            "service-policy output WAN-SHAPER",
            check=0,
        )
    assert first(data) == ("config", "config.qos_removed"), data["causes"]
    evidence = data["causes"][0]["evidence"]
    assert any("service-policy output WAN-SHAPER" in e for e in evidence), evidence
    assert "config.drift" not in [c["code"] for c in data["causes"]], data["causes"]


def media_denied_by_hand_is_config(lab: LabRun) -> None:
    acl = "ip access-list extended WAN-IN"
    lab.run("lab", "send", ROUTER, "--config", acl, "5 deny udp any any range 3230 3300", check=0)
    try:
        data = diagnose(lab, 2)
    finally:
        lab.run("lab", "send", ROUTER, "--config", acl, "no 5", check=0)
    assert first(data) == ("config", "config.acl_blocks_media"), data["causes"]
    evidence = data["causes"][0]["evidence"]
    assert any("deny udp any any range 3230 3300" in e for e in evidence), evidence


def switch_that_does_not_answer_points_to_the_lan(lab: LabRun) -> None:
    with lab.faulted(SWITCH, {"kind": "unreachable"}):
        data = diagnose(lab, 1)
        table = lab.run("diagnose", SITE, "--lab", check=1).stdout
    assert first(data) == ("lan", "lan.device_unreachable"), data["causes"]
    assert SWITCH in data["causes"][0]["cause"]
    assert "[lan]" in table


def conditions_are_found_where_they_sit(lab: LabRun) -> None:
    """Network conditions the twin's devices show in their own output (`rollout lab
    condition`), and a hand change on the codec."""
    cases = [
        ((SWITCH, "duplex_mismatch"), ("lan", "lan.duplex_mismatch")),
        ((ROUTER, "registrar_down"), ("hub", "hub.registrar_down")),
        ((ROUTER, "unreachable", "--target", "cloud"), ("cloud", "cloud.unreachable")),
        ((ROUTER, "provider_drops", "--contract-kbps", "3000"), ("wan", "wan.provider_drops")),
    ]
    for args, expected in cases:
        lab.run("lab", "condition", *args, check=0)
        try:
            data = diagnose(lab, 2)
        finally:
            lab.run("lab", "condition", ROUTER, "--clear", check=0)
        assert first(data) == expected, (args, data["causes"])
    lab.run("lab", "send", CODEC, "systemsetting maxtxbandwidth 6144", check=0)
    try:
        data = diagnose(lab, 2)
    finally:
        lab.run("lab", "send", CODEC, "systemsetting maxtxbandwidth 2048", check=0)
    assert first(data) == ("endpoint", "endpoint.call_rate_over_budget"), data["causes"]


def watch_keeps_history_that_diagnose_at_answers_from(lab: LabRun) -> None:
    """`rollout watch` for a few rounds, then `diagnose --at` a moment inside the window."""
    db = lab.repo / "var" / "watch-test.sqlite"
    proc = lab.run(
        "watch", SITE, "--lab", "--every", "4s", "--for", "14s", "--db", str(db), "--keep", "1h"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT count(*) FROM evidence WHERE site = ?", (SITE,)).fetchone()[0]
    assert 2 <= rows <= 5, rows  # one a round, nothing piled up
    at = datetime.now(UTC).isoformat(timespec="seconds")
    data = json.loads(
        lab.run("diagnose", SITE, "--at", at, "--db", str(db), "--format", "json", check=0).stdout
    )
    assert data["verdict"] == "healthy" and data["at"] <= at, data


def history_without_a_database_is_a_clear_error(lab: LabRun) -> None:
    proc = lab.run(
        "diagnose", SITE, "--at", "2026-12-01T09:00", "--db", str(lab.repo / "none.sqlite"), check=1
    )
    assert "error:" in proc.stderr and "--at" not in proc.stdout
    proc = lab.run("diagnose", SITE, "--at", "yesterday", check=1)
    assert "ISO 8601" in proc.stderr


def test_diagnose_on_the_lab_twin(lab: LabRun) -> None:
    healthy(lab)
    loss_on_the_path_points_to_the_wan(lab)
    qos_removed_by_hand_is_config(lab)
    media_denied_by_hand_is_config(lab)
    switch_that_does_not_answer_points_to_the_lan(lab)
    conditions_are_found_where_they_sit(lab)
    watch_keeps_history_that_diagnose_at_answers_from(lab)
    history_without_a_database_is_a_clear_error(lab)
    healthy(lab)
