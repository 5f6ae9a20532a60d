"""Negation, replacement, sequence numbers and other IOS rules."""

from __future__ import annotations

from typing import Any

from rollout.lab.ios.device import IosDevice


def section(device: IosDevice, header: str) -> list[str]:
    lines = device.running_config().splitlines()
    start = lines.index(header)
    out = [header]
    for line in lines[start + 1 :]:
        if not line.startswith(" "):
            break
        out.append(line)
    return out


def test_single_value_commands_replace(cli: Any, device: IosDevice) -> None:
    cli.config(
        "interface GigabitEthernet0/0",
        "description old",
        "description uplink to VNPT",
        "ip address 10.0.0.2 255.255.255.0",
        "ip address 10.0.1.1 255.255.255.0 secondary",
        "ip address 10.0.2.1 255.255.255.0 secondary",
        "bandwidth 2048",
        "bandwidth 4096",
        "service-policy output A",
        "service-policy output B",
        "service-policy input IN",
        "ip access-group ACL1 in",
        "ip access-group ACL2 in",
        "ip access-group ACL3 out",
        "speed 100",
        "duplex full",
    )
    assert section(device, "interface GigabitEthernet0/0") == [
        "interface GigabitEthernet0/0",
        " description uplink to VNPT",
        " bandwidth 4096",
        " ip address 10.0.0.2 255.255.255.0",
        " ip address 10.0.1.1 255.255.255.0 secondary",
        " ip address 10.0.2.1 255.255.255.0 secondary",
        " ip access-group ACL2 in",
        " ip access-group ACL3 out",
        " speed 100",
        " duplex full",
        " service-policy output B",
        " service-policy input IN",
    ]


def test_shutdown_and_negation(cli: Any, device: IosDevice) -> None:
    cli.config("interface GigabitEthernet0/1", "no shutdown", "ip address 10.9.0.1 255.255.255.0")
    assert section(device, "interface GigabitEthernet0/1") == [
        "interface GigabitEthernet0/1",
        " ip address 10.9.0.1 255.255.255.0",
    ]
    cli.config("interface GigabitEthernet0/1", "shutdown", "no ip address")
    assert section(device, "interface GigabitEthernet0/1") == [
        "interface GigabitEthernet0/1",
        " no ip address",
        " shutdown",
    ]


def test_default_resets(cli: Any, device: IosDevice) -> None:
    cli.config("interface GigabitEthernet0/0", "default speed", "default duplex")
    assert " speed auto" not in section(device, "interface GigabitEthernet0/0")
    assert " duplex auto" not in section(device, "interface GigabitEthernet0/0")


def test_qos_policy_values_replace(cli: Any, device: IosDevice) -> None:
    cli.config(
        "class-map match-any VOICE",
        "match dscp ef",
        "policy-map WAN-QUEUE",
        "class VOICE",
        "priority percent 20",
        "priority percent 30",
        "class VIDEO",
        "bandwidth percent 20",
        "bandwidth percent 25",
        "set dscp af41",
        "set dscp af42",
        "class class-default",
        "fair-queue",
        "policy-map WAN-SHAPE",
        "class class-default",
        "shape average 2000000",
        "shape average 4000000",
        "service-policy WAN-QUEUE",
    )
    assert section(device, "policy-map WAN-QUEUE") == [
        "policy-map WAN-QUEUE",
        " class VOICE",
        "  priority percent 30",
        " class VIDEO",
        "  bandwidth percent 25",
        "  set dscp af42",
        " class class-default",
        "  fair-queue",
    ]
    assert section(device, "policy-map WAN-SHAPE")[2:] == [
        "  shape average 4000000",
        "  service-policy WAN-QUEUE",
    ]
    assert section(device, "class-map match-any VOICE") == [
        "class-map match-any VOICE",
        " match dscp ef",
    ]
    cli.config("no policy-map WAN-SHAPE", "no class-map VOICE")
    run = device.running_config()
    assert "policy-map WAN-SHAPE" not in run
    assert "class-map match-any VOICE" not in run


def test_switchport_and_line_keys(cli: Any, device: IosDevice) -> None:
    cli.config(
        "interface FastEthernet0/1",
        "switchport mode trunk",
        "switchport mode access",
        "switchport access vlan 10",
        "switchport access vlan 20",
        "line vty 0 4",
        "access-class MGMT in",
        "access-class NOC in",
        "transport input ssh",
        "exec-timeout 5 0",
        "exec-timeout 15 0",
    )
    assert section(device, "interface FastEthernet0/1")[1:3] == [
        " switchport access vlan 20",
        " switchport mode access",
    ]
    assert section(device, "line vty 0 4") == [
        "line vty 0 4",
        " access-class NOC in",
        " exec-timeout 15 0",
        " login local",
        " transport input ssh",
    ]


def test_multi_valued_lines_accumulate(cli: Any, device: IosDevice) -> None:
    cli.config("logging host 10.0.0.5", "logging host 10.0.0.6", "ntp server 10.0.0.7")
    cli.config("ntp server 10.0.0.7 prefer", "no logging host 10.0.0.5")
    lines = device.running_config().splitlines()
    assert "logging host 10.0.0.6" in lines
    assert "logging host 10.0.0.5" not in lines
    assert [x for x in lines if x.startswith("ntp server")] == ["ntp server 10.0.0.7 prefer"]


