"""`rollout diagnose SITE --at TIME`: the same rules on the evidence the history holds.

The history is the real one (rollout.diagnose.store, an SQLite file `rollout watch` writes):
rows are written with its API, then the command answers from them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner
from diag_evidence import RTR, SITE, evidence, sla

from rollout.cli.main import cli
from rollout.diagnose.model import SiteEvidence
from rollout.diagnose.store import Retention, open_history

REPO = Path(__file__).resolve().parents[2]


def _store(db: Path, *found: SiteEvidence, interval: float = 300.0) -> None:
    with open_history(db) as history:
        history.set_interval(interval)
        history.insert(found, Retention(keep_seconds=10 * 365 * 86400.0))


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["diagnose", SITE, "--repo", str(REPO), *args])
    return result.exit_code, result.stdout, result.stderr


def test_answers_from_the_stored_evidence(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    bad = evidence(change={(RTR, "sla", f"op {op}"): sla(op, loss_percent=7.0) for op in (10, 20)})
    # 09:05 local time (UTC+7) is 02:05 UTC: the row of 02:03 answers, not the later one.
    _store(
        db,
        replace(bad, taken_at="2026-11-29T02:03:00+00:00"),
        replace(evidence(), taken_at="2026-11-29T02:09:00+00:00"),
    )
    code, out, err = _run("--at", "2026-11-29T09:05", "--db", str(db), "--format", "json")
    assert code == 2, out + err
    data = json.loads(out)
    assert data["verdict"] == "fault" and data["at"].startswith("2026-11-29T02:03:00")
    assert data["causes"][0]["segment"] == "wan"
    code, out, err = _run("--at", "2026-11-29T02:10Z", "--db", str(db), "--format", "json")
    assert code == 0 and json.loads(out)["verdict"] == "healthy", out + err


def test_healthy_history_is_healthy(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    _store(db, replace(evidence(), taken_at="2026-11-29T02:04:00+00:00"))
    code, out, err = _run("--at", "2026-11-29T09:05+07:00", "--db", str(db))
    assert code == 0, out + err
    assert f"{SITE}: healthy" in out


def test_nothing_stored_for_that_moment(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    _store(db, replace(evidence(), taken_at="2026-11-29T02:04:00+00:00"))
    code, out, err = _run("--at", "2020-01-01T00:00", "--db", str(db))
    assert code == 1 and "holds no evidence" in err and "Traceback" not in out + err
