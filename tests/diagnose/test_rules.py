"""Every rule on hand-built evidence: each fault names its segment and code first, a healthy
site (fresh or from the history, full or light) yields no cause."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from diag_evidence import (
    CODEC,
    CODEC_PORT,
    EXPECT,
    LAN,
    RTR,
    SW,
    UPLINK,
    WAN,
    evidence,
    healthy_facts,
    policy_class,
    port,
    reach,
    sla,
)

from rollout.diagnose.model import FULL, Fact, SiteEvidence, Unreached, Value
from rollout.diagnose.rules import diagnose

Build = Callable[[], SiteEvidence]


def _loss(**values: float | str) -> dict[tuple[str, str, str], Fact | None]:
    return {(RTR, "sla", f"op {op}"): sla(op, **values) for op in (10, 20, 30, 40)}


def _drift(device: str, *lines: str) -> Fact:
    return Fact(device, "config", "drift", device, {"lines": len(lines)}, lines, FULL)


def _offline(kind: str, address: str, expected: str) -> Fact:
    values: dict[str, Value] = {"online": False, "address": address, "expected": expected}
    return Fact(CODEC, "endpoint", "registration", kind, values, (f"{kind}: offline",))


FAULTS: dict[str, tuple[Build, str, str]] = {
    "duplex mismatch (late collisions rising)": (
        lambda: evidence(
            change={
                (SW, "interface", CODEC_PORT): port(
                    SW,
                    CODEC_PORT,
                    "codec_port",
                    duplex="half",
                    speed_mbps=100,
                    late_collisions=235,
                    late_collisions_delta=14,
                    crc=40,
                    crc_delta=6,
                )
            }
        ),
        "lan",
        "lan.duplex_mismatch",
    ),
    "CRC errors rising on the codec port": (
        lambda: evidence(
            change={
                (SW, "interface", CODEC_PORT): port(
                    SW,
                    CODEC_PORT,
                    "codec_port",
                    crc=900,
                    crc_delta=40,
                    input_errors=910,
                    input_errors_delta=41,
                )
            }
        ),
        "lan",
        "lan.port_errors",
    ),
    "CRC errors, history only (no second reading)": (
        lambda: evidence(
            change={
                (SW, "interface", UPLINK): Fact(
                    SW,
                    "lan",
                    "interface",
                    UPLINK,
                    {
                        "role": "uplink",
                        "status": "up",
                        "protocol": "up",
                        "duplex": "full",
                        "input_errors": 50_000,
                        "crc": 50_000,
                        "input_packets": 2_000_000,
                    },
                )
            }
        ),
        "lan",
        "lan.port_errors",
    ),
    "codec port down": (
        lambda: evidence(
            change={
                (SW, "interface", CODEC_PORT): port(
                    SW, CODEC_PORT, "codec_port", status="down", protocol="down"
                )
            }
        ),
        "lan",
        "lan.port_down",
    ),
    "loss on the access link": (
        lambda: evidence(
            change={
                **_loss(loss_percent=4.0),
                (RTR, "reach", "next_hop"): reach("next_hop", 85),
                (RTR, "reach", "hub"): reach("hub", 85),
            }
        ),
        "wan",
        "wan.access_loss",
    ),
    "jitter beyond the access link": (
        lambda: evidence(change=_loss(jitter_ms=55.0)),
        "wan",
        "wan.backbone_loss",
    ),
    "loss, light check (no probes)": (
        lambda: evidence(
            [f for f in healthy_facts() if f.weight != FULL], change=_loss(loss_percent=3.0)
        ),
        "wan",
        "wan.path_loss",
    ),
    "QoS policy removed, link congested": (
        lambda: evidence(
            change={
                (RTR, "service_policy", WAN): Fact(
                    RTR,
                    "config",
                    "service_policy",
                    WAN,
                    {"expected": "WAN-SHAPER", "attached": ""},
                ),
                (RTR, "shaper", WAN): None,
                (RTR, "interface", WAN): port(RTR, WAN, "wan", "wan", output_drops_delta=340),
                (RTR, "drift", RTR): _drift(
                    RTR, f"+ interface {WAN}", "+ service-policy output WAN-SHAPER"
                ),
                **_loss(loss_percent=6.0, jitter_ms=80.0),
            }
        ),
        "config",
        "config.qos_removed",
    ),
    "shaper above the contract": (
        lambda: evidence(
            change={
                (RTR, "shaper", WAN): Fact(
                    RTR, "wan", "shaper", WAN, {"shape_kbps": 20000, "contract_kbps": 10000}
                ),
                **_loss(loss_percent=2.5),
            }
        ),
        "wan",
        "wan.provider_drops",
    ),
    "provider polices below the contract": (
        lambda: evidence(
            change={
                (RTR, "class-default", "x"): None,
                **_loss(loss_percent=2.0),
            },
            facts=[
                f
                for f in healthy_facts()
                if not (f.check == "policy_class" and f.values.get("policy") == "WAN-SHAPER")
            ]
            + [policy_class("class-default", 9000, policy="WAN-SHAPER")],
        ),
        "wan",
        "wan.provider_drops",
    ),
    "our queues drop video (link full)": (
        lambda: evidence(
            add=[policy_class("video", 9400, drops=600)], change=_loss(loss_percent=3.0)
        ),
        "wan",
        "wan.congestion",
    ),
    "DSCP bleached": (
        lambda: evidence(
            change={
                (RTR, "dscp", "video"): Fact(
                    RTR,
                    "wan",
                    "dscp",
                    "video",
                    {"expected": "AF41", "arrived_marked_percent": 0.0, "packets": 5000},
                )
            }
        ),
        "wan",
        "wan.dscp_bleached",
    ),
    "WAN link flaps": (
        lambda: evidence(
            change={
                (RTR, "interface", WAN): port(RTR, WAN, "wan", "wan", flaps=4, resets=9),
                **_loss(loss_percent=3.0),
            }
        ),
        "wan",
        "wan.link_flaps",
    ),
    "WAN link down": (
        lambda: evidence(
            change={
                (RTR, "interface", WAN): port(
                    RTR, WAN, "wan", "wan", status="down", protocol="down"
                ),
                **_loss(loss_percent=100.0, return_code="Timeout"),
                (RTR, "reach", "next_hop"): reach("next_hop", 0),
            }
        ),
        "wan",
        "wan.link_down",
    ),
    "registrar down": (
        lambda: evidence(
            change={
                (CODEC, "registration", "gatekeeper"): _offline(
                    "gatekeeper", "10.16.0.22", "10.16.0.22"
                ),
                (RTR, "reach", "registrar"): reach("registrar", 0),
            }
        ),
        "hub",
        "hub.registrar_down",
    ),
    "codec points at the wrong registrar": (
        lambda: evidence(
            change={(CODEC, "registration", "sip"): _offline("sip", "10.16.0.99", "10.16.0.21")}
        ),
        "endpoint",
        "endpoint.not_registered",
    ),
    "MCU unreachable": (
        lambda: evidence(change={(RTR, "reach", "mcu"): reach("mcu", 0)}),
        "hub",
        "hub.mcu_unreachable",
    ),
    "media blocked by an ACL changed by hand": (
        lambda: evidence(
            add=[
                Fact(
                    RTR,
                    "config",
                    "acl",
                    "WAN-IN",
                    {"denied_media": 1840},
                    ("15 deny udp any any range 3230 3329 (1840 matches)",),
                ),
            ],
            change={(RTR, "drift", RTR): _drift(RTR, "- 15 deny udp any any range 3230 3329")},
        ),
        "config",
        "config.acl_blocks_media",
    ),
    "cloud unreachable": (
        lambda: evidence(change={(RTR, "reach", "cloud"): reach("cloud", 0)}),
        "cloud",
        "cloud.unreachable",
    ),
    "call rate over the budget": (
        lambda: evidence(
            change={
                (CODEC, "call_rate", CODEC): Fact(
                    CODEC,
                    "endpoint",
                    "call_rate",
                    CODEC,
                    {"configured_kbps": 4096, "budget_kbps": 2048},
                )
            }
        ),
        "endpoint",
        "endpoint.call_rate_over_budget",
    ),
    "hub link congested": (
        lambda: evidence(
            change={
                ("ubnd-tinh-rtr01", "link_load", "GigabitEthernet0/0/0"): Fact(
                    "ubnd-tinh-rtr01",
                    "hub",
                    "link_load",
                    "GigabitEthernet0/0/0",
                    {"load_percent": 97.0},
                )
            }
        ),
        "hub",
        "hub.link_congested",
    ),
    "switch does not answer": (
        lambda: evidence(
            [f for f in healthy_facts() if f.device != SW],
            unreached=[Unreached(SW, "lan", f"{SW}: connect: no answer", "unreachable")],
        ),
        "lan",
        "lan.device_unreachable",
    ),
    "unexplained hand change": (
        lambda: evidence(
            change={(SW, "drift", SW): _drift(SW, "- snmp-server community public RO")}
        ),
        "config",
        "config.drift",
    ),
    "bad call and nothing else": (
        lambda: evidence(
            change={
                (CODEC, "call", "34"): Fact(
                    CODEC,
                    "endpoint",
                    "call",
                    "34",
                    {"state": "connected", "loss_percent": 4.0, "jitter_ms": 3.0},
                )
            }
        ),
        "endpoint",
        "endpoint.call_impaired",
    ),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_is_named_first(name: str) -> None:
    build, segment, code = FAULTS[name]
    found = diagnose(build(), EXPECT)
    assert found.verdict == "fault"
    top = found.causes[0]
    assert (top.segment, top.code) == (segment, code), [c.code for c in found.causes]
    assert top.evidence and top.fix and top.cause


HEALTHY: dict[str, Build] = {
    "fresh, full": evidence,
    "light (rollout watch)": lambda: evidence([f for f in healthy_facts() if f.weight != FULL]),
    "only the router and switch (no codec collector)": lambda: evidence(
        [f for f in healthy_facts() if f.device != CODEC]
    ),
    "old errors, none new": lambda: evidence(
        change={
            (SW, "interface", CODEC_PORT): port(
                SW, CODEC_PORT, "codec_port", crc=40, input_errors=40, late_collisions=2
            )
        }
    ),
    "old flap outside the window, resets old": lambda: evidence(
        change={(RTR, "interface", WAN): port(RTR, WAN, "wan", "wan", flaps=1, resets=40)}
    ),
    "loss at the threshold": lambda: evidence(change=_loss(loss_percent=1.0, jitter_ms=30.0)),
    "one echo lost by the provider edge": lambda: evidence(
        change={(RTR, "reach", "next_hop"): reach("next_hop", 95)}
    ),
    "one echo of five lost to the cloud": lambda: evidence(
        change={(RTR, "reach", "cloud"): reach("cloud", 80, sent=5)}
    ),
    "busy but not dropping": lambda: evidence(add=[policy_class("video", 5200, drops=0)]),
    "room client switched off": evidence,
    "from the history (JSON round trip)": lambda: SiteEvidence.from_json(evidence().to_json()),
}


@pytest.mark.parametrize("name", list(HEALTHY))
def test_healthy_site_has_no_cause(name: str) -> None:
    found = diagnose(HEALTHY[name](), EXPECT)
    assert found.verdict == "healthy", [(c.code, c.evidence) for c in found.causes]
    assert found.to_json()["causes"] == []


def test_removed_policy_outranks_congestion_and_absorbs_its_drift() -> None:
    ev = FAULTS["QoS policy removed, link congested"][0]()
    ev = evidence(list(ev.facts), add=[policy_class("video", 9000, drops=400)])
    found = diagnose(ev, EXPECT)
    codes = [c.code for c in found.causes]
    assert codes[0] == "config.qos_removed"
    assert "wan.congestion" in codes
    assert codes.index("config.qos_removed") < codes.index("wan.congestion")
    assert "config.drift" not in codes  # the drift line is the removed policy's evidence
    assert f"{RTR}: + service-policy output WAN-SHAPER" in found.causes[0].evidence


def test_acl_drift_is_absorbed() -> None:
    found = diagnose(FAULTS["media blocked by an ACL changed by hand"][0](), EXPECT)
    assert [c.code for c in found.causes] == ["config.acl_blocks_media"]
    assert any("(1840 matches)" in e for e in found.causes[0].evidence)


def test_registrar_reachable_but_codec_offline_points_to_codec() -> None:
    ev = evidence(
        change={(CODEC, "registration", "sip"): _offline("sip", "10.16.0.21", "10.16.0.21")}
    )
    top = diagnose(ev, EXPECT).causes[0]
    assert (top.segment, top.code) == ("endpoint", "endpoint.not_registered")


def test_hub_down_blames_the_path_not_the_services() -> None:
    ev = evidence(
        change={
            (RTR, "reach", "hub"): reach("hub", 0),
            (RTR, "reach", "mcu"): reach("mcu", 0),
            (RTR, "reach", "registrar"): reach("registrar", 0),
            **_loss(loss_percent=100.0, return_code="Timeout"),
        }
    )
    codes = [c.code for c in diagnose(ev, EXPECT).causes]
    assert codes[0] == "wan.backbone_loss"
    assert "hub.mcu_unreachable" not in codes and "hub.registrar_down" not in codes


def test_lan_interface_of_the_router_is_watched() -> None:
    ev = evidence(
        change={(RTR, "interface", LAN): port(RTR, LAN, "lan", crc_delta=30, input_errors_delta=30)}
    )
    top = diagnose(ev, EXPECT).causes[0]
    assert top.code == "lan.port_errors" and LAN in top.cause


def test_json_shape() -> None:
    data = diagnose(FAULTS["MCU unreachable"][0](), EXPECT).to_json()
    assert set(data) == {"site", "verdict", "causes", "seconds"}
    assert set(data["causes"][0]) == {"segment", "code", "cause", "evidence", "fix", "likelihood"}
