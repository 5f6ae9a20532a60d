"""Every fault the network lab imposes, seen by the linux_router collector and the hub's view,
and gone again after ``--clear``: one lab for the whole file (the pilot site, router pushed)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rollout.diagnose.collect_linux import collect
from rollout.diagnose.hubfile import HUBVIEW, hub_facts, read
from rollout.diagnose.model import Fact
from rollout.inventory.loader import Inventory, load_inventory
from rollout.netlab import faults, lab, router
from rollout.netlab import hubview as hv
from rollout.secrets import load_secrets

pytestmark = pytest.mark.netlab
SITE = "bao-thang"


@dataclass
class Ctx:
    inv: Inventory
    light: bool = False


@dataclass
class Lab:
    root: Path
    inv: Inventory
    state: lab.NetlabState

    @property
    def folder(self) -> Path:
        return self.root / ".netlab"

    def router_facts(self) -> list[Fact]:
        secrets = load_secrets(self.root)
        return collect(Ctx(self.inv), router.managed(self.inv, self.folder, SITE, secrets))

    def hub_facts(self) -> list[Fact]:
        """The hub's figures taken wholly after this call began (a full window later)."""
        since = time.time()
        deadline = since + 60
        while time.time() < deadline:
            data = read(self.folder / HUBVIEW) or {}
            if float(data.get("at", 0)) >= since + hv.PERIOD_S * (hv.WINDOW + 0.5):
                return hub_facts(self.folder / HUBVIEW, SITE)
            time.sleep(0.5)
        pytest.fail("the hub's view was not refreshed within 60 s")

    def impose(self, kind: str, severity: float | None = None) -> faults.Fault | None:
        return faults.impose(self.inv, self.state, SITE, kind, severity)

    def clear(self) -> None:
        faults.clear(self.state, SITE)


def num(fact: Fact, key: str) -> float:
    value = fact.values[key]
    assert isinstance(value, int | float), (key, fact.values)
    return float(value)


def one(facts: list[Fact], check: str, subject: str, device: str | None = None) -> Fact:
    found = [
        f for f in facts if f.check == check and f.subject == subject and device in (None, f.device)
    ]
    assert len(found) == 1, (check, subject, [f.to_json() for f in facts])
    return found[0]


def healthy(lab_: Lab) -> None:
    facts = lab_.router_facts()
    policy = one(facts, "service_policy", "wan0")
    assert policy.values["attached"] == policy.values["expected"] == "htb 1:"
    assert not [f for f in facts if f.check == "acl" and f.values["denied_media"]]
    for what in ("next_hop", "hub", "mcu", "registrar", "cloud"):
        assert one(facts, "reach", what).values["success_percent"] == 100.0, what
    hub = lab_.hub_facts()
    for cls in ("EF", "AF41", "CS3", "cloud"):
        dscp = one(hub, "dscp", cls)
        assert dscp.values["arrived_marked_percent"] == 100.0, dscp.lines
        assert int(dscp.values["packets"]) > 0
    for what in ("registrar", "mcu"):
        assert one(hub, "reach", what).values["success_percent"] == 100.0, what


@pytest.fixture(scope="module")
def lab_(lab_repo: Path) -> Iterator[Lab]:
    state = lab.NetlabState.read(lab_repo / ".netlab")
    assert state is not None
    yield Lab(lab_repo, load_inventory(lab_repo), state)
    faults.clear(state)


def test_a_healthy_site_shows_healthy_facts(lab_: Lab) -> None:
    healthy(lab_)
    facts = lab_.router_facts()
    shaper = one(facts, "shaper", "wan0")
    assert shaper.values == {"shape_kbps": 9500, "contract_kbps": 10000}
    names = {f.subject for f in facts if f.check == "policy_class"}
    assert {"voice", "video", "signalling", "class-default"} <= names
    wan = one(facts, "interface", "wan0")
    assert (wan.segment, wan.values["status"], wan.values["protocol"]) == ("wan", "up", "up")
    assert one(facts, "interface", "lan0").segment == "lan"


def test_loss_on_the_access_link_shows_at_the_next_hop(lab_: Lab) -> None:
    lab_.impose("loss", 30)
    facts = lab_.router_facts()
    assert num(one(facts, "reach", "next_hop"), "success_percent") < 100
    assert num(one(facts, "reach", "hub"), "success_percent") < 100
    lab_.clear()
    assert one(lab_.router_facts(), "reach", "next_hop").values["success_percent"] == 100


def test_jitter_shows_beyond_the_next_hop(lab_: Lab) -> None:
    lab_.impose("jitter", 40)
    facts = lab_.router_facts()
    assert float(one(facts, "reach", "hub").values["jitter_ms"]) > 10
    assert float(one(facts, "reach", "next_hop").values["jitter_ms"]) < 5
    lab_.clear()
    assert float(one(lab_.router_facts(), "reach", "hub").values["jitter_ms"]) < 10


def test_qos_removed_by_hand_under_a_flood(lab_: Lab) -> None:
    fault = lab_.impose("qos-removed")
    assert fault is not None and fault.procs
    assert {p.name for p in lab_.state.processes} >= set(fault.procs)  # `down` stops it
    facts = lab_.router_facts()
    assert one(facts, "service_policy", "wan0").values["attached"] == ""
    assert one(facts, "shaper", "wan0").values["shape_kbps"] == 0
    assert int(one(facts, "interface", "wan0").values["out_kbps"]) > 10000
    lab_.clear()
    assert not set(fault.procs) & {p.name for p in lab_.state.processes}
    facts = lab_.router_facts()
    assert one(facts, "service_policy", "wan0").values["attached"] == "htb 1:"
    assert int(one(facts, "interface", "wan0").values["out_kbps"]) < 1000


