"""`rollout watch --once` with a fake collector put in the command's seam: rows in the
history, the progress line, the metrics file, exit codes, bad input."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rollout.cli import watch as command
from rollout.cli.context import Context
from rollout.cli.main import cli
from rollout.cli.options import Where
from rollout.diagnose.model import Fact, SiteEvidence
from rollout.diagnose.store import latest, open_history
from rollout.diagnose.watch import Collect


def run(repo: Path, *args: str) -> Result:
    env = {"ROLLOUT_REPO": str(repo), "COLUMNS": "200", "NO_COLOR": "1"}
    return CliRunner().invoke(cli, ["watch", *args], env=env, prog_name="rollout")


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Where, list[str]]]:
    """Replace the real collector: every site answers at once, except ``sa-pa`` which fails."""
    seen: list[tuple[Where, list[str]]] = []

    def factory(ctx: Context, where: Where, sites: Sequence[str]) -> Collect:
        seen.append((where, list(sites)))

        def collect(site: str) -> SiteEvidence:
            assert site in ctx.inv.sites
            if site == "sa-pa":
                from rollout.errors import RolloutError

                raise RolloutError("sa-pa-rt01: authentication refused")
            return SiteEvidence(
                site,
                datetime.now(UTC).isoformat(),
                (Fact(f"{site}-rt01", "wan", "interface", "Gi0/0", {"crc": 7}),),
                seconds=0.5,
                light=True,
            )

        return collect

    monkeypatch.setattr(command, "COLLECTOR", factory)
    monkeypatch.setattr(command, "VERDICT", lambda ctx: lambda ev: ev.site == "bat-xat")
    return seen


def test_once_writes_rows_and_metrics(
    repo: Path, tmp_path: Path, asked: list[tuple[Where, list[str]]]
) -> None:
    db = tmp_path / "h.sqlite"
    prom = tmp_path / "metrics" / "rollout.prom"
    result = run(
        repo, "bac-ha", "bat-xat", "--lab", "--once", "--db", str(db), "--metrics-file", str(prom)
    )
    assert result.exit_code == 0, result.output
    assert asked[0][0].lab and asked[0][1] == ["bac-ha", "bat-xat"]
    assert "round 1: 2 done, 0 skipped" in result.stderr
    assert "2 rows in the history" in result.stderr
    assert sorted(latest(db)) == ["bac-ha", "bat-xat"]
    with open_history(db, writable=False) as history:
        assert history.interval() == 300.0
    text = prom.read_text()
    assert 'rollout_interface_crc{device="bac-ha-rt01"' in text
    assert 'rollout_site_fault{site="bat-xat"} 1.0' in text
    assert 'rollout_site_fault{site="bac-ha"} 0.0' in text


def test_metrics_endpoint_is_announced(
    repo: Path, tmp_path: Path, asked: list[tuple[Where, list[str]]]
) -> None:
    result = run(
        repo, "bac-ha", "--once", "--db", str(tmp_path / "h.sqlite"), "--metrics-port", "0"
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"metrics: http://127\.0\.0\.1:[1-9][0-9]*/metrics", result.stderr)


def test_default_history_is_under_the_repository(
    repo: Path, asked: list[tuple[Where, list[str]]]
) -> None:
    result = run(repo, "bac-ha", "--once", "--every", "1m")
    assert result.exit_code == 0, result.output
    with open_history(repo / "var" / "history.sqlite", writable=False) as history:
        assert history.count() == 1
        assert history.interval() == 60.0


def test_a_site_that_cannot_be_collected_is_named_and_exits_1(
    repo: Path, tmp_path: Path, asked: list[tuple[Where, list[str]]]
) -> None:
    db = tmp_path / "h.sqlite"
    result = run(repo, "bac-ha", "sa-pa", "--once", "--db", str(db))
    assert result.exit_code == 1
    assert "1 failed" in result.stderr
    assert "sa-pa: sa-pa-rt01: authentication refused" in result.stderr
    assert sorted(latest(db)) == ["bac-ha"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bac-ha", "--every", "often"], "--every 'often' is not a duration"),
        (["bac-ha", "--keep", "0d"], "--keep '0d' is not a duration"),
        (["no-such-site"], "no site 'no-such-site'"),
        ([], "name the sites"),
    ],
)
def test_bad_input_is_one_clear_line(
    repo: Path,
    tmp_path: Path,
    asked: list[tuple[Where, list[str]]],
    args: list[str],
    message: str,
) -> None:
    result = run(repo, *args, "--once", "--db", str(tmp_path / "h.sqlite"))
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "h.sqlite").exists()


CHILD = """
import sys, threading
from datetime import UTC, datetime
from rollout.cli import watch as command
from rollout.cli.main import main
from rollout.diagnose.model import SiteEvidence

hang = threading.Event()

def factory(ctx, where, sites):
    def collect(site):
        if site == "sa-pa":
            hang.wait()  # a device that never answers
        return SiteEvidence(site, datetime.now(UTC).isoformat(), light=True)
    return collect

command.COLLECTOR = factory
command.VERDICT = lambda ctx: None
sys.argv = ["rollout", "watch", "bac-ha", "sa-pa", "--every", "1h", "--timeout", "1s",
            "--db", sys.argv[1]]
main()
"""


def test_sigterm_stops_a_running_watch_cleanly(repo: Path, tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    db = tmp_path / "h.sqlite"
    env = {**os.environ, "ROLLOUT_REPO": str(repo), "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stderr is not None
    lines = []
    for line in child.stderr:
        lines.append(line)
        if line.startswith("round 1:"):
            child.send_signal(signal.SIGTERM)
            break
    rest = child.stderr.read()
    assert child.wait(timeout=120) == 0, "".join(lines) + rest
    assert "round 1: 1 done" in lines[-1]
    assert "SIGTERM: stopping" in rest
    assert "stopped after 1 round; 1 rows in the history; 1 collection(s) in flight abandoned" in (
        rest
    )
    assert sorted(latest(db)) == ["bac-ha"]


def test_all_against_a_lab_watches_the_sites_it_holds(
    repo: Path, tmp_path: Path, asked: list[tuple[Where, list[str]]]
) -> None:
    from rollout.endpoints import Endpoint, write_endpoints
    from rollout.endpoints import Where as Runs
    from rollout.inventory.loader import load_inventory

    inv = load_inventory(repo)
    lab = tmp_path / "lab"
    lab.mkdir()
    write_endpoints(
        lab,
        [
            Endpoint(d.hostname, d.platform, "127.0.0.1", 1, lab / "known_hosts", Runs.LAB)
            for slug in ("bac-ha", "bat-xat")
            for d in inv.sites[slug].devices
        ],
    )
    db = tmp_path / "h.sqlite"
    result = run(repo, "--all", "--lab", "--lab-dir", str(lab), "--once", "--db", str(db))
    assert asked[0][1] == ["bac-ha", "bat-xat"]
    assert "watching 2 sites" in result.stderr
    assert sorted(latest(db)) == ["bac-ha", "bat-xat"]
    assert result.exit_code == 1  # the other sites were left out, and named
    assert "left out" in result.stderr
