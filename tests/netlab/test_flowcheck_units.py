"""The per-flow check's pure parts (placing, sampling, naming, drop samples) and the lab's
protocol helpers (NTP server replies, kamailio and sipp over the province's transport)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from rollout.flows import site_flows
from rollout.inventory.loader import load_inventory
from rollout.netlab import flowprobe
from rollout.netlab.flowcheck import (
    Flow,
    FlowLike,
    Host,
    Prober,
    Sample,
    allowed,
    chain,
    check_flows,
    drop_samples,
    label,
    place,
    port_samples,
)
from rollout.netlab.flowprobe import End, Seen
from rollout.netlab.ns import NetlabError
from rollout.netlab.responder import NTP, ntp_reply, ntp_request, parse_ntp_reply
from rollout.netlab.sip import kamailio_cfg, mcu_media_port, sipp_transport

REPO = Path(__file__).resolve().parents[2]
HUB = "rl-hub"
LAN = "rl-lan-x"
RTR = "rl-rtr-x"
CODEC = Host("10.16.1.10", LAN, "conference")
SWITCH = Host("10.16.1.66", LAN, "management")
GATEWAY = Host("10.16.1.1", RTR, "router")
LOOPBACK = Host("10.255.0.2", RTR, "router")
MCU = Host("10.16.0.20", HUB, "wan")
NOC = Host("10.9.0.10", HUB, "wan")
HOSTS = [GATEWAY, LOOPBACK, SWITCH, CODEC, MCU, NOC]


def test_ports_sampled_first_last_and_one_inside_the_same_every_run() -> None:
    ports = port_samples((49152, 65535), "media-to-mcu/dst")
    assert ports[:2] == [49152, 65535]
    assert len(ports) == 3 and 49152 < ports[2] < 65535
    assert port_samples((49152, 65535), "media-to-mcu/dst") == ports
    assert port_samples((5060, 5060), "sip") == [5060]
    assert port_samples(None, "any") == [0]


def test_a_flow_is_placed_across_the_router_on_hosts_not_on_the_router() -> None:
    flow = Flow("media", "udp", "10.16.1.0/26", "10.16.0.0/26", (49152, 65535))
    assert place(flow, HOSTS) == (CODEC, MCU)  # the gateway is in 10.16.1.0/26 too
    assert place(Flow("ssh", "tcp", "10.9.0.0/24", "10.255.0.2/32", (22, 22)), HOSTS) == (
        NOC,
        LOOPBACK,
    )
    assert "no host in 10.8.0.0/24" in str(
        place(Flow("x", "udp", "10.8.0.0/24", "0.0.0.0/0"), HOSTS)
    )
    same_side = place(Flow("x", "udp", "10.16.1.10/32", "10.16.1.66/32", (1, 1)), HOSTS)
    assert isinstance(same_side, str) and "across the router" in same_side


def test_chains_are_named_from_where_a_packet_enters_the_router() -> None:
    assert chain(MCU, CODEC) == "WAN-IN (forward)"
    assert chain(NOC, LOOPBACK) == "WAN-IN (input)"
    assert chain(CODEC, MCU) == "CONFERENCE-IN (forward)"
    assert chain(CODEC, GATEWAY) == "CONFERENCE-IN (input)"
    assert chain(SWITCH, NOC) == "no ACL (management VLAN)"
    assert chain(LOOPBACK, NOC) == "no ACL (the router's own output)"


def _fake(blocked: set[tuple[str, str]]) -> Prober:
    """A prober whose network drops what `blocked` names: (chain, 'request'|'reply')."""

    def prober(protocol: str, src: End, dst: End, timeout: float) -> Seen:
        by = {h.address: h for h in HOSTS}
        s, d = by[src.address], by[dst.address]
        arrived = (chain(s, d), "request") not in blocked
        returned = arrived and (chain(d, s), "reply") not in blocked
        return Seen(arrived, returned)

    return prober


def test_a_broken_flow_is_named_with_direction_and_chain() -> None:
    media = Flow("media-to-codec", "udp", "10.16.0.20/32", "10.16.1.10/32", (3230, 3329))
    report = check_flows([media], HOSTS, [], prober=_fake({("WAN-IN (forward)", "request")}))
    result = report.flows[0]
    assert not report.ok and result.name.startswith("media-to-codec (udp ")
    assert [s.direction for s in result.samples] == ["request"] * 3
    assert "request dropped at WAN-IN (forward) (3 of 3 samples)" in result.detail()
    back = check_flows(
        [media], HOSTS, [], prober=_fake({("CONFERENCE-IN (forward)", "reply")})
    ).flows[0]
    assert "reply dropped at CONFERENCE-IN (forward)" in back.detail()
    one_way = Flow("syslog", "udp", "10.16.1.66/32", "10.9.0.10/32", (514, 514), reply=False)
    assert check_flows([one_way], HOSTS, [], prober=_fake({("WAN-IN (forward)", "reply")})).ok


def test_drop_samples_avoid_what_any_row_allows_also_as_a_reply() -> None:
    flows = [
        Flow("media-to-mcu", "udp", "10.16.1.10/32", "10.16.0.20/32", (1, 30000), (3230, 3329)),
    ]
    # 23 -> 69 from the MCU to the codec is the reply of media-to-mcu: not a drop sample
    assert allowed(flows, Sample("udp", MCU, CODEC, 69, 3250))
    assert not allowed(flows, Sample("tcp", MCU, CODEC, 69, 3250))
    picked = drop_samples(flows, [(MCU, CODEC), (CODEC, GATEWAY)])
    assert [(c, s.protocol) for c, s in picked] == [
        ("WAN-IN (forward)", "tcp"),
        ("WAN-IN (forward)", "udp"),
        ("CONFERENCE-IN (input)", "tcp"),
        ("CONFERENCE-IN (input)", "udp"),
    ]
    for _chain, s in picked:
        assert not allowed(flows, s)
    report = check_flows(flows, HOSTS, [(MCU, CODEC)], prober=_fake(set()))
    assert not report.ok  # the fake network lets everything through: the drops fail
    assert "PASSED, though no row allows it" in report.drops[0].text()


def test_the_flows_table_gives_the_check_what_it_needs() -> None:
    inv = load_inventory(REPO)
    table: list[FlowLike] = list(site_flows(inv, inv.sites["bao-thang"]))
    names = {f.name for f in table}
    assert {"media-to-mcu", "media-to-codec", "sip-out/registrar", "ntp/switch"} <= names
    labels = [label(f) for f in table]
    assert len(set(labels)) == len(labels)  # each flow's check has a name of its own
    report = check_flows(table, HOSTS, [], prober=_fake(set()))
    placed = [f for f in report.flows if not f.unplaced]
    assert any(f.name.startswith("media-to-mcu") for f in placed)


def test_tcp_syn_recv_is_found_in_the_destination_table() -> None:
    text = (
        "  sl  local_address rem_address   st tx_queue rx_queue\n"
        "   0: 1400100A:13C4 0A01100A:0C9E 03 00000000:00000000\n"
    )
    src, dst = End("a", "10.16.1.10"), End("b", "10.16.0.20", 5060)
    assert flowprobe.syn_arrived(text, src, 3230, dst)
    assert not flowprobe.syn_arrived(text, src, 3231, dst)
    assert not flowprobe.syn_arrived(text.replace(" 03 ", " 01 "), src, 3230, dst)


def test_icmp_echo_request_has_a_valid_checksum() -> None:
    packet = flowprobe.echo_request(0x1234, 1, b"RLF1abcdefgh")
    assert flowprobe.checksum(packet) == 0
    assert packet[0] == 8


def test_ntp_server_answers_a_client_request_with_its_transmit_time_as_origin() -> None:
    request = ntp_request(1_800_000_000.25)
    reply = ntp_reply(request, 1_800_000_000.5, 1_800_000_000.6)
    assert reply is not None and len(reply) == NTP.size == 48
    parsed = parse_ntp_reply(reply)
    assert parsed is not None
    assert parsed["mode"] == 4 and parsed["stratum"] == 2
    assert parsed["origin"] == struct.unpack("!Q", request[40:48])[0]
    assert ntp_reply(reply, 0, 0) is None  # a server reply is not answered
    assert ntp_reply(b"RLF1", 0, 0) is None


def test_kamailio_listens_on_tcp_and_relays_to_the_mcu_over_tcp() -> None:
    cfg = kamailio_cfg("10.16.0.21", "10.16.0.20", "tcp")
    assert "listen=udp:10.16.0.21:5060\nlisten=tcp:10.16.0.21:5060\n" in cfg
    assert '$du = "sip:10.16.0.20:5060;transport=tcp";' in cfg
    assert "listen=tcp" not in kamailio_cfg("10.16.0.21", "10.16.0.20", "udp")
    assert sipp_transport("tcp") == "t1" and sipp_transport("udp") == "u1"
    with pytest.raises(NetlabError, match="sip_transport"):
        sipp_transport("tls")


def test_mcu_media_port_is_an_even_port_inside_the_mcu_range() -> None:
    port = mcu_media_port(49152, 65535)
    assert port >= 49152 and port + 3 <= 65535 and port % 2 == 0 and port != 3230
    assert mcu_media_port(3230, 3233) == 3230
    with pytest.raises(NetlabError, match="too small"):
        mcu_media_port(5000, 5002)


def test_the_lab_probes_ride_on_the_media_flow_ports() -> None:
    from rollout.netlab.lab import NetlabState, mcu_udp_ports
    from rollout.netlab.verify import codec_ports

    media, probe, sink = mcu_udp_ports(49152, 65535)
    assert len({media, media + 2, probe, sink}) == 4
    assert all(49152 <= p <= 65535 for p in (media, probe, sink))
    with pytest.raises(NetlabError, match="no room"):
        mcu_udp_ports(50000, 50004)
    state = NetlabState(folder="/nonexistent", hub={"codec_udp": "3230-3329"})
    rtp, probes, flood = codec_ports(state)
    assert rtp == 3230 and probes == [3240, 3242, 3244, 3246] and flood == 3260
    with pytest.raises(NetlabError, match="codec_udp"):
        codec_ports(NetlabState(folder="/nonexistent", hub={"codec_udp": "3230-3250"}))


def test_probes_run_in_waves_that_bind_no_socket_twice() -> None:
    from rollout.netlab.flowcheck import waves

    ssh = [Sample("tcp", NOC, LOOPBACK, 0, 22), Sample("tcp", MCU, LOOPBACK, 0, 22)]
    media = [Sample("udp", CODEC, MCU, 3230, p) for p in (49152, 65535, 50000)]
    todo = [*ssh, *media]
    plan = waves(todo, 8)
    assert plan == [[0, 2], [1, 3], [4]]  # one listener at 10.255.0.2:22, one codec port 3230
    assert sorted(i for wave in plan for i in wave) == list(range(len(todo)))
    assert all(len(w) <= 1 for w in waves(todo, 1))