def test_a_provider_below_the_shaper_drops_what_the_router_sends(lab_: Lab) -> None:
    lab_.impose("provider-drops", 60)
    facts = lab_.router_facts()
    sent = int(one(facts, "interface", "wan0").values["out_kbps"])
    assert not [f for f in facts if f.check == "policy_class" and f.values["drop_kbps"]]
    arrived = int(one(lab_.hub_facts(), "link_load", "s1").values["in_kbps"])
    assert arrived < sent * 0.8, (arrived, sent)
    lab_.clear()
    weather = json.loads((lab_.folder / f"weather-{SITE}.json").read_text())
    assert weather["rate_kbps"] == 10000


def test_dscp_bleached_by_the_provider_shows_at_the_hub(lab_: Lab) -> None:
    lab_.impose("dscp-bleach")
    hub = lab_.hub_facts()
    for cls in ("EF", "AF41", "CS3", "cloud"):
        assert one(hub, "dscp", cls).values["arrived_marked_percent"] == 0.0, cls
    lab_.clear()
    assert one(lab_.hub_facts(), "dscp", "EF").values["arrived_marked_percent"] == 100.0


def test_registrar_down_answers_pings_but_not_sip(lab_: Lab) -> None:
    lab_.impose("registrar-down")
    assert one(lab_.router_facts(), "reach", "registrar").values["success_percent"] == 100
    hub = lab_.hub_facts()
    assert one(hub, "reach", "registrar").values["success_percent"] == 0
    assert one(hub, "reach", "mcu").values["success_percent"] == 100
    lab_.clear()
    assert one(lab_.hub_facts(), "reach", "registrar").values["success_percent"] == 100


def test_mcu_unreachable(lab_: Lab) -> None:
    lab_.impose("mcu-unreachable")
    facts = lab_.router_facts()
    assert one(facts, "reach", "mcu").values["success_percent"] == 0
    assert one(facts, "reach", "registrar").values["success_percent"] == 100
    assert one(lab_.hub_facts(), "reach", "mcu").values["success_percent"] == 0
    lab_.clear()
    assert one(lab_.router_facts(), "reach", "mcu").values["success_percent"] == 100


def test_media_blocked_by_a_hand_rule_counts_and_drifts(lab_: Lab) -> None:
    lab_.impose("media-blocked")
    lab_.hub_facts()  # the hub's probes are media to the MCU: the rule counts them
    acl = one(lab_.router_facts(), "acl", "inet rollout forward")
    assert int(acl.values["denied_media"]) > 0
    assert "udp dport { 3230-3329, 49152-65535 }" in acl.lines[0]
    problems = router.driver(lab_.inv, lab_.state, SITE).live_problems()
    assert any("forward has a rule the plan does not" in p for p in problems), problems
    lab_.clear()
    assert not [f for f in lab_.router_facts() if f.check == "acl"]
    assert router.driver(lab_.inv, lab_.state, SITE).live_problems() == []


def test_link_flaps_are_counted_with_their_time(lab_: Lab) -> None:
    before = int(one(lab_.router_facts(), "interface", "wan0").values["flaps"])
    lab_.impose("link-flaps", 2)
    wan = one(lab_.router_facts(), "interface", "wan0")
    assert int(wan.values["flaps"]) == before + 2
    assert 0 <= float(wan.values["last_flap_s"]) < 30
    assert int(wan.values["carrier_transitions"]) >= 4
    assert wan.values["status"] == "up"
    lab_.clear()
    assert one(lab_.router_facts(), "reach", "hub").values["success_percent"] == 100


def rollout(lab_: Lab, *args: str) -> tuple[int, str]:
    from click.testing import CliRunner

    from rollout.cli.main import cli

    env = {"ROLLOUT_REPO": str(lab_.root), "ROLLOUT_NETLAB_DIR": str(lab_.folder)}
    result = CliRunner().invoke(cli, list(args), env=env, prog_name="rollout")
    return result.exit_code, result.output


def test_cloud_unreachable_through_the_cli(lab_: Lab) -> None:
    code, out = rollout(lab_, "netlab", "fault", SITE, "cloud-unreachable", "--format", "json")
    assert code == 0, out
    assert json.loads(out)["imposed"][0]["kind"] == "cloud-unreachable"
    code, out = rollout(lab_, "netlab", "status")
    assert code == 0 and "cloud-unreachable" in out, out
    facts = lab_.router_facts()
    cloud = one(facts, "reach", "cloud")
    assert (cloud.segment, cloud.values["success_percent"]) == ("cloud", 0)
    assert one(facts, "reach", "mcu").values["success_percent"] == 100
    code, out = rollout(lab_, "netlab", "fault", SITE, "--clear", "cloud-unreachable")
    assert code == 0 and "cleared: bao-thang cloud-unreachable" in out, out
    assert one(lab_.router_facts(), "reach", "cloud").values["success_percent"] == 100
    code, out = rollout(lab_, "netlab", "fault", SITE, "no-such-fault")
    assert code == 1 and "no fault kind 'no-such-fault'" in out, out


def test_faults_are_listed_and_healthy_clears_them_all(lab_: Lab) -> None:
    lab_.impose("mcu-unreachable")
    lab_.impose("loss", 10)
    kinds = {f["kind"] for f in lab.status(lab_.folder)["faults"]}
    assert kinds == {"mcu-unreachable", "loss"}
    assert lab_.impose("healthy") is None
    assert faults.active(lab_.state) == []
    healthy(lab_)