def test_virtual_interfaces_are_deleted_physical_ones_reset(cli: Any, device: IosDevice) -> None:
    cli.config("interface Tunnel1", "ip address 172.16.0.1 255.255.255.252", "tunnel source Gi0/0")
    assert section(device, "interface Tunnel1") == [
        "interface Tunnel1",
        " ip address 172.16.0.1 255.255.255.252",
        " tunnel source GigabitEthernet0/0",
    ]
    cli.config("no interface Tunnel1")
    assert "interface Tunnel1" not in device.running_config()
    out = cli.config("no interface GigabitEthernet0/0")
    assert out == ["% Physical interfaces cannot be deleted"]
    assert section(device, "interface GigabitEthernet0/0") == [
        "interface GigabitEthernet0/0",
        " no ip address",
        " shutdown",
        " negotiation auto",
    ]


def test_named_acl_sequence_numbers(cli: Any, device: IosDevice) -> None:
    cli.config(
        "ip access-list extended MGMT",
        "permit tcp 10.10.0.0 0.0.255.255 any eq 22",
        "deny ip any any log",
        "15 permit udp any any eq snmp",
    )
    assert section(device, "ip access-list extended MGMT") == [
        "ip access-list extended MGMT",
        " permit tcp 10.10.0.0 0.0.255.255 any eq 22",
        " permit udp any any eq snmp",
        " deny   ip any any log",
    ]
    assert cli("show access-lists MGMT") == (
        "Extended IP access list MGMT\n"
        "    10 permit tcp 10.10.0.0 0.0.255.255 any eq 22\n"
        "    15 permit udp any any eq snmp\n"
        "    20 deny ip any any log"
    )
    cli.config("ip access-list extended MGMT", "no 15", "no deny ip any any log")
    assert section(device, "ip access-list extended MGMT")[1:] == [
        " permit tcp 10.10.0.0 0.0.255.255 any eq 22"
    ]
    cli.config("no ip access-list extended MGMT")
    assert "MGMT" not in device.running_config()


def test_numbered_acl_negation_deletes_the_whole_list(cli: Any, device: IosDevice) -> None:
    cli.config("access-list 10 permit 10.0.0.0 0.0.0.255", "access-list 10 deny any")
    assert "access-list 10 deny   any" in device.running_config()
    cli.config("no access-list 10 deny any")
    assert "access-list 10" not in device.running_config()


def test_route_map_matches_merge_and_prefix_lists_number(cli: Any, device: IosDevice) -> None:
    cli.config(
        "route-map OUT permit 20",
        "match ip address 101",
        "match ip address 102",
        "route-map OUT permit 10",
        "set local-preference 100",
        "set local-preference 200",
        "ip prefix-list P permit 10.0.0.0/8",
        "ip prefix-list P deny 0.0.0.0/0 le 32",
    )
    lines = device.running_config().splitlines()
    i = lines.index("route-map OUT permit 10")
    assert lines[i : i + 5] == [
        "route-map OUT permit 10",
        " set local-preference 200",
        "!",
        "route-map OUT permit 20",
        " match ip address 101 102",
    ]
    assert "ip prefix-list P seq 5 permit 10.0.0.0/8" in lines
    assert "ip prefix-list P seq 10 deny 0.0.0.0/0 le 32" in lines
    cli.config("route-map OUT permit 20", "no match ip address 101")
    assert " match ip address 102" in device.running_config().splitlines()
    cli.config("no route-map OUT")
    assert "route-map OUT" not in device.running_config()


def test_negations_ios_shows(cli: Any, device: IosDevice) -> None:
    cli.config("no ip http server", "no ip domain lookup", "no service pad")
    lines = device.running_config().splitlines()
    assert {"no ip http server", "no ip domain lookup", "no service pad"} <= set(lines)
    cli.config("ip http server")
    lines = device.running_config().splitlines()
    assert "ip http server" in lines
    assert "no ip http server" not in lines


def test_write_only_commands_are_hidden(cli: Any, device: IosDevice) -> None:
    cli.config("snmp-server user noc NOC v3 auth sha secret1 priv aes 128 secret2")
    assert "snmp-server user" not in device.running_config()
    assert device.tree.find("snmp-server", "user") is not None


def test_ip_sla_lines_are_flat_and_scheduled_entries_locked(cli: Any, device: IosDevice) -> None:
    cli.config(
        "ip sla 10",
        "udp-jitter 10.100.0.1 5000 codec g711alaw",
        "tos 184",
        "frequency 30",
        "ip sla schedule 10 life forever start-time now",
    )
    assert section(device, "ip sla 10") == [
        "ip sla 10",
        " udp-jitter 10.100.0.1 5000 codec g711alaw",
        " tos 184",
        " frequency 30",
    ]
    out = cli.config("ip sla 10")
    assert out[0].startswith("Entry already running and cannot be modified")
    cli.config("no ip sla 10")
    assert "ip sla" not in device.running_config()


def test_bgp_single_process(cli: Any) -> None:
    cli.config("router bgp 65000")
    assert cli.config("router bgp 65001") == ["% BGP is already running; AS is 65000"]
