"""The network lab's fault records without a lab: every fault is written with its undo before
the first change, a failed fault is undone, and a weather fault puts back only what it changed.
The namespace commands are recorded, not run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rollout.inventory.loader import load_inventory
from rollout.netlab import faults
from rollout.netlab import ns as nsh
from rollout.netlab.names import LabNames
from rollout.netlab.ns import NetlabError
from rollout.netlab.state import NetlabState, SiteLab, weather_file

REPO = Path(__file__).resolve().parents[2]
SITE = "bao-thang"


@pytest.fixture
def state(tmp_path: Path) -> NetlabState:
    state = NetlabState(folder=str(tmp_path), lab_id="t1")
    state.sites[SITE] = SiteLab(SITE, 1, "10.16.1.10", "10.16.1.11", "10.16.1.1", "wan0", 10000)
    state.hub = {"mcu": "10.16.0.20", "registrar": "10.16.0.21", "cloud": "203.0.113.10"}
    state.save()
    weather = {"name": "clear", "delay_ms": 15, "jitter_ms": 1, "rate_kbps": 10000}
    weather_file(state, SITE).write_text(json.dumps(weather), encoding="utf-8")
    return state


class Commands:
    def __init__(self, fail_on: str = "") -> None:
        self.seen: list[tuple[str, list[str], str]] = []
        self.fail_on = fail_on

    def __call__(
        self, cmd: list[str], *, ns: str | None = None, check: bool = True, input: str = ""
    ) -> str:
        self.seen.append((ns or "", list(cmd), input))
        if self.fail_on and self.fail_on in " ".join(cmd) and check:
            raise NetlabError(f"{' '.join(cmd)} failed (1): refused")
        return ""


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> Commands:
    recorder = Commands()
    monkeypatch.setattr(nsh, "run", recorder)
    return recorder


def test_a_fault_is_on_file_with_its_undo_before_it_is_imposed(
    state: NetlabState, commands: Commands, monkeypatch: pytest.MonkeyPatch
) -> None:
    inv = load_inventory(REPO)
    on_file: list[list[str]] = []

    def spy(cmd: list[str], *, ns: str | None = None, check: bool = True, input: str = "") -> str:
        if input:  # the nft -f that makes the table: the undo must be on file already
            on_file.append([" ".join(s.argv) for f in faults.active(state) for s in f.undo])
        return commands(cmd, ns=ns, check=check, input=input)

    monkeypatch.setattr(nsh, "run", spy)
    fault = faults.impose(inv, state, SITE, "loss", 2.5)
    assert fault is not None
    assert on_file == [["nft delete table ip rlfault_loss"]]
    wan = LabNames("t1").wan(SITE)
    made = [c for c in commands.seen if c[2]]
    assert made[0][0] == wan
    assert 'iifname "pe0" numgen random mod 1000 < 25 counter drop' in made[0][2]
    cleared = faults.clear(state, SITE, "loss")
    assert [f.kind for f in cleared] == ["loss"]
    assert commands.seen[-1][:2] == (wan, ["nft", "delete", "table", "ip", "rlfault_loss"])
    assert faults.active(state) == []


def test_a_fault_that_fails_is_undone_and_leaves_no_record(
    state: NetlabState, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Commands(fail_on="insert rule")
    monkeypatch.setattr(nsh, "run", recorder)
    with pytest.raises(NetlabError, match="refused"):
        faults.impose(load_inventory(REPO), state, SITE, "media-blocked")
    assert faults.active(state) == []
    assert recorder.seen[-1][1] == ["nft", "-a", "list", "chain", "inet", "rollout", "forward"]


def test_a_weather_fault_puts_back_only_its_own_keys(
    state: NetlabState, commands: Commands
) -> None:
    inv = load_inventory(REPO)
    faults.impose(inv, state, SITE, "jitter", 30)
    weather = json.loads(weather_file(state, SITE).read_text(encoding="utf-8"))
    assert (weather["delay_ms"], weather["jitter_ms"]) == (45, 30)
    weather["loss_percent"] = 1.0  # a soak changes the weather meanwhile
    weather_file(state, SITE).write_text(json.dumps(weather), encoding="utf-8")
    faults.clear(state, SITE)
    after = json.loads(weather_file(state, SITE).read_text(encoding="utf-8"))
    assert (after["delay_ms"], after["jitter_ms"], after["loss_percent"]) == (15, 1, 1.0)


def test_hub_wide_faults_replace_each_other_and_healthy_clears_the_site(
    state: NetlabState, commands: Commands
) -> None:
    inv = load_inventory(REPO)
    faults.impose(inv, state, SITE, "mcu-unreachable")
    faults.impose(inv, state, SITE, "mcu-unreachable")
    faults.impose(inv, state, SITE, "registrar-down")
    assert sorted(f.kind for f in faults.active(state)) == ["mcu-unreachable", "registrar-down"]
    registrar = next(c for c in commands.seen if "10.16.0.21" in c[2])
    assert "th dport { 5060, 5061 } counter drop" in registrar[2]
    assert faults.impose(inv, state, SITE, "healthy") is None
    assert faults.active(state) == []


def test_bad_input_names_the_fix(state: NetlabState, commands: Commands) -> None:
    inv = load_inventory(REPO)
    with pytest.raises(NetlabError, match="no fault kind 'flood'") as err:
        faults.impose(inv, state, SITE, "flood")
    assert "loss, jitter" in err.value.fix
    with pytest.raises(NetlabError, match="not in the network lab"):
        faults.impose(inv, state, "sa-pa", "loss")
    with pytest.raises(NetlabError, match="must be above 0"):
        faults.impose(inv, state, SITE, "loss", 0)
    with pytest.raises(NetlabError, match="no fault kind"):
        faults.clear(state, SITE, "nonsense")
