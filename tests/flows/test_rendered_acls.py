"""The rendered WAN-IN, CONFERENCE-IN and CLOUD-MEETING of the pilot and the hub carry the
conversations a site needs, both ways, and nothing else (evaluated first-match, like IOS)."""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import pytest
import yaml

from rollout.acl import Ace, Packet, permits

A = IPv4Address
Acls = dict[str, list[Ace]]

MCU, GK, REGISTRAR = "10.16.0.20", "10.16.0.22", "10.16.0.21"
CODEC, ROOM, SWITCH, LOOPBACK = "10.16.1.10", "10.16.1.11", "10.16.1.66", "10.255.0.2"
HUB = {"codec": "10.16.0.10", "room": "10.16.0.11", "switch": "10.16.0.66", "loop": "10.255.0.1"}
NTP = ("10.9.0.10", "10.9.0.11")
CLOUD = "203.0.113.7"


def udp(src: str, sport: int, dst: str, dport: int) -> Packet:
    return Packet("udp", A(src), A(dst), sport, dport)


def tcp(src: str, sport: int, dst: str, dport: int, *, ack: bool = False) -> Packet:
    return Packet("tcp", A(src), A(dst), sport, dport, ack=ack)


# --- media between the MCU's range and the codec's fixed ports --------------------------------


@pytest.mark.parametrize(("mcu_port", "codec_port"), [(49152, 3230), (65535, 3329), (50001, 3300)])
def test_pilot_lets_mcu_media_reach_the_codec_and_back(
    pilot: Acls, mcu_port: int, codec_port: int
) -> None:
    assert permits(pilot["WAN-IN"], udp(MCU, mcu_port, CODEC, codec_port))
    assert permits(pilot["CONFERENCE-IN"], udp(CODEC, codec_port, MCU, mcu_port))


def test_pilot_media_only_between_the_two_ranges(pilot: Acls) -> None:
    assert not permits(pilot["WAN-IN"], udp(MCU, 49151, CODEC, 3230))
    assert not permits(pilot["WAN-IN"], udp(MCU, 49152, CODEC, 3330))
    assert not permits(pilot["WAN-IN"], udp("10.16.0.30", 49152, CODEC, 3230))  # not the MCU
    assert not permits(pilot["WAN-IN"], udp(MCU, 49152, ROOM, 3230))  # not the codec


@pytest.mark.parametrize(("mcu_port", "codec_port"), [(49152, 3230), (65535, 3329)])
def test_hub_lets_mcu_media_out_to_every_site_codec_and_back(
    hub: Acls, mcu_port: int, codec_port: int
) -> None:
    assert permits(hub["CONFERENCE-IN"], udp(MCU, mcu_port, CODEC, codec_port))
    assert permits(hub["WAN-IN"], udp(CODEC, codec_port, MCU, mcu_port))
    assert not permits(hub["WAN-IN"], udp("198.51.100.1", codec_port, MCU, mcu_port))


# --- calls opened from the far side -------------------------------------------------------------


@pytest.mark.parametrize("port", [1720, 5060])
def test_pilot_carries_calls_the_mcu_opens(pilot: Acls, port: int) -> None:
    assert permits(pilot["WAN-IN"], tcp(MCU, 50123, CODEC, port))  # the SYN
    assert permits(pilot["CONFERENCE-IN"], tcp(CODEC, port, MCU, 50123, ack=True))  # the answer
    assert not permits(pilot["CONFERENCE-IN"], tcp(CODEC, port, MCU, 1024))  # no new SYN


def test_pilot_carries_h245_both_ways(pilot: Acls) -> None:
    assert permits(pilot["WAN-IN"], tcp(MCU, 50000, CODEC, 3250))
    assert permits(pilot["CONFERENCE-IN"], tcp(CODEC, 3230, MCU, 50000, ack=True))
    assert permits(pilot["CONFERENCE-IN"], tcp(CODEC, 50000, MCU, 65535))
    assert permits(pilot["WAN-IN"], tcp(MCU, 49152, CODEC, 50000, ack=True))


def test_pilot_sip_registrar_proxies_calls_in(pilot: Acls) -> None:
    assert permits(pilot["WAN-IN"], tcp(REGISTRAR, 40000, CODEC, 5060))
    assert permits(pilot["CONFERENCE-IN"], tcp(CODEC, 50000, REGISTRAR, 5060))
    assert permits(pilot["WAN-IN"], tcp(REGISTRAR, 5060, CODEC, 50000, ack=True))


def test_pilot_ras_to_the_gatekeeper_and_back(pilot: Acls) -> None:
    assert permits(pilot["CONFERENCE-IN"], udp(CODEC, 50000, GK, 1719))
    assert permits(pilot["WAN-IN"], udp(GK, 1719, CODEC, 50000))


def test_hub_carries_calls_the_mcu_opens_to_the_sites(hub: Acls) -> None:
    for port in (1720, 5060):
        assert permits(hub["CONFERENCE-IN"], tcp(MCU, 50123, CODEC, port))
        assert permits(hub["WAN-IN"], tcp(CODEC, port, MCU, 50123, ack=True))
        assert not permits(hub["WAN-IN"], tcp(CODEC, port, MCU, 1024))


