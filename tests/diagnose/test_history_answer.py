"""`rollout diagnose SITE --at TIME`: the same rules on the evidence the history holds.

The history itself belongs to `rollout watch` (rollout.diagnose.store); here a stand-in module
answers ``evidence_at`` so that the command's side is tested on its own."""

from __future__ import annotations

import json
import sys
import types
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from diag_evidence import RTR, SITE, evidence, sla

from rollout.cli.main import cli
from rollout.diagnose.model import SiteEvidence

REPO = Path(__file__).resolve().parents[2]


def _store(
    monkeypatch: pytest.MonkeyPatch, found: SiteEvidence | None
) -> list[tuple[Path, str, datetime]]:
    asked: list[tuple[Path, str, datetime]] = []

    def evidence_at(db: Path, site: str, at: datetime) -> SiteEvidence | None:
        asked.append((db, site, at))
        return found

    module = types.ModuleType("rollout.diagnose.store")
    module.evidence_at = evidence_at  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "rollout.diagnose.store", module)
    return asked


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["diagnose", SITE, "--repo", str(REPO), *args])
    return result.exit_code, result.stdout, result.stderr


def test_answers_from_the_stored_evidence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    db.write_bytes(b"")
    stored = evidence(
        change={(RTR, "sla", f"op {op}"): sla(op, loss_percent=7.0) for op in (10, 20)}
    )
    asked = _store(monkeypatch, SiteEvidence.from_json(json.loads(json.dumps(stored.to_json()))))
    code, out, err = _run("--at", "2026-11-29T09:05", "--db", str(db), "--format", "json")
    assert code == 2, out + err
    data = json.loads(out)
    assert data["verdict"] == "fault" and data["at"] == stored.taken_at
    assert data["causes"][0]["segment"] == "wan"
    ((where, site, at),) = asked
    assert (where, site) == (db, SITE)
    assert at.isoformat() == "2026-11-29T09:05:00+00:00"


def test_healthy_history_is_healthy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    db.write_bytes(b"")
    _store(monkeypatch, evidence())
    code, out, err = _run("--at", "2026-11-29T09:05+07:00", "--db", str(db))
    assert code == 0, out + err
    assert f"{SITE}: healthy" in out


def test_nothing_stored_for_that_moment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    db.write_bytes(b"")
    _store(monkeypatch, None)
    code, out, err = _run("--at", "2020-01-01T00:00", "--db", str(db))
    assert code == 1 and "holds no evidence" in err and "Traceback" not in out + err
