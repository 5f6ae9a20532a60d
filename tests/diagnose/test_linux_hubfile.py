"""The hub-side figures as facts: read from the file the hub's monitoring keeps (in the network
lab, its hubview.json), never from a stale or missing one."""

from __future__ import annotations

import json
from pathlib import Path

from rollout.diagnose import hubfile

DATA = {
    "taken_at": "2026-11-29T23:04:33+00:00",
    "at": 1000.0,
    "period_s": 2.0,
    "window_s": 6.0,
    "sites": {
        "bao-thang": {
            "dscp": {
                "EF": {"expected": "EF", "sent": 30, "arrived": 30, "arrived_marked_percent": 0.0},
                "cloud": {
                    "expected": "AF41",
                    "sent": 30,
                    "arrived": 28,
                    "arrived_marked_percent": 100.0,
                },
            },
            "reach": {
                "registrar": {
                    "target": "10.16.0.21",
                    "probe": "sip-tcp",
                    "success_percent": 0.0,
                    "rtt_ms": 0.0,
                },
            },
            "link_load": {
                "interface": "s1",
                "in_kbps": 6650,
                "contract_kbps": 10000,
                "load_percent": 66.5,
            },
        },
        "broken": {"error": "OSError: no namespace"},
    },
}


def write(tmp_path: Path) -> Path:
    path = tmp_path / hubfile.HUBVIEW
    path.write_text(json.dumps(DATA), encoding="utf-8")
    return path


def test_the_sites_figures_become_facts(tmp_path: Path) -> None:
    facts = hubfile.hub_facts(write(tmp_path), "bao-thang", now=1005.0)
    by = {(f.check, f.subject): f for f in facts}
    ef = by[("dscp", "EF")]
    assert (ef.device, ef.segment) == (hubfile.HUB_DEVICE, "wan")
    assert ef.values == {"expected": "EF", "arrived_marked_percent": 0.0, "packets": 30, "sent": 30}
    assert "0 % marked EF" in ef.lines[0]
    reg = by[("reach", "registrar")]
    assert reg.segment == "hub" and reg.values["success_percent"] == 0.0
    assert reg.values["probe"] == "sip-tcp"
    load = by[("link_load", "s1")]
    assert load.segment == "hub" and load.values["load_percent"] == 66.5
    assert len(facts) == 4


def test_stale_missing_or_broken_figures_give_no_facts(tmp_path: Path) -> None:
    path = write(tmp_path)
    assert hubfile.hub_facts(path, "bao-thang", now=1000.0 + hubfile.MAX_AGE_S + 1) == []
    assert hubfile.hub_facts(path, "other-site", now=1001.0) == []
    assert hubfile.hub_facts(path, "broken", now=1001.0) == []
    assert hubfile.hub_facts(tmp_path / "none.json", "bao-thang") == []
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    assert hubfile.hub_facts(tmp_path / "bad.json", "bao-thang") == []


def test_the_network_lab_writes_the_file_the_reader_takes(tmp_path: Path) -> None:
    from rollout.netlab import hubview

    assert hubview.HUBVIEW == hubfile.HUBVIEW
    hubview.write(tmp_path, DATA["sites"])  # type: ignore[arg-type]
    facts = hubfile.hub_facts(tmp_path / hubfile.HUBVIEW, "bao-thang")
    assert {f.check for f in facts} == {"dscp", "reach", "link_load"}
