"""The twin's show commands under lab conditions, read over real SSH (Netmiko) and parsed
with ntc-templates' TextFSM templates, so the output is in the real devices' format."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from netmiko import ConnectHandler
from ntc_templates.parse import parse_output  # type: ignore[import-untyped]

from rollout.lab.conditions import (
    Bleach,
    DuplexMismatch,
    Flow,
    LinkFlaps,
    Load,
    Media,
    PortErrors,
    ProviderDrops,
    Unreachable,
)
from rollout.lab.impair import apply_impairment, parse_impairment
from rollout.lab.ios.device import IosDevice
from rollout.lab.platforms import IosLabDevice
from rollout.lab.server import ServerThread

USER, PASSWORD = "noc", "lab-pass"
WAN = "GigabitEthernet0/0/0"
ROUTER = f"""\
service timestamps log datetime msec localtime show-timezone
hostname r1
clock timezone ICT 7 0
username {USER} privilege 15 password 0 {PASSWORD}
class-map match-any VOICE
 match dscp ef
class-map match-any VIDEO
 match dscp af41 af42 af43
class-map match-all EF-FROM-SITE
 match access-group name SITE
 match dscp ef
policy-map QUEUES
 class VOICE
  priority percent 10
 class VIDEO
  bandwidth percent 50
 class class-default
  fair-queue
policy-map SHAPER
 class class-default
  shape average 9500000
  service-policy QUEUES
policy-map ARRIVALS
 class EF-FROM-SITE
interface Loopback0
 ip address 10.255.0.2 255.255.255.255
interface {WAN}
 description WAN
 bandwidth 10000
 ip address 10.254.0.6 255.255.255.252
 ip access-group WAN-IN in
 service-policy input ARRIVALS
 service-policy output SHAPER
interface GigabitEthernet0/0/1
 description LAN
 ip address 10.16.1.1 255.255.255.192
ip route 10.16.0.0 255.255.255.0 10.254.0.5
ip route 10.16.2.0 255.255.255.0 10.254.0.5
ip route 10.255.0.1 255.255.255.255 10.254.0.5
ip access-list extended SITE
 permit ip 10.16.2.0 0.0.0.255 any
ip access-list extended WAN-IN
 permit udp host 10.16.0.20 range 49152 65535 host 10.16.1.10 range 3230 3329
 permit udp 10.16.2.0 0.0.0.255 host 10.16.0.20 range 49152 65535
 deny ip any any log
ip sla 10
 udp-jitter 10.255.0.1 16384 source-ip 10.255.0.2 codec g711alaw
 tos 184
ip sla schedule 10 life forever start-time now
end
"""
SWITCH = f"""\
hostname sw1
username {USER} privilege 15 password 0 {PASSWORD}
interface GigabitEthernet1/0/1
 description codec
 switchport mode access
