"""Every flow of the pilot's flows table through its lab router, for real: the MCU's media on
its own port range, SIP over TCP, NTP answering the switch and the codec, and a flow removed by
hand on the router failing `rollout verify` by name."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rollout.inventory.loader import load_inventory
from rollout.netlab import flowsite, lab, ns, router
from rollout.netlab import verify as v

pytestmark = pytest.mark.netlab
SITE = "bao-thang"


def _state(root: Path) -> lab.NetlabState:
    state = lab.NetlabState.read(root / ".netlab")
    assert state is not None
    return state


def _listening(ns_name: str, proto: str) -> str:
    return ns.run(["ss", "-Hln", f"--{proto}"], ns=ns_name)


def test_every_flow_passes_both_ways_with_qos_on(lab_repo: Path) -> None:
    inv = load_inventory(lab_repo)
    state = _state(lab_repo)
    assert router.driver(inv, state, SITE).live_problems() == []
    assert "htb" in ns.run(["tc", "qdisc", "show", "dev", "wan0"], ns=state.names.rtr(SITE))
    report = flowsite.check_site(inv, state, SITE)
    assert report.ok, [f.detail() for f in report.flows if not f.ok] + [
        d.text() for d in report.drops if not d.ok
    ]
    rows = {f.name.split(" ")[0] for f in report.flows}
    assert {"media-to-mcu", "media-to-codec", "sip-out/registrar", "ntp/switch"} <= rows
    assert not [f.name for f in report.flows if f.unplaced]
    media = next(f for f in report.flows if f.name.startswith("media-to-mcu"))
    m = inv.province.media
    sent = [(s.sample.src_port, s.sample.dst_port) for s in media.samples]
    assert (m.codec_udp.first, m.mcu_udp.first) in sent
    assert (m.codec_udp.last, m.mcu_udp.last) in sent
    assert {d.chain for d in report.drops} == {
        "WAN-IN (forward)",
        "WAN-IN (input)",
        "CONFERENCE-IN (forward)",
        "CONFERENCE-IN (input)",
    }


def test_mcu_media_comes_from_the_mcu_range_and_the_codec_sends_from_its_own(
    lab_repo: Path,
) -> None:
    inv = load_inventory(lab_repo)
    state = _state(lab_repo)
    m = inv.province.media
    mcu, port = state.hub["mcu"], int(state.hub["mcu_media"])
    assert m.mcu_udp.first <= port <= m.mcu_udp.last and port != 3230
    udp = _listening(state.names.hub, "udp")
    assert f"{mcu}:{port} " in udp
    assert f"{mcu}:3230 " not in udp
    _call, rtp = v.sip_call(state, SITE, 2.0, codec_port=m.codec_udp.first)
    assert rtp.ok, rtp.detail
    assert f"{state.sites[SITE].codec}:{m.codec_udp.first} -> {mcu}:{port}" in rtp.detail


@pytest.fixture
def hub_filter(lab_repo: Path) -> Iterator[str]:
    """An nftables table of this test's own in the hub namespace, removed afterwards."""
    hub = _state(lab_repo).names.hub
    name = f"rl_test_{os.getpid()}"
    ns.run(["nft", "add", "table", "ip", name], ns=hub)
    ns.run(
        ["nft", "add", "chain", "ip", name, "in", "{ type filter hook input priority 0 ; }"],
        ns=hub,
    )
    try:
        yield name
    finally:
        ns.run(["nft", "delete", "table", "ip", name], ns=hub, check=False)


def test_the_sip_call_runs_over_tcp(lab_repo: Path, hub_filter: str) -> None:
    state = _state(lab_repo)
    registrar = state.hub["registrar"]
    assert state.hub["transport"] == "tcp"
    assert f"{registrar}:5060 " in _listening(state.names.hub, "tcp")
    ns.run(
        ["nft", "add", "rule", "ip", hub_filter, "in", "udp", "dport", "5060", "drop"],
        ns=state.names.hub,
    )
    call, _rtp = v.sip_call(state, SITE, 1.0)
    assert call.ok, call.detail
    assert "SIP over TCP" in call.detail
    ns.run(
        ["nft", "add", "rule", "ip", hub_filter, "in", "tcp", "dport", "5060", "drop"],
        ns=state.names.hub,
    )
    blocked, _rtp = v.sip_call(state, SITE, 1.0)
    assert not blocked.ok  # the call needs TCP: without it there is none


def test_ntp_answers_the_switch_and_the_codec(lab_repo: Path) -> None:
    state = _state(lab_repo)
    site = state.sites[SITE]
    assert site.switch
    eth1 = ns.run(["ip", "-o", "-4", "addr", "show", "dev", "eth1"], ns=state.names.lan(SITE))
    assert f" {site.switch}/" in eth1  # the switch's address, on the management VLAN
    checks = {c.name: c for c in v.ntp_checks(state, SITE)}
    assert set(checks) == {
        f"time: NTP answers the codec ({site.codec})",
        f"time: NTP answers the switch ({site.switch})",
    }
    for check in checks.values():
        assert check.ok, check.detail
        assert "stratum 2 answer from" in check.detail


def _media_rule(rtr: str, first: int, last: int) -> str:
    """The handle of WAN-IN's UDP rule towards the codec's media ports."""
    listing = ns.run(["nft", "-a", "list", "chain", "inet", "rollout", "wan_in"], ns=rtr)
    for line in listing.splitlines():
        if re.search(rf"udp .*dport {first}-{last}\b", line):
            found = re.search(r"# handle (\d+)", line)
            assert found is not None
            return found.group(1)
    raise AssertionError(f"no WAN-IN rule to udp {first}-{last}:\n{listing}")


def test_a_media_rule_removed_by_hand_fails_verify_and_is_named(lab_repo: Path) -> None:
    inv = load_inventory(lab_repo)
    state = _state(lab_repo)
    rtr = state.names.rtr(SITE)
    codec = inv.province.media.codec_udp
    handle = _media_rule(rtr, codec.first, codec.last)
    ns.run(["nft", "delete", "rule", "inet", "rollout", "wan_in", "handle", handle], ns=rtr)
    try:
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("rollout")),
                "verify",
                SITE,
                "--netlab",
                "--seconds",
                "2",
                "--format",
                "json",
                "--repo",
                str(lab_repo),
            ],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "ROLLOUT_NETLAB_DIR": str(lab_repo / ".netlab")},
            timeout=300,
        )
        assert result.returncode == 2, result.stderr
        data = json.loads(result.stdout)["verify"]
        rows = {r["flow"].split(" ")[0]: r for r in data["flows"]}
        to_codec = rows["media-to-codec"]
        assert (to_codec["ok"], to_codec["direction"], to_codec["chain"]) == (
            False,
            "request",
            "WAN-IN (forward)",
        )
        to_mcu = rows["media-to-mcu"]  # its reply came back through the same entry
        assert (to_mcu["ok"], to_mcu["direction"], to_mcu["chain"]) == (
            False,
            "reply",
            "WAN-IN (forward)",
        )
        assert rows["sip-out/registrar"]["ok"]
        failed = [c for c in data["checks"] if not c["ok"]]
        named = next(c for c in failed if c["name"].startswith("flow media-to-codec"))
        assert "request dropped at WAN-IN (forward)" in named["detail"]
    finally:
        router.driver(inv, state, SITE).apply()
    assert router.driver(inv, state, SITE).live_problems() == []