def test_sip_over_tls_opens_5061_both_ways(
    repo: Path, acls_of: Callable[[Path, str], Acls]
) -> None:
    province = repo / "inventory" / "province.yml"
    province.write_text(
        province.read_text(encoding="utf-8").replace("sip_transport: tcp", "sip_transport: tls"),
        encoding="utf-8",
    )
    pilot, hub = acls_of(repo, "bao-thang"), acls_of(repo, "ubnd-tinh")
    assert permits(pilot["WAN-IN"], tcp(MCU, 50123, CODEC, 5061))
    assert permits(pilot["CONFERENCE-IN"], tcp(CODEC, 5061, MCU, 50123, ack=True))
    assert permits(pilot["CONFERENCE-IN"], tcp(CODEC, 50123, REGISTRAR, 5061))
    assert permits(hub["CONFERENCE-IN"], tcp(MCU, 50123, CODEC, 5061))
    assert permits(hub["WAN-IN"], tcp(CODEC, 5061, MCU, 50123, ack=True))
    assert not permits(pilot["WAN-IN"], tcp(MCU, 50123, CODEC, 5060))  # TLS only


# --- time, management -------------------------------------------------------------------------


@pytest.mark.parametrize("server", NTP)
@pytest.mark.parametrize("client", [CODEC, SWITCH, LOOPBACK])
def test_pilot_answers_ntp_to_the_router_switch_and_codec(
    pilot: Acls, server: str, client: str
) -> None:
    assert permits(pilot["WAN-IN"], udp(server, 123, client, 123))
    assert permits(pilot["WAN-IN"], udp(server, 123, client, 50000))
    assert not permits(pilot["WAN-IN"], udp(server, 124, client, 123))


def test_pilot_lets_the_codec_ask_for_time(pilot: Acls) -> None:
    assert permits(pilot["CONFERENCE-IN"], udp(CODEC, 123, NTP[0], 123))


@pytest.mark.parametrize("client", list(HUB.values()))
def test_hub_answers_ntp_to_its_devices(hub: Acls, client: str) -> None:
    assert permits(hub["WAN-IN"], udp(NTP[1], 123, client, 123))


def test_management_from_the_noc_only(pilot: Acls) -> None:
    for target in (LOOPBACK, SWITCH, CODEC):
        assert permits(pilot["WAN-IN"], tcp("10.9.1.7", 50000, target, 22))
        assert not permits(pilot["WAN-IN"], tcp("10.9.2.7", 50000, target, 22))
        assert not permits(pilot["WAN-IN"], tcp("10.9.1.7", 50000, target, 23))
    assert permits(pilot["CONFERENCE-IN"], tcp(CODEC, 22, "10.9.1.7", 50000, ack=True))
    assert permits(pilot["WAN-IN"], udp("10.9.0.13", 40000, SWITCH, 161))
    assert permits(pilot["WAN-IN"], Packet("icmp", A("10.9.0.5"), A(ROOM), icmp_type=8))
    assert permits(pilot["CONFERENCE-IN"], Packet("icmp", A(ROOM), A("10.9.0.5"), icmp_type=0))
    assert not permits(pilot["WAN-IN"], Packet("icmp", A("10.9.0.5"), A(ROOM), icmp_type=0))


def test_ip_sla_replies_reach_the_pilot_and_probes_reach_the_hub(pilot: Acls, hub: Acls) -> None:
    for port in (1967, 16384, 16386, 16388, 16390):
        assert permits(pilot["WAN-IN"], udp(HUB["loop"], port, LOOPBACK, 50000))
        assert permits(hub["WAN-IN"], udp(LOOPBACK, 50000, HUB["loop"], port))


# --- the room client and the cloud service ------------------------------------------------------


@pytest.mark.parametrize(
    ("proto", "port"), [("tcp", 443), ("udp", 3478), ("udp", 10000), ("udp", 20000)]
)
def test_room_client_reaches_the_cloud_and_hears_back(pilot: Acls, proto: str, port: int) -> None:
    request = Packet(proto, A(ROOM), A(CLOUD), 50000, port)  # type: ignore[arg-type]
    reply = Packet(proto, A(CLOUD), A(ROOM), port, 50000, ack=proto == "tcp")  # type: ignore[arg-type]
    assert permits(pilot["CONFERENCE-IN"], request)
    assert permits(pilot["WAN-IN"], reply)
    assert permits(pilot["CLOUD-MEETING"], request)  # marked on the way in


def test_the_cloud_cannot_open_connections_to_the_room_client(pilot: Acls) -> None:
    assert not permits(pilot["WAN-IN"], tcp(CLOUD, 443, ROOM, 50000))
    assert not permits(pilot["WAN-IN"], tcp(CLOUD, 50000, ROOM, 443))


def test_cloud_prefixes_come_from_the_province(
    repo: Path, acls_of: Callable[[Path, str], Acls]
) -> None:
    province = repo / "inventory" / "province.yml"
    data: dict[str, Any] = yaml.safe_load(province.read_text(encoding="utf-8"))
    data["cloud"]["prefixes"] = ["198.51.100.0/24"]
    province.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    pilot = acls_of(repo, "bao-thang")
    assert permits(pilot["CONFERENCE-IN"], tcp(ROOM, 50000, "198.51.100.9", 443))
    assert not permits(pilot["CONFERENCE-IN"], tcp(ROOM, 50000, CLOUD, 443))
    assert permits(pilot["CLOUD-MEETING"], tcp(ROOM, 50000, "198.51.100.9", 443))


def test_lists_end_with_the_logged_deny(pilot: Acls, hub: Acls) -> None:
    for acls in (pilot, hub):
        for name in ("WAN-IN", "CONFERENCE-IN"):
            assert acls[name][-1].line() == "deny ip any any log"
            assert not permits(acls[name], udp("192.0.2.1", 1, "192.0.2.2", 2))