interface GigabitEthernet1/0/2
end
"""
CODEC_PORT = "GigabitEthernet1/0/1"
IN_FLOW = Flow("udp", "10.16.0.20", 49152, "10.16.1.10", 3230, 46, 64.0, 214)
HUB_FLOW = Flow("udp", "10.16.2.10", 3230, "10.16.0.20", 49152, 46, 64.0, 214)


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[IosDevice, IosDevice, Any, Any]]:
    router = IosDevice.from_config(ROUTER, model="ISR4321", lab_password=PASSWORD)
    switch = IosDevice.from_config(SWITCH, model="WS-C2960X-24PS-L", lab_password=PASSWORD)
    with ServerThread(tmp_path / "lab") as server:
        conns = []
        for name, dev in (("r1", router), ("sw1", switch)):
            info = server.add_device(name, IosLabDevice(dev), platform="cisco_ios")
            conns.append(
                ConnectHandler(
                    device_type="cisco_ios",
                    host=info.host,
                    port=info.port,
                    username=USER,
                    password=PASSWORD,
                    conn_timeout=10,
                )
            )
        try:
            yield router, switch, conns[0], conns[1]
        finally:
            for c in conns:
                c.disconnect()
    router.close()
    switch.close()


def parsed(conn: Any, command: str) -> list[dict[str, Any]]:
    text = conn.send_command(command)
    rows: list[dict[str, Any]] = parse_output(platform="cisco_ios", command=command, data=text)
    return [r for r in rows if r.get("line_num", "-") != ""]  # an ACL's header record


def port(conn: Any, name: str) -> dict[str, Any]:
    rows = parsed(conn, f"show interfaces {name}")
    assert len(rows) == 1 and rows[0]["interface"] == name
    return rows[0]


@pytest.mark.lab
def test_healthy_ports_keep_still_and_parse(lab: Any) -> None:
    _router, _switch, rconn, sconn = lab
    every = parsed(sconn, "show interfaces")
    assert {r["interface"] for r in every} >= {CODEC_PORT, "GigabitEthernet1/0/2"}
    down = next(r for r in every if r["interface"] == "GigabitEthernet1/0/2")
    assert (down["link_status"], down["protocol_status"]) == ("down", "down (notconnect)")
    first = port(sconn, CODEC_PORT)
    assert first["link_status"] == "up" and first["duplex"] == "Full-duplex"
    assert first["speed"] == "1000Mb/s" and first["media_type"] == "10/100/1000BaseTX"
    time.sleep(1.2)
    second = port(sconn, CODEC_PORT)
    for key in ("input_errors", "crc", "output_errors"):
        assert first[key] == second[key] == "0"
    assert int(second["input_packets"]) >= int(first["input_packets"])
    router_ports = {r["interface"]: r for r in parsed(rconn, "show interfaces")}
    assert set(router_ports) == {"Loopback0", WAN, "GigabitEthernet0/0/1"}
    assert router_ports["Loopback0"]["encapsulation"] == "LOOPBACK"
    wan = port(rconn, WAN)
    assert wan["hardware_type"] == "ISR4321-2x1GE" and wan["bandwidth"] == "10000 Kbit"
    assert wan["duplex"] == "Full Duplex" and wan["ip_address"] == "10.254.0.6"


@pytest.mark.lab
def test_port_errors_and_duplex_mismatch_grow(lab: Any) -> None:
    _router, switch, _rconn, sconn = lab
    switch.network.set(switch.tree, PortErrors(CODEC_PORT, 20.0))
    before = port(sconn, CODEC_PORT)
    time.sleep(1.5)
    after = port(sconn, CODEC_PORT)
    assert int(after["crc"]) > int(before["crc"]) and int(after["input_errors"]) > 0
    switch.network.set(switch.tree, DuplexMismatch(CODEC_PORT))
    time.sleep(1.2)
    text = sconn.send_command(f"show interfaces {CODEC_PORT}")
    row = port(sconn, CODEC_PORT)
    assert (row["duplex"], row["speed"]) == ("Half-duplex", "100Mb/s")
    late = re.search(r"(\d+) late collision", text)
    assert late is not None and int(late.group(1)) > 0
    switch.network.clear(switch.tree)
    still = port(sconn, CODEC_PORT)
    time.sleep(1.1)
    assert port(sconn, CODEC_PORT)["crc"] == still["crc"]


@pytest.mark.lab
def test_flaps_show_in_log_and_counters(lab: Any) -> None:
    router, _switch, rconn, _sconn = lab
    router.network.set(router.tree, LinkFlaps(WAN, 2, 2.0))
    time.sleep(2.3)
    logs = parsed(rconn, "show logging")
    mnemonics = [(r["facility"], r["mnemonic"]) for r in logs]
    assert mnemonics.count(("LINK", "UPDOWN")) == 4 and ("LINEPROTO", "UPDOWN") in mnemonics
    assert all(r["timezone"] == "ICT" for r in logs)
    text = rconn.send_command(f"show interfaces {WAN}")
    assert "2 lost carrier" in text


@pytest.mark.lab
def test_congestion_drops_in_policy_map_and_provider_drops(lab: Any) -> None:
    router, _switch, rconn, _sconn = lab
    offered = {"ef": 800.0, "af41": 6000.0, "default": 6000.0}
    router.network.set(router.tree, Load(WAN, offered, 10000))
    time.sleep(1.2)
    text = rconn.send_command(f"show policy-map interface {WAN} output")
    assert "Service-policy output: SHAPER" in text
    assert "shape (average) cir 9500000, bc 38000, be 38000" in text
    default = text.split("Class-map: class-default")[-1]
    drops = re.search(r"\(queue depth/total drops/no-buffer drops\) 0/(\d+)/0", default)
    assert drops is not None and int(drops.group(1)) > 0
    voice = text.split("Class-map: VOICE (match-any)")[1].split("Class-map:")[0]
    assert "Match:  dscp ef (46)" in voice and "b/w exceed drops: 0" in voice
    # the provider polices below what the shaper sends: SLA and pings lose, queues do not
    router.network.set(router.tree, Load(WAN, {"ef": 500.0, "af41": 4000.0}, 10000))
    router.network.set(router.tree, ProviderDrops(3000))
    ping = parsed(rconn, "ping 10.255.0.1 repeat 20")[0]
    assert 0 < int(ping["success_pct"]) < 100
    sla = rconn.send_command("show ip sla statistics 10")
    lost = re.search(r"Loss Source to Destination: (\d+)", sla)
    assert lost is not None and int(lost.group(1)) > 0
    # QoS removed by hand: nothing is printed for the interface any more
    rconn.send_config_set([f"interface {WAN}", "no service-policy output SHAPER"])
    assert "SHAPER" not in rconn.send_command(f"show policy-map interface {WAN}")


@pytest.mark.lab
def test_ping_access_versus_backbone_and_unreachable(lab: Any) -> None:
    router, _switch, rconn, _sconn = lab
    clean = parsed(rconn, "ping 10.254.0.5")[0]
    assert (clean["success_pct"], clean["sent_qty"]) == ("100", "5")
    apply_impairment(router, parse_impairment({"loss_percent": 40, "segment": "backbone"}))
    assert parsed(rconn, "ping 10.254.0.5 repeat 10")[0]["success_pct"] == "100"
    beyond = parsed(rconn, "ping 10.255.0.1 source Loopback0 repeat 10")[0]
    assert beyond["success_pct"] == "60" and beyond["source"] == "10.255.0.2"
    apply_impairment(router, parse_impairment({"loss_percent": 40, "segment": "access"}))
    assert parsed(rconn, "ping 10.254.0.5 repeat 10")[0]["success_pct"] == "60"
    apply_impairment(router, None)
    router.network.set(router.tree, Unreachable(("10.16.0.20/32",)))
    gone = parsed(rconn, "ping 10.16.0.20")[0]
    assert gone["success_pct"] == "0" and gone["response_stream"] == ["....."]
    router.network.set(router.tree, Unreachable(("10.254.0.5/32",)))
    assert "Timeout" in rconn.send_command("show ip sla statistics 10")


@pytest.mark.lab
def test_acl_matches_and_dscp_arriving(lab: Any) -> None:
    router, _switch, rconn, _sconn = lab
    router.network.set(router.tree, Media((IN_FLOW, HUB_FLOW)))
    rconn.send_command("show access-lists WAN-IN")
    time.sleep(1.1)
    rows = parsed(rconn, "show ip access-lists WAN-IN")
    assert int(rows[0]["matches"]) > 0 and rows[-1]["matches"] == ""
    rconn.send_config_set(["ip access-list extended WAN-IN", "5 deny udp any any range 3230 3329"])
    rconn.send_command("show access-lists")
    time.sleep(1.1)
    rows = parsed(rconn, "show ip access-lists WAN-IN")
    assert rows[0]["line_num"] == "5" and int(rows[0]["matches"]) > 0
    # the hub's input class counting EF from the site: stops growing once bleached
    text = rconn.send_command(f"show policy-map interface {WAN} input")
    marked = re.search(r"EF-FROM-SITE \(match-all\)\s+(\d+) packets", text)
    assert marked is not None and int(marked.group(1)) > 0
    router.network.set(router.tree, Bleach(("10.16.2.0/24",)))
    first = rconn.send_command(f"show policy-map interface {WAN} input")
    time.sleep(1.1)
    second = rconn.send_command(f"show policy-map interface {WAN} input")
    count = [re.search(r"EF-FROM-SITE \(match-all\)\s+(\d+) packets", t) for t in (first, second)]
    assert count[0] and count[1] and count[0].group(1) == count[1].group(1)


@pytest.mark.lab
def test_clear_counters_and_logging_as_an_engineer_does(lab: Any) -> None:
    router, switch, rconn, sconn = lab
    switch.network.set(switch.tree, PortErrors(CODEC_PORT, 20.0))
    router.network.set(router.tree, LinkFlaps(WAN, 1, 1.0))
    time.sleep(1.2)
    assert int(port(sconn, CODEC_PORT)["crc"]) > 0
    switch.network.clear(switch.tree)
    sconn.send_command(f"clear counters {CODEC_PORT}", expect_string=r"\[confirm\]")
    sconn.send_command("\n", expect_string=r"#")
    text = sconn.send_command(f"show interfaces {CODEC_PORT}")
    assert " 0 CRC" in text and 'Last clearing of "show interface" counters 00:00:0' in text
    assert parsed(rconn, "show logging")
    rconn.send_command("clear logging", expect_string=r"\[confirm\]")
    rconn.send_command("\n", expect_string=r"#")
    assert parsed(rconn, "show logging") == []
