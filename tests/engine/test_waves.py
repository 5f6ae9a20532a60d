"""The wave planner, the wave loop (with a stand-in batch runner) and the wave state file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rollout.engine import waves, wavestate
from rollout.engine.results import DeviceResult, Word
from rollout.engine.site import SiteRun
from rollout.engine.wavestate import Options, SiteState, WaveFileError
from rollout.errors import RolloutError
from rollout.runner import HostOutcome, PlaybookRun

SITES = ["a", "b", "c", "d", "e"]


def test_plan_puts_the_canary_alone_first_then_batches_in_order() -> None:
    plan = waves.plan(SITES, "c", 2)
    assert [(w.name, w.sites) for w in plan] == [
        ("canary", ("c",)),
        ("batch 1", ("a", "b")),
        ("batch 2", ("d", "e")),
    ]
    assert [w.sites for w in waves.plan(SITES, None, 3)] == [("a", "b", "c"), ("d", "e")]


def test_plan_refuses_a_canary_outside_the_selection() -> None:
    with pytest.raises(RolloutError, match="canary x is not among the selected sites") as err:
        waves.plan(SITES, "x", 2)
    assert "--all" in err.value.fix


@pytest.mark.parametrize(("text", "value"), [("0%", 0), ("10%", 10), ("100", 100), (" 5 % ", 5)])
def test_max_fail_percentages(text: str, value: int) -> None:
    assert waves.parse_max_fail(text) == value


@pytest.mark.parametrize("text", ["101%", "-1%", "ten", "1.5%", ""])
def test_bad_max_fail_is_refused_with_the_fix(text: str) -> None:
    with pytest.raises(RolloutError, match="not a percentage") as err:
        waves.parse_max_fail(text)
    assert "0%" in err.value.fix


def test_too_many_is_more_than_the_share() -> None:
    assert not waves.too_many(0, 2, 0)
    assert waves.too_many(1, 2, 0)
    assert not waves.too_many(1, 2, 50)
    assert waves.too_many(2, 2, 50)


def _state(tmp_path: Path) -> tuple[wavestate.WaveState, Path]:
    state = waves.new_state(SITES, False, Options("c", 2, 0), "rollout site a b c d e --canary c")
    return state, tmp_path / "w.json"


def test_state_round_trips_and_is_written_atomically(tmp_path: Path) -> None:
    state, path = _state(tmp_path)
    state.sites["c"].state = SiteState.DONE
    wavestate.save(state, path)
    back = wavestate.load(path)
    assert back.options == state.options
    assert back.waves == state.waves
    assert back.sites["c"].state is SiteState.DONE
    assert back.sites["a"].state is SiteState.PENDING
    data = json.loads(path.read_text())
    assert data["format"] == "rollout-waves" and data["version"] == 1
    assert data["sites"]["c"]["state"] == "done"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_failed_write_leaves_the_previous_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk at the fsync of the new file: the old file is intact, no temporary left."""
    import errno

    state, path = _state(tmp_path)
    wavestate.save(state, path)
    before = path.read_bytes()

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    state.sites["a"].state = SiteState.DONE
    with pytest.raises(WaveFileError, match="No space left on device") as err:
        wavestate.save(state, path)
    assert "--resume" in err.value.fix
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.json"]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("{not json", "not JSON"),
        ('{"format": "other", "version": 1}', "format/version"),
        ('{"format": "rollout-waves", "version": 1, "name": "x"}', "missing"),
    ],
)
def test_a_corrupt_state_file_is_a_clear_error(tmp_path: Path, content: str, why: str) -> None:
    path = tmp_path / "w.json"
    path.write_text(content)
    with pytest.raises(WaveFileError, match=why) as err:
        wavestate.load(path)
    assert str(path) in err.value.message
    assert "delete it" in err.value.fix


def test_a_state_file_with_a_wrong_type_names_the_field(tmp_path: Path) -> None:
    state, path = _state(tmp_path)
    wavestate.save(state, path)
    data = json.loads(path.read_text())
    data["options"]["batch"] = "two"
    path.write_text(json.dumps(data))
    with pytest.raises(WaveFileError, match=r"options\.batch"):
        wavestate.load(path)
    data["options"]["batch"] = 2
    data["sites"]["a"]["state"] = "half done"
    path.write_text(json.dumps(data))
    with pytest.raises(WaveFileError, match="half done"):
        wavestate.load(path)


def _run(sites: list[str], bad: set[str]) -> SiteRun:
    """What run_sites returns for a batch where the sites in bad failed (rolled back)."""
    hosts = {}
    results = []
    for s in sites:
        host = f"{s}-rtr01"
        outcome = HostOutcome(host)
        if s in bad:
            outcome.failed.append("push")
        hosts[host] = outcome
        word = Word.ROLLED_BACK if s in bad else Word.CHANGED
        results.append(DeviceResult(host, s, word, "x"))
    run = PlaybookRun(2 if bad else 0, "done", hosts, [], Path(), 1.0)
    return SiteRun(sites, False, "SET", run, results=tuple(results))


