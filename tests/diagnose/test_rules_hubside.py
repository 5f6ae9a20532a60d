"""Rules that weigh the hub's side of a site and the age of what the devices remember: the
provider's gap between what the router sends and what the hub receives, the registrar's SIP
answer over the router's echo, and a link that flapped but is stable now."""

from __future__ import annotations

from diag_evidence import EXPECT, RTR, WAN, evidence, healthy_facts

from rollout.diagnose.model import Fact
from rollout.diagnose.rules import diagnose

HUB = "hub"


def _wan(**values: float | int | str) -> Fact:
    base = next(f for f in healthy_facts() if f.check == "interface" and f.subject == WAN)
    return Fact(base.device, base.segment, base.check, base.subject, {**base.values, **values})


def _hub_load(in_kbps: float) -> Fact:
    return Fact(
        HUB,
        "hub",
        "link_load",
        "s1",
        {"load_percent": 40.0, "in_kbps": in_kbps, "contract_kbps": 10000},
    )


def test_the_provider_keeps_part_of_what_the_router_sends() -> None:
    ev = evidence(change={(RTR, "interface", WAN): _wan(out_kbps=9100)}, add=[_hub_load(6650)])
    top = diagnose(ev, EXPECT).causes[0]
    assert (top.segment, top.code) == ("wan", "wan.provider_drops")
    assert any("9100" in line for line in top.evidence)
    assert any("6650" in line for line in top.evidence)


def test_both_ends_agree_on_a_healthy_site() -> None:
    ev = evidence(change={(RTR, "interface", WAN): _wan(out_kbps=9100)}, add=[_hub_load(8900)])
    assert diagnose(ev, EXPECT).verdict == "healthy"


def test_a_quiet_link_is_no_evidence_of_drops() -> None:
    ev = evidence(change={(RTR, "interface", WAN): _wan(out_kbps=120)}, add=[_hub_load(10)])
    assert diagnose(ev, EXPECT).verdict == "healthy"


def test_the_registrar_answers_pings_but_not_sip() -> None:
    echo = Fact(
        RTR,
        "hub",
        "reach",
        "registrar",
        {"target": "10.16.0.21", "success_percent": 100, "sent": 5},
    )
    sip = Fact(
        HUB,
        "hub",
        "reach",
        "registrar",
        {"target": "10.16.0.21", "probe": "sip-tcp", "success_percent": 0.0},
    )
    ev = evidence(change={(RTR, "reach", "registrar"): echo}, add=[sip])
    top = diagnose(ev, EXPECT).causes[0]
    assert (top.segment, top.code) == ("hub", "hub.registrar_down")


def test_old_flaps_rank_below_what_fails_now() -> None:
    flapped = _wan(flaps=3, last_flap_s=600, resets_delta=0, carrier_transitions_delta=0)
    dead_mcu = Fact(
        RTR, "hub", "reach", "mcu", {"target": "10.16.0.20", "success_percent": 0, "sent": 5}
    )
    ev = evidence(change={(RTR, "interface", WAN): flapped, (RTR, "reach", "mcu"): dead_mcu})
    codes = [c.code for c in diagnose(ev, EXPECT).causes]
    assert codes[0] == "hub.mcu_unreachable"
    assert "wan.link_flaps" in codes


def test_recent_flaps_come_first() -> None:
    flapping = _wan(flaps=3, last_flap_s=20)
    top = diagnose(evidence(change={(RTR, "interface", WAN): flapping}), EXPECT).causes[0]
    assert top.code == "wan.link_flaps"


def test_without_our_shaper_the_gap_is_the_removed_policy() -> None:
    policy = next(f for f in healthy_facts() if f.check == "service_policy")
    removed = Fact(
        policy.device,
        policy.segment,
        policy.check,
        policy.subject,
        {**policy.values, "attached": ""},
    )
    ev = evidence(
        change={
            (RTR, "interface", WAN): _wan(out_kbps=14000),
            (policy.device, "service_policy", policy.subject): removed,
        },
        add=[_hub_load(9800)],
    )
    causes = diagnose(ev, EXPECT).causes
    assert (causes[0].segment, causes[0].code) == ("config", "config.qos_removed")
    assert any("14000" in line for line in causes[0].evidence)
