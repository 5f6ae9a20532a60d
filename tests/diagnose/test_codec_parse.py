"""The codec collector's parsing, on reply texts recorded from real systems, and its budget rule.

Fixtures are public outputs, each with its source; offline forms change only the word the
public drivers match (``gatekeeper (online|offline)``, ``sipserver (online|offline)``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rollout.diagnose.collect_codec import (
    READS,
    Budget,
    Expected,
    call_budget,
    call_fact,
    call_rate_fact,
    read_codec,
    reading_only,
    registration_facts,
)
from rollout.inventory.loader import Inventory, load_inventory
from rollout.lab.polycom import PolycomDevice
from rollout.parsers.polycom_stats import parse_callinfo

ROOT = Path(__file__).resolve().parents[2]

# AVISPL/dal-codecs-singlecodecs-polycom-realpresence-groupseries, PolycomGroupSeries.java
# (2015-2020 version), the comment block at its end: "The following commands are sent to the
# Polycom Group Series. Each command has a sample of the expected return data."
AVISPL_STATUS = """inacall offline
autoanswerp2p online
remotecontrol online
microphones online
visualboard online
globaldirectory offline
ipnetwork online
gatekeeper online
sipserver online
logthreshold offline
meetingpassword offline
rpms offline
status end"""
AVISPL_CALLINFO = """callinfo begin
callinfo:3:KOP.Lab.HDX9000:67.110.19.31:64:connected:muted:outgoing:videocall
callinfo end"""
AVISPL_ADVNETSTATS = """call:0 tar:16 K rar:16 K tvr:48 K rvr:48 K
tvru:42 K rvru:43 K tvfr:29 rvfr:29 vfe:0
tapl:0 rapl:0 taj:3 ms raj:3 ms tvpl:0 rvpl:0
tvj:4 ms rvj:9 ms dc:Disabled rsid:7771040001@vnoc1.com ccaps:---"""
AVISPL_NETSTATS = """call:0 txrate:64 K rxrate:64 K pktloss:0 %pktloss:0.0 %
tvp:H.264 rvp:H.264 tvf:640x368 rvf:SIF tap:G.722.1 rap:G.722.1 tcp:H.323 rcp:H.323"""

# `callinfo all` example of the Group Series Integrator's Reference Manual (callinfo), as
# published at manualsbrain.com/en/manuals/345685/?page=99 (the page wraps the first line).
MANUAL_CALLINFO = (
    "callinfo begin\n"
    "callinfo:43:Polycom Group Series Demo:192.168.1.101:384:connected:notmuted:outgoing:"
    "videocall\n"
    "callinfo:36:192.168.1.102:256:connected:muted:outgoing:videocall\n"
    "callinfo end"
)

EXPECTED = Expected(gatekeeper="10.15.0.5", registrar="10.15.0.6")


def _replies(status: str = AVISPL_STATUS) -> dict[str, str]:
    # Reply forms: 'gatekeeperip <addr>' and 'systemsetting sipregistrarserver <addr>' are the
    # success patterns of the AVISPL driver above; 'systemsetting iph323enable|sipenable' the
    # x30 adapter's queries (com.insightsystems.dal.poly.x30).
    return {
        "status": status,
        "systemsetting get iph323enable": "systemsetting iph323enable True",
        "usegatekeeper get": "usegatekeeper specify",
        "gatekeeperip get": "gatekeeperip 10.15.0.5",
        "systemsetting get sipenable": "systemsetting sipenable True",
        "systemsetting get sipregistrarserver": "systemsetting sipregistrarserver 10.15.0.6",
        "systemsetting get maxtxbandwidth": "systemsetting maxtxbandwidth 2048",
        "systemsetting get maxrxbandwidth": "systemsetting maxrxbandwidth 2048",
        "callinfo all": "system is not in a call",
    }


@pytest.fixture(scope="module")
def inventory() -> Inventory:
    return load_inventory(ROOT)


def test_registered_as_a_real_codec_prints_it() -> None:
    facts = {f.subject: f for f in registration_facts("c1", _replies(), EXPECTED)}
    gk, sip = facts["gatekeeper"], facts["sip"]
    assert gk.values == {
        "online": True,
        "address": "10.15.0.5",
        "expected": "10.15.0.5",
        "enabled": True,
        "mode": "specify",
    }
    assert sip.values["online"] is True and sip.values["address"] == "10.15.0.6"
    assert gk.lines[0] == "gatekeeper online" and "gatekeeperip 10.15.0.5" in gk.lines
    assert sip.lines[0] == "sipserver online"
    assert {f.check for f in facts.values()} == {"registration"}
    assert {f.segment for f in facts.values()} == {"endpoint"}


def test_offline_and_wrong_address() -> None:
    status = AVISPL_STATUS.replace("sipserver online", "sipserver offline")
    replies = _replies(status)
    replies["systemsetting get sipregistrarserver"] = "systemsetting sipregistrarserver 10.9.9.9"
    sip = next(f for f in registration_facts("c1", replies, EXPECTED) if f.subject == "sip")
    assert sip.values["online"] is False
    assert (sip.values["address"], sip.values["expected"]) == ("10.9.9.9", "10.15.0.6")
    assert "sipserver offline" in sip.lines


def test_empty_gatekeeper_and_disabled_h323() -> None:
    # An empty text setting prints as "" (the x30 adapter tests the reply for '""').
    replies = _replies(AVISPL_STATUS.replace("gatekeeper online", "gatekeeper offline"))
    replies["gatekeeperip get"] = 'gatekeeperip ""'
    replies["systemsetting get iph323enable"] = "systemsetting iph323enable false"
    gk = next(f for f in registration_facts("c1", replies, EXPECTED) if f.subject == "gatekeeper")
    assert gk.values["address"] == "" and gk.values["enabled"] is False
    assert gk.values["online"] is False


def test_call_from_real_statistics() -> None:
    (info,) = parse_callinfo(AVISPL_CALLINFO)
    fact = call_fact("c1", info, AVISPL_CALLINFO, AVISPL_ADVNETSTATS, AVISPL_NETSTATS)
    assert fact.check == "call" and fact.subject == "3"
    assert fact.values["state"] == "connected"
    assert fact.values["rate_kbps"] == 64
    assert fact.values["number"] == "67.110.19.31"
    assert fact.values["jitter_ms"] == 9.0  # rvj, the worst of taj/raj/tvj/rvj
    assert fact.values["loss_percent"] == 0.0
    assert fact.values["lost_packets"] == 0
    assert fact.values["protocol"] == "H.323"
    assert fact.lines[0].startswith("callinfo:3:KOP.Lab.HDX9000:")
    assert any(line.startswith("tapl:0 rapl:0") for line in fact.lines)


def test_manual_callinfo_gives_one_fact_per_call() -> None:
    calls = parse_callinfo(MANUAL_CALLINFO)
    facts = [call_fact("c1", c, MANUAL_CALLINFO, "", "") for c in calls]
    assert [(f.subject, f.values["rate_kbps"]) for f in facts] == [("43", 384), ("36", 256)]
    assert "loss_percent" not in facts[0].values  # no statistics read: no figure made up


def test_call_rate_fact() -> None:
    budget = Budget(budget_kbps=2048, planned_kbps=2048, video_class_kbps=5000, calls=2)
    replies = _replies()
    replies["systemsetting get maxtxbandwidth"] = "systemsetting maxtxbandwidth 4096"
    fact = call_rate_fact("c1", replies, budget)
    assert fact is not None and fact.subject == "c1"
    assert fact.values["configured_kbps"] == 4096 and fact.values["budget_kbps"] == 2048
    assert fact.lines == ("systemsetting maxtxbandwidth 4096", "systemsetting maxrxbandwidth 2048")
    replies["systemsetting get maxtxbandwidth"] = "error: command not found"
    replies["systemsetting get maxrxbandwidth"] = "error: command not found"
    assert call_rate_fact("c1", replies, budget) is None  # unknown, not zero


def test_budget_is_the_planned_rate_capped_by_the_video_class(inventory: Inventory) -> None:
    qos = inventory.province.qos
    video = next(c for c in qos.classes if c.name == qos.video_class)
    site = inventory.sites["bao-thang"]
    budget = call_budget(inventory, site)
    shaped = site.wan.rate_kbps * qos.shape_percent // 100
    assert budget.video_class_kbps == shaped * video.percent // 100
    assert budget.planned_kbps == site.conference.call_rate_kbps
    assert budget.budget_kbps == min(
        budget.planned_kbps,
        int(budget.video_class_kbps // (budget.calls * qos.call_overhead)),
    )
    # A thinner contract than planned: the video class caps the call below the plan.
    thin = site.model_copy(update={"wan": site.wan.model_copy(update={"rate_kbps": 1024})})
    capped = call_budget(inventory, thin)
    assert capped.budget_kbps < capped.planned_kbps


def test_only_reading_commands_are_ever_sent() -> None:
    device = PolycomDevice("c1")
    device.start_call("10.15.0.20")
    sent: list[str] = []

    def send(command: str) -> str:
        sent.append(command)
        return device.session().handle(command).output

    facts = read_codec("c1", send, EXPECTED, Budget(2048, 2048, 5000, 1))
    assert sent == [*READS, "advnetstats 0", "netstats 0"]
    assert [f.check for f in facts].count("call") == 1
    assert len(device.calls) == 1

    def evil(command: str) -> str:
        return "hanging up all"

    for command in (
        "hangup all",
        "dial manual 2048 10.15.0.20 sip",
        "systemsetting sipenable False",
    ):
        with pytest.raises(ValueError, match="not a reading command"):
            reading_only(evil)(command)
