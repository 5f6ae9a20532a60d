"""`rollout site` wave options refused before any device is reached: exit 1, the reason and
the fix, no traceback (in-process, on a copy of the repository, no lab)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rollout.engine import waves, wavestate
from rollout.engine.wavestate import Options

TWO = ["bao-thang", "bac-ha"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--all", "--dry-run"], "--dry-run does not go with waves"),
        (["bao-thang", "--batch", "2", "--plan", "x.json"], "--plan does not go with waves"),
        (["--all", "--role", "codec"], "--role/--device do not go with waves"),
        (["bao-thang", "--all"], "SITE... and --all do not go together"),
        ([*TWO, "--canary", "ubnd-tinh"], "the canary ubnd-tinh is not among the selected"),
        (["--all", "--max-fail", "120%"], "--max-fail '120%' is not a percentage"),
        ([*TWO, "--resume"], "nothing to resume"),
    ],
)
def test_wave_options_refused(rollout: Callable[..., Any], args: list[str], said: str) -> None:
    result = rollout("site", *args, "--yes")
    assert result.exit_code == 1, result.output
    assert said in result.output
    assert "Fix:" in result.output or "fix" in result.output.lower()
    assert "Traceback" not in result.output


def test_a_corrupt_state_file_is_named_with_the_fix(
    repo: Path, rollout: Callable[..., Any]
) -> None:
    path = repo / "var" / "waves" / "broken.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"format": "rollout-waves", "version": 1, "sites": ')
    result = rollout("site", *TWO, "--resume", "--waves-file", str(path), "--yes")
    assert result.exit_code == 1
    assert f"{path} is not a wave state file (not JSON" in result.output
    assert "delete it to plan the waves again" in result.output


def test_resume_with_other_options_names_the_file_and_the_command(
    repo: Path, rollout: Callable[..., Any]
) -> None:
    state = waves.new_state(
        TWO, False, Options(None, 1, 0), "rollout site bao-thang bac-ha --batch 1"
    )
    state.stopped = "batch 1: 1 of 1 sites failed (bao-thang), more than --max-fail 0%"
    path = wavestate.default_path(repo, TWO, False)
    wavestate.save(state, path)
    result = rollout("site", *TWO, "--batch", "2", "--resume", "--yes", "--format", "json")
    assert result.exit_code == 1
    error = json.loads(result.stdout)
    text = json.dumps(error)
    assert "was started with other options: batch 1 (this run: 2)" in text
    assert "rollout site bao-thang bac-ha --batch 1 --resume" in text
    again = rollout("site", *TWO, "--batch", "1", "--yes")
    assert again.exit_code == 1
    assert "holds waves that did not finish" in again.output
