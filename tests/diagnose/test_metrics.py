"""The Prometheus text of the latest evidence, parsed back with prometheus_client's own parser;
the HTTP endpoint on a port the kernel picks; the textfile written by an atomic replace."""

from __future__ import annotations

import sys
import types
import urllib.request
from collections.abc import Iterable
from pathlib import Path

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from rollout.diagnose.metrics import (
    EvidenceCollector,
    Server,
    label_name,
    metric_name,
    registry_for,
    rules_judge,
    write_file,
)
from rollout.diagnose.model import Fact, SiteEvidence, Unreached
from rollout.diagnose.watch import Snapshot

TAKEN = "2026-12-01T02:00:00+00:00"

BAC_HA = SiteEvidence(
    "bac-ha",
    TAKEN,
    (
        Fact(
            "bac-ha-sw01",
            "lan",
            "interface",
            "GigabitEthernet1/0/1",
            {
                "role": "codec_port",
                "duplex": "half",
                "crc": 1234,
                "late_collisions": 56,
                "speed_mbps": 100,
            },
        ),
        Fact(
            "bac-ha-rt01",
            "wan",
            "policy_class",
            "VOICE",
            {"policy": "WAN-OUT", "direction": "output", "drops": 12, "offered_kbps": 90.5},
        ),
        Fact(
            "bac-ha-rt01",
            "wan",
            "policy_class",
            "VOICE",
            {"policy": "WAN-IN", "direction": "input", "drops": 0, "offered_kbps": 80.0},
        ),
        Fact("bac-ha-cd01", "endpoint", "registration", "gatekeeper", {"online": False}),
        Fact("bac-ha-cd01", "endpoint", "registration", "gatekeeper", {"online": True}),
    ),
    seconds=2.5,
    light=True,
)
SA_PA = SiteEvidence(
    "sa-pa",
    TAKEN,
    unreached=(Unreached("sa-pa-rt01", "wan", "no route to host", "unreachable"),),
    seconds=20.0,
)


def samples(text: str) -> dict[str, list[Sample]]:
    out: dict[str, list[Sample]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append(sample)
    return out


def one(found: Iterable[Sample], **labels: str) -> float:
    hits = [s.value for s in found if all(s.labels.get(k) == v for k, v in labels.items())]
    assert len(hits) == 1, (labels, hits)
    return hits[0]


def snapshot() -> Snapshot:
    return Snapshot({"bac-ha": BAC_HA, "sa-pa": SA_PA}, {"bat-xat": "timed out"})


def text_of(fault: bool | None = None) -> str:
    registry = registry_for(snapshot, (lambda e: e.site == "bac-ha") if fault else None)
    return generate_latest(registry).decode()


def test_facts_become_gauges_with_site_device_subject() -> None:
    got = samples(text_of())
    port = {"site": "bac-ha", "device": "bac-ha-sw01", "subject": "GigabitEthernet1/0/1"}
    assert one(got["rollout_interface_crc"], **port, role="codec_port") == 1234
    assert one(got["rollout_interface_late_collisions"], **port) == 56
    assert one(got["rollout_interface_speed_mbps"], **port) == 100
    # a class seen in two directions is two series, told apart by its labels
    drops = got["rollout_policy_class_drops"]
    assert one(drops, direction="output", policy="WAN-OUT") == 12
    assert one(drops, direction="input", policy="WAN-IN") == 0
    assert one(got["rollout_policy_class_offered_kbps"], direction="output") == 90.5
    # booleans are 0/1; the same series twice keeps the first
    assert one(got["rollout_registration_online"], subject="gatekeeper") == 0
    # strings: an info metric (value 1, the text as labels)
    info = got["rollout_interface_info"]
    assert one(info, duplex="half", device="bac-ha-sw01") == 1
    assert "role" not in info[0].labels  # an identifying label of the gauges instead


def test_site_metrics() -> None:
    got = samples(text_of())
    assert one(got["rollout_site_up"], site="bac-ha") == 1
    assert one(got["rollout_site_up"], site="sa-pa") == 0
    assert one(got["rollout_site_up"], site="bat-xat") == 0
    assert one(got["rollout_site_unreached_devices"], site="sa-pa") == 1
    assert one(got["rollout_collect_seconds"], site="sa-pa") == 20
    assert one(got["rollout_collect_failed"], site="bat-xat") == 1
    assert one(got["rollout_collect_failed"], site="bac-ha") == 0
    assert one(got["rollout_evidence_timestamp_seconds"], site="bac-ha") == 1796090400
    assert "rollout_site_fault" not in got  # no verdict without rules


def test_site_fault_from_the_rules() -> None:
    got = samples(text_of(fault=True))
    assert one(got["rollout_site_fault"], site="bac-ha") == 1
    assert one(got["rollout_site_fault"], site="sa-pa") == 0


def test_names_and_labels_are_valid() -> None:
    assert metric_name("sla", "rtt-ms") == "rollout_sla_rtt_ms"
    assert label_name("site") == "value_site"
    assert label_name("9lives") == "value_9lives"
    assert label_name("__x") == "x"
    odd = SiteEvidence(
        "bao-yen",
        TAKEN,
        (Fact("d", "wan", "reach", "mcu", {"site": "x", "rtt.ms": 3, "target": "10.0.0.1"}),),
    )
    got = samples(generate_latest(registry_for(lambda: Snapshot({"bao-yen": odd}), None)).decode())
    assert one(got["rollout_reach_rtt_ms"], site="bao-yen") == 3
    assert one(got["rollout_reach_info"], value_site="x", target="10.0.0.1") == 1


def test_http_endpoint_on_a_port_the_kernel_picks() -> None:
    server = Server(registry_for(snapshot, None), 0)
    try:
        assert server.port > 0
        assert server.url.startswith("http://127.0.0.1:")
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
        with direct.open(server.url, timeout=30) as reply:
            body = reply.read().decode()
        got = samples(body)
        assert one(got["rollout_interface_crc"], site="bac-ha") == 1234
    finally:
        server.close()


def test_textfile_is_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "textfile" / "rollout.prom"
    write_file(registry_for(snapshot, None), path)
    got = samples(path.read_text())
    assert one(got["rollout_site_up"], site="bac-ha") == 1
    assert [p.name for p in path.parent.iterdir()] == ["rollout.prom"]  # no temporary left


def test_the_rules_verdict_when_the_rules_are_there(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("rollout.diagnose.rules")
    asked: list[tuple[str, object]] = []

    def diagnose(evidence: SiteEvidence, expectations: object) -> list[str]:
        asked.append((evidence.site, expectations))
        if evidence.site == "sa-pa":
            raise KeyError("no facts to judge")
        return ["lan.duplex_mismatch"] if evidence.facts else []

    module.diagnose = diagnose  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "rollout.diagnose.rules", module)
    judge = rules_judge(lambda site: f"expectations of {site}")
    assert judge is not None
    got = samples(generate_latest(registry_for(snapshot, judge)).decode())
    assert one(got["rollout_site_fault"], site="bac-ha") == 1
    assert [s.labels["site"] for s in got["rollout_site_fault"]] == ["bac-ha"]  # sa-pa: unjudged
    assert ("bac-ha", "expectations of bac-ha") in asked
    # judged once per new evidence, not at every scrape
    generate_latest(registry_for(snapshot, judge))
    collector = EvidenceCollector(snapshot, judge)
    list(collector.collect())
    list(collector.collect())
    assert sum(1 for a in asked if a[0] == "bac-ha") == 3


def test_no_rules_no_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rollout.diagnose.rules", None)
    assert rules_judge() is None