def _devices(state: wavestate.WaveState) -> dict[str, set[str]]:
    return {s: {f"{s}-rtr01"} for s in state.sites}


def test_a_failed_batch_stops_and_resume_runs_only_what_is_not_done(tmp_path: Path) -> None:
    state, path = _state(tmp_path)
    calls: list[list[str]] = []
    bad = {"b"}

    def runner(sites: list[str]) -> SiteRun:
        calls.append(sites)
        return _run(sites, bad)

    out = waves.run(state, path, runner, _devices(state))
    assert calls == [["c"], ["a", "b"]]
    assert not out.ok and "batch 1: 1 of 2 sites failed (b)" in out.stopped
    saved = wavestate.load(path)
    assert {s: e.state.value for s, e in saved.sites.items()} == {
        "c": "done",
        "a": "done",
        "b": "rolled back",
        "d": "pending",
        "e": "pending",
    }
    options = Options("c", 2, 0)
    again = waves.prepare(path, SITES, False, options, "x", resume=True)
    bad.clear()
    calls.clear()
    out = waves.run(again, path, runner, _devices(again))
    assert calls == [["b"], ["d", "e"]]
    assert out.ok and wavestate.load(path).finished


def test_a_failed_canary_stops_before_any_batch(tmp_path: Path) -> None:
    state, path = _state(tmp_path)
    calls: list[list[str]] = []

    def runner(sites: list[str]) -> SiteRun:
        calls.append(sites)
        return _run(sites, {"c"})

    out = waves.run(state, path, runner, _devices(state))
    assert calls == [["c"]]
    assert "the canary c failed" in out.stopped
    assert all(e.state is SiteState.PENDING for s, e in state.sites.items() if s != "c")


def test_resume_refuses_other_options_or_sites(tmp_path: Path) -> None:
    state, path = _state(tmp_path)
    state.stopped = "batch 1: 1 of 2 sites failed"
    wavestate.save(state, path)
    with pytest.raises(RolloutError, match="other options: batch 2 \\(this run: 3\\)") as err:
        waves.prepare(path, SITES, False, Options("c", 3, 0), "x", resume=True)
    assert str(path) in err.value.fix and "--resume" in err.value.fix
    with pytest.raises(RolloutError, match="is for other sites"):
        waves.prepare(path, SITES[:4], False, Options("c", 2, 0), "x", resume=True)
    with pytest.raises(RolloutError, match="did not finish"):
        waves.prepare(path, SITES, False, Options("c", 2, 0), "x", resume=False)
    with pytest.raises(RolloutError, match="nothing to resume"):
        waves.prepare(tmp_path / "none.json", SITES, False, Options("c", 2, 0), "x", resume=True)


def test_interrupt_between_batches_leaves_a_resumable_state(tmp_path: Path) -> None:
    state, path = _state(tmp_path)

    def runner(sites: list[str]) -> SiteRun:
        if sites == ["a", "b"]:
            raise KeyboardInterrupt
        return _run(sites, set())

    out = waves.run(state, path, runner, _devices(state))
    assert "interrupted" in out.stopped
    saved = wavestate.load(path)
    assert saved.sites["c"].state is SiteState.DONE
    assert saved.sites["a"].state is SiteState.PENDING
    assert waves.resume_command(saved).endswith("--resume")


def test_a_batch_refused_before_its_run_is_run_site_by_site(tmp_path: Path) -> None:
    """A device lock held elsewhere on one site refuses the whole batch's run: the sites are
    then run one by one and only that site counts as failed (not touched)."""
    state = waves.new_state(SITES, False, Options(None, 5, 20), "rollout site ...")
    path = tmp_path / "w.json"
    calls: list[list[str]] = []

    def runner(sites: list[str]) -> SiteRun:
        calls.append(sites)
        if "d" in sites:
            raise RolloutError("site d is being rolled out by someone else", "wait")
        return _run(sites, set())

    out = waves.run(state, path, runner, _devices(state))
    assert calls == [SITES, ["a"], ["b"], ["c"], ["d"], ["e"]]
    assert out.ok is False and "every wave ran, within --max-fail; not done: d" in out.stopped
    assert state.sites["d"].state is SiteState.NOT_TOUCHED
    assert "refused before anything was pushed: site d is being" in state.sites["d"].detail
    assert [s for s, e in state.sites.items() if e.state is SiteState.DONE] == ["a", "b", "c", "e"]
