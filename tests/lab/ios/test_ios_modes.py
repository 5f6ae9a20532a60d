"""Modes, prompts, popping out of sub-modes, error replies."""

from __future__ import annotations

from typing import Any

import pytest

from rollout.lab.ios.device import IosDevice

INVALID = "% Invalid input detected at '^' marker."


def test_privileged_user_starts_in_enable_mode(cli: Any) -> None:
    assert cli.prompt == "bt-rtr01#"
    assert cli("configure terminal") == (
        "Enter configuration commands, one per line.  End with CNTL/Z."
    )
    assert cli.prompt == "bt-rtr01(config)#"
    cli("end")
    assert cli.prompt == "bt-rtr01#"


@pytest.mark.parametrize(
    ("lines", "prompt"),
    [
        (["interface GigabitEthernet0/0"], "config-if"),
        (["interface GigabitEthernet0/0.10"], "config-subif"),
        (["class-map match-any VOICE"], "config-cmap"),
        (["policy-map WAN"], "config-pmap"),
        (["policy-map WAN", "class VOICE"], "config-pmap-c"),
        (["ip access-list extended MGMT"], "config-ext-nacl"),
        (["ip access-list standard NOC"], "config-std-nacl"),
        (["line vty 0 4"], "config-line"),
        (["router ospf 1"], "config-router"),
        (["router bgp 65000", "address-family ipv4"], "config-router-af"),
        (["ip sla 10"], "config-ip-sla"),
        (["ip sla 10", "udp-jitter 10.1.1.1 5000 codec g711alaw"], "config-ip-sla-jitter"),
        (["ip sla 11", "icmp-echo 10.1.1.1"], "config-ip-sla-echo"),
        (["archive"], "config-archive"),
        (["vlan 10"], "config-vlan"),
        (["route-map RM permit 10"], "config-route-map"),
        (["key chain K"], "config-keychain"),
        (["control-plane"], "config-cp"),
        (["crypto isakmp policy 10"], "config-isakmp"),
    ],
)
def test_submode_prompts(cli: Any, lines: list[str], prompt: str) -> None:
    outputs = cli.many("configure terminal", *lines)
    assert all("%" not in o for o in outputs), cli.transcript
    assert cli.prompt == f"bt-rtr01({prompt})#"


def test_exit_goes_up_one_level_and_end_returns(cli: Any) -> None:
    cli.many("conf t", "policy-map WAN", "class VOICE")
    cli("exit")
    assert cli.prompt == "bt-rtr01(config-pmap)#"
    cli("exit")
    assert cli.prompt == "bt-rtr01(config)#"
    cli("exit")
    assert cli.prompt == "bt-rtr01#"
    cli.many("conf t", "interface Gi0/0")
    cli("\x1a")
    assert cli.prompt == "bt-rtr01#"


def test_commands_of_a_parent_mode_pop_out(cli: Any, device: IosDevice) -> None:
    cli.many("conf t", "interface Gi0/1", "description lan")
    cli("ip route 0.0.0.0 0.0.0.0 10.0.0.254")
    assert cli.prompt == "bt-rtr01(config)#"
    cli("router ospf 1")
    cli("router bgp 65000")  # not ``router-id``: a full keyword of the parent wins
    assert cli.prompt == "bt-rtr01(config-router)#"
    cli.many("policy-map WAN", "class VOICE", "priority percent 30", "class VIDEO")
    assert cli.prompt == "bt-rtr01(config-pmap-c)#"
    cli("end")
    run = device.running_config()
    assert "ip route 0.0.0.0 0.0.0.0 10.0.0.254" in run.splitlines()
    assert " ip route" not in run
    assert "router bgp 65000" in run
    assert "policy-map WAN\n class VOICE\n  priority percent 30\n class VIDEO" in run


def test_exit_address_family(cli: Any) -> None:
    cli.many("conf t", "router bgp 1", "address-family ipv4", "neighbor 1.1.1.1 activate")
    cli("exit-address-family")
    assert cli.prompt == "bt-rtr01(config-router)#"


def test_invalid_input_caret_is_offset_by_the_prompt(cli: Any) -> None:
    assert cli("show foo") == " " * len("bt-rtr01#show ") + "^\n" + INVALID + "\n"
    cli("conf t")
    assert cli("foo bar") == " " * len("bt-rtr01(config)#") + "^\n" + INVALID + "\n"
    cli("interface Gi0/0")
    assert cli("  ip frobnicate") == " " * len("bt-rtr01(config-if)#  ip ") + "^\n" + INVALID + "\n"


def test_incomplete_and_ambiguous(cli: Any) -> None:
    assert cli("s") == '% Ambiguous command:  "s"\n'
    assert cli("co") == '% Ambiguous command:  "co"\n'
    assert cli("show") == "% Incomplete command.\n"
    cli("conf t")
    assert cli("interface") == "% Incomplete command.\n"
    assert cli("hostname") == "% Incomplete command.\n"
    assert cli.prompt == "bt-rtr01(config)#"


def test_unknown_exec_command_is_invalid(cli: Any) -> None:
    assert cli("frobnicate now").endswith(INVALID + "\n")


def test_user_mode_and_enable_secret(make_cli: Any) -> None:
    dev = IosDevice.from_config(
        "hostname r1\nenable secret 0 lab-enable\nusername op privilege 1 secret 0 pw\n"
    )
    cli = make_cli(dev.session("op"))
    assert cli.prompt == "r1>"
    assert cli("show running-config").endswith(INVALID + "\n")
    cli("enable")
    assert cli.prompt == "Password: "
    cli("wrong")
    assert cli.prompt == "Password: "
    cli("lab-enable")
    assert cli.prompt == "r1#"
    cli("disable")
    assert cli.prompt == "r1>"


def test_hostname_changes_the_prompt(cli: Any) -> None:
    cli.many("conf t", "hostname bt-rtr02")
    assert cli.prompt == "bt-rtr02(config)#"


def test_do_runs_exec_commands(cli: Any) -> None:
    cli.many("conf t", "interface Gi0/1")
    out = cli("do show ip interface brief")
    assert out.startswith("Interface")
    assert cli.prompt == "bt-rtr01(config-if)#"
    assert cli("do show foo").endswith(INVALID + "\n")


def test_banner_multiline(cli: Any, device: IosDevice) -> None:
    cli.many("conf t")
    assert cli("banner motd #") == "Enter TEXT message.  End with the character '#'."
    cli.many("Authorized access only", "Lao Cai video network#")
    assert cli.prompt == "bt-rtr01(config)#"
    cli("end")
    assert "banner motd ^C\nAuthorized access only\nLao Cai video network^C" in (
        device.running_config()
    )
    assert device.session().banner() == "Authorized access only\nLao Cai video network"


def test_netmiko_session_preparation(cli: Any) -> None:
    for line in ("", "terminal width 511", "terminal length 0", "", "terminal no monitor"):
        assert "%" not in cli(line)
    assert cli.prompt == "bt-rtr01#"
    assert cli.session.term_length == 0
