"""The IOS parsers and fact builders of `rollout diagnose` on real public outputs
(tests/diagnose/data: each file names its source)."""

from __future__ import annotations

from pathlib import Path

from diag_evidence import EXPECT

from rollout.diagnose.ios_facts import (
    acl_facts,
    configured_shaper_facts,
    interface_facts,
    policy_facts,
    reach_fact,
)
from rollout.parsers.ios_interfaces import parse_interfaces
from rollout.parsers.ios_policy_map import parse_policy_map
from rollout.parsers.ios_show import (
    entry_catches,
    parse_access_lists,
    parse_clock,
    parse_link_events,
    parse_ping,
    service_policies,
)

DATA = Path(__file__).parent / "data"


def output(name: str) -> str:
    """The device output of a fixture, without its source comment."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("#")) + "\n"


def test_show_interfaces_router() -> None:
    found = {i.name: i for i in parse_interfaces(output("show_interfaces_router.txt"))}
    assert list(found) == [
        "GigabitEthernet0/0",
        "GigabitEthernet0/0.6",
        "GigabitEthernet0/1",
        "FastEthernet0/1/0",
    ]
    lan = found["GigabitEthernet0/0"]
    assert (lan.status, lan.protocol, lan.duplex, lan.speed_mbps) == ("up", "up", "full", 100)
    assert (lan.in_bps, lan.out_bps, lan.resets, lan.lost_carrier) == (95000, 90000, 2, 7)
    wan = found["FastEthernet0/1/0"]
    assert (wan.duplex, wan.speed_mbps, wan.output_drops, wan.resets) == ("full", 100, 1063, 4)
    off = found["GigabitEthernet0/1"]
    assert (off.status, off.protocol, off.duplex) == ("administratively down", "down", "auto")
    assert found["GigabitEthernet0/0.6"].duplex == ""


def test_show_interfaces_late_collisions() -> None:
    (port,) = parse_interfaces(output("show_interfaces_late_collision.txt"))
    assert port.name == "FastEthernet0/18"
    assert (port.input_errors, port.crc, port.output_errors) == (3, 3, 8)
    assert (port.late_collisions, port.resets, port.collisions) == (235, 10, 0)


def test_interface_facts_take_the_increase_between_readings() -> None:
    text = output("show_interfaces_late_collision.txt")
    later = text.replace("235 late collision", "251 late collision").replace(
        "3 input errors, 3 CRC", "9 input errors, 9 CRC"
    )
    event = "%LINK-3-UPDOWN: Interface FastEthernet0/18, changed state to"
    log = (
        f"*Nov 29 08:50:01.100 UTC: {event} down\n"
        f"*Nov 29 08:50:04.100 UTC: {event} up\n"
        f"*Nov 29 07:10:01.100 UTC: {event} down\n"
    )
    (fact,) = interface_facts(
        "sw",
        {"FastEthernet0/18": ("lan", "codec_port")},
        text,
        later,
        3.2,
        log,
        "*08:55:00.000 UTC Sun Nov 29 2026",
    )
    v = fact.values
    assert (v["late_collisions"], v["late_collisions_delta"], v["crc_delta"]) == (251, 16, 6)
    assert v["flaps"] == 1  # the 07:10 one is older than the window
    assert v["role"] == "codec_port" and fact.segment == "lan"
    assert any("late collision" in line for line in fact.lines)


def test_policy_map_cbwfq() -> None:
    parsed = parse_policy_map(output("show_policy_map_interface.txt"))
    assert parsed.attached == {"output": "CBWFQ-PERCENT"}
    assert [c.name for c in parsed.classes] == ["HTTP", "SSH", "class-default"]
    assert parsed.classes[2].packets == 184 and parsed.shape_bps == 0


def test_policy_map_parent_shaper() -> None:
    parsed = parse_policy_map(output("show_policy_map_shaper.txt"))
    assert parsed.attached == {"output": "PM-WAN-PARENT"}
    assert parsed.shape_bps == 10_000_000
    assert [(c.policy, c.name) for c in parsed.classes] == [
        ("PM-WAN-PARENT", "class-default"),
        ("PM-CHILD", "CM-VOICE"),
        ("PM-CHILD", "CM-MGMT"),
    ]
    facts = policy_facts("rtr", EXPECT, output("show_policy_map_shaper.txt"))
    shaper = [f for f in facts if f.check == "shaper"]
    assert shaper[0].values == {"shape_kbps": 10000, "contract_kbps": EXPECT.contract_kbps}


def test_policy_map_iosxe_drops() -> None:
    # IOS-XE class counters, as quoted in the genieparser's tests of show_policy_map.py.
    text = (
        "GigabitEthernet0/0/0\n\n  Service-policy output: WAN-EDGE-OUT\n\n"
        "    Class-map: VOICE (match-any)\n      2348138 packets, 1202246656 bytes\n"
        "      30 second offered rate 512000 bps, drop rate 64000 bps\n"
        "      Match: dscp ef (46)\n      Queueing\n"
        "      (queue depth/total drops/no-buffer drops) 49476/44577300/0\n"
    )
    (cls,) = parse_policy_map(text).classes
    assert (cls.packets, cls.offered_bps, cls.drop_bps, cls.drops) == (
        2348138,
        512000,
        64000,
        44577300,
    )


def test_ping() -> None:
    ok = parse_ping(
        "Type escape sequence to abort.\n"
        "Sending 5, 100-byte ICMP Echos to 10.0.0.1, timeout is 2 seconds:\n!!!!!\n"
        "Success rate is 100 percent (5/5), round-trip min/avg/max = 1/2/4 ms\n"
    )
    assert ok is not None and (ok.success_percent, ok.sent, ok.rtt_avg_ms) == (100, 5, 2)
    lost = parse_ping(
        "Sending 5, 100-byte ICMP Echos to 10.0.0.9:\n.....\nSuccess rate is 0 percent (0/5)"
    )
    assert lost is not None and (lost.success_percent, lost.rtt_avg_ms) == (0, 0)
    fact = reach_fact("rtr", "mcu", "10.16.0.20", "Success rate is 0 percent (0/5)")
    assert fact is not None and fact.segment == "hub" and fact.values["success_percent"] == 0
    assert parse_ping("% Unrecognized host or address") is None


def test_logging_and_clock() -> None:
    events = parse_link_events(
        "000123: *Nov 29 22:01:02.123 UTC: %LINEPROTO-5-UPDOWN: Line protocol on Interface "
        "GigabitEthernet0/0/0, changed state to down\n"
        "Nov 29 22:01:02.123 ICT: %LINK-3-UPDOWN: Interface GigabitEthernet0/0/0, changed "
        "state to down\n"
    )
    assert [(e.facility, e.interface, e.state) for e in events] == [
        ("LINEPROTO-5-UPDOWN", "GigabitEthernet0/0/0", "down"),
        ("LINK-3-UPDOWN", "GigabitEthernet0/0/0", "down"),
    ]
    assert events[1].when == (11, 29, 22, 1, 2)
    clock = parse_clock("*22:01:05.123 UTC Sun Nov 29 2026")
    assert clock is not None and (clock.hour, clock.minute, clock.day) == (22, 1, 29)


def test_access_lists_and_media() -> None:
    text = (
        "Extended IP access list WAN-IN\n"
        "    10 permit udp 10.16.0.0 0.0.0.255 10.16.1.0 0.0.0.63 range 3230 3329 (8811 matches)\n"
        "    15 deny udp any any range 3230 3329 (1840 matches)\n"
        "    20 deny tcp any any eq telnet (4 matches)\n"
        "    30 deny ip any host 10.1.1.1\n"
        "Standard IP access list NOC-MGMT\n"
        "    10 permit 10.9.0.0, wildcard bits 0.0.0.255 (31 matches)\n"
    )
    entries = parse_access_lists(text)
    assert [(e.acl, e.seq, e.action, e.matches) for e in entries] == [
        ("WAN-IN", 10, "permit", 8811),
        ("WAN-IN", 15, "deny", 1840),
        ("WAN-IN", 20, "deny", 4),
        ("WAN-IN", 30, "deny", 0),
        ("NOC-MGMT", 10, "permit", 31),
    ]
    assert entry_catches(entries[1], "udp", 3230, 3329)
    assert not entry_catches(entries[2], "tcp", 3230, 3250)
    assert entry_catches(entries[3], "udp", 49152, 65535)
    (fact,) = acl_facts("rtr", EXPECT, text)
    assert fact.subject == "WAN-IN" and fact.values == {"denied_media": 1840}
    assert fact.lines == ("15 deny udp any any range 3230 3329 (1840 matches)",)


def test_service_policies() -> None:
    text = (
        "Building configuration...\n\ninterface GigabitEthernet0/0/0\n"
        " ip address 10.254.0.6 255.255.255.252\n service-policy output WAN-SHAPER\nend\n"
    )
    assert service_policies(text) == {"output": "WAN-SHAPER"}
    assert service_policies("interface GigabitEthernet0/0/0\n no ip address\nend\n") == {}


def test_configured_shaper() -> None:
    # The WAN-SHAPER policy as templates/cisco_ios/wan_router.j2 writes it (IOS syntax:
    # "shape average" in bits per second, Cisco IOS QoS Command Reference).
    text = (
        "policy-map WAN-QUEUING\n class voice\n  priority percent 10\n"
        "policy-map WAN-SHAPER\n class class-default\n  shape average 20000000\n"
        "  service-policy WAN-QUEUING\n"
    )
    (fact,) = configured_shaper_facts("rtr", EXPECT, text)
    assert fact.values == {"shape_kbps": 20000, "contract_kbps": EXPECT.contract_kbps}
    assert configured_shaper_facts("rtr", EXPECT, "policy-map OTHER\n  shape average 1\n") == []
