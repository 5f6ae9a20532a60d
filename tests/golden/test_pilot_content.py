"""What a network engineer checks in the pilot's rendered configurations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from rollout.secrets import load_secrets

REPO = Path(__file__).resolve().parents[2]
SITE = yaml.safe_load((REPO / "inventory" / "sites" / "bao-thang.yml").read_text("utf-8"))
PROVINCE = yaml.safe_load((REPO / "inventory" / "province.yml").read_text("utf-8"))
ROUTER = "bao-thang/bao-thang-rtr01.cfg"
SWITCH = "bao-thang/bao-thang-sw01.cfg"
CODEC = "bao-thang/bao-thang-codec01.api"
ROOM = "bao-thang/bao-thang-vmeet01.yml"


def _text(rendered: dict[str, bytes], name: str) -> str:
    return rendered[name].decode("utf-8")


def block(config: str, header: str) -> list[str]:
    """The lines of an IOS section: the header line and the indented lines under it."""
    lines = config.splitlines()
    for i, line in enumerate(lines):
        if line == header:
            out = []
            for child in lines[i + 1 :]:
                if not child.startswith(" "):
                    break
                out.append(child)
            return out
    raise AssertionError(f"no section {header!r}")


def blocks(config: str, pattern: str) -> dict[str, list[str]]:
    """Every top-level section whose header matches the pattern."""
    return {
        line: block(config, line)
        for line in config.splitlines()
        if not line.startswith(" ") and re.fullmatch(pattern, line)
    }


def sub_block(lines: list[str], header: str) -> list[str]:
    """Inside a section: the lines under one-space-indented header (e.g. ' class VOICE')."""
    start = lines.index(header)
    depth = len(header) - len(header.lstrip())
    out = []
    for line in lines[start + 1 :]:
        if len(line) - len(line.lstrip()) <= depth:
            break
        out.append(line.strip())
    return out


@pytest.fixture(scope="module")
def router(rendered: dict[str, bytes]) -> str:
    return _text(rendered, ROUTER)


@pytest.fixture(scope="module")
def switch(rendered: dict[str, bytes]) -> str:
    return _text(rendered, SWITCH)


@pytest.fixture(scope="module")
def codec(rendered: dict[str, bytes]) -> str:
    return _text(rendered, CODEC)


# --- router: QoS -----------------------------------------------------------------------------


def test_voice_is_strict_priority_10_percent(router: str) -> None:
    queuing = block(router, "policy-map WAN-QUEUING")
    assert sub_block(queuing, " class VOICE") == ["priority percent 10"]
    assert sub_block(queuing, " class VIDEO") == ["bandwidth percent 52"]
    assert sub_block(queuing, " class class-default") == ["fair-queue"]
    # only one class may be strict priority
    assert sum(1 for line in queuing if line.strip().startswith("priority ")) == 1


def test_class_maps_match_the_qos_plan(router: str) -> None:
    for cls in PROVINCE["qos"]["classes"]:
        section = block(router, f"class-map match-any {cls['name'].upper()}")
        assert f" match dscp {' '.join(cls['dscp'])}" in section


def test_shaper_is_the_shaped_share_of_the_contracted_rate(router: str) -> None:
    assert SITE["wan"]["rate_kbps"] == 10_000
    assert PROVINCE["qos"]["shape_percent"] == 95
    shaper = block(router, "policy-map WAN-SHAPER")
    assert sub_block(shaper, " class class-default") == [
        "shape average 9500000",
        "service-policy WAN-QUEUING",
    ]


def test_wan_interface_shapes_and_filters(router: str) -> None:
    wan = block(router, f"interface {SITE['devices'][0]['wan_interface']}")
    assert " service-policy output WAN-SHAPER" in wan
    assert " ip access-group WAN-IN in" in wan
    assert " bandwidth 10000" in wan
    assert " ip address 10.254.0.6 255.255.255.252" in wan  # .5 is the provider edge
    assert " no ip proxy-arp" in wan
    # exactly one interface carries the shaper
    assert router.count("service-policy output WAN-SHAPER") == 1


def test_conference_vlan_marks_cloud_traffic(router: str) -> None:
    lan = SITE["devices"][0]["lan_interface"]
    conference = block(router, f"interface {lan}.10")
    assert " encapsulation dot1Q 10" in conference
    assert " ip address 10.16.1.1 255.255.255.192" in conference
    assert " service-policy input LAN-INGRESS-MARKING" in conference
    assert " ip access-group CONFERENCE-IN in" in conference


# --- router: SLA probes ----------------------------------------------------------------------


def test_ip_sla_probes_to_the_hub_responder(router: str) -> None:
    responder = PROVINCE["services"]["sla-tinh"]["address"]
    assert responder == "10.255.0.1"
    probes = blocks(router, r"ip sla \d+")
    tos = {}
    for header, lines in probes.items():
        jitter = next(line for line in lines if line.startswith(" udp-jitter "))
        assert jitter.split()[1] == responder, header
        assert "source-ip 10.255.0.2" in jitter
        # IOS does not show the default ToS (0): the default-class probe has no tos line.
        tos[header] = next((line.split()[1] for line in lines if line.startswith(" tos ")), "0")
    # One probe per class: EF (46 << 2), AF41 (34 << 2), CS3 (24 << 2), default (0).
    assert tos == {"ip sla 10": "184", "ip sla 20": "136", "ip sla 30": "96", "ip sla 40": "0"}
    assert "codec g711alaw" in "".join(probes["ip sla 10"])
    ports = {
        h: next(ln for ln in ls if ln.startswith(" udp-jitter ")).split()[2]
        for h, ls in probes.items()
    }
    assert len(set(ports.values())) == 4
    for header in probes:
        assert f"ip sla schedule {header.split()[-1]} life forever start-time now" in router
    assert "ip sla responder" not in router  # only the hub answers


# --- router: management plane ----------------------------------------------------------------


def test_every_vty_is_ssh_only_and_filtered(router: str) -> None:
    vtys = blocks(router, r"line vty \d+ \d+")
    assert set(vtys) == {"line vty 0 4", "line vty 5 15"}
    for header, lines in vtys.items():
        assert " transport input ssh" in lines, header
        assert " access-class NOC-MGMT in" in lines, header
        assert not any("transport input" in x and x != " transport input ssh" for x in lines)


def test_noc_mgmt_acl_holds_the_noc_prefixes(router: str) -> None:
    acl = block(router, "ip access-list standard NOC-MGMT")
    assert acl == [" permit 10.9.0.0 0.0.0.255", " permit 10.9.1.0 0.0.0.255", " deny   any log"]


@pytest.mark.parametrize(
    "line",
    [
        "no ip http server",
        "no ip http secure-server",
        "ip ssh version 2",
        "service password-encryption",
        "aaa new-model",
        "ntp server 10.9.0.10 prefer",
        "logging host 10.9.0.12",
        "clock timezone ICT 7 0",
    ],
)
def test_router_hardening_lines(router: str, line: str) -> None:
    assert line in router.splitlines()


def test_snmp_is_v3_with_privacy_only(router: str) -> None:
    snmp = [line for line in router.splitlines() if line.startswith("snmp-server")]
    group = next(line for line in snmp if line.startswith("snmp-server group "))
    assert " v3 priv " in group
    user = next(line for line in snmp if line.startswith("snmp-server user "))
    assert " v3 auth sha " in user
    assert " priv aes 128 " in user
    hosts = [line for line in snmp if line.startswith("snmp-server host ")]
    assert hosts == ["snmp-server host 10.9.0.13 version 3 priv noc-snmp"]
    assert not any("community" in line for line in snmp)
    assert not any(re.search(r"\b(v1|v2c|version 1|version 2c)\b", line) for line in snmp)


def test_secrets_are_type_9(router: str) -> None:
    nine = r"\$9\$[./0-9A-Za-z]{14}\$[./0-9A-Za-z]{43}"
    assert re.search(rf"^enable secret 9 {nine}$", router, re.MULTILINE)
    assert re.search(rf"^username noc privilege 15 secret 9 {nine}$", router, re.MULTILINE)
    assert not re.search(r"\b(password|secret) [057] ", router)


@pytest.mark.parametrize("name", [ROUTER, SWITCH])
def test_no_telnet_anywhere(rendered: dict[str, bytes], name: str) -> None:
    assert "telnet" not in _text(rendered, name).lower()


def test_codec_turns_telnet_off(codec: str) -> None:
    lines = codec.splitlines()
    assert "systemsetting telnetenabled False" in lines
    assert "sshenable true" in lines
    # the only mention of telnet is the line that disables it
    assert [line for line in lines if "telnet" in line.lower()] == [
        "systemsetting telnetenabled False"
    ]


def test_codec_speaks_the_real_systemsetting_syntax(codec: str) -> None:
    """'systemsetting <name> <value>' writes; the wrong 'systemsetting set' form is gone."""
    lines = [line for line in codec.splitlines() if line.startswith("systemsetting ")]
    assert lines
    assert not [line for line in lines if line.split()[1] in ("set", "get")]


def test_codec_fixed_ports_encryption_and_lan(codec: str) -> None:
    lines = codec.splitlines()
    media = PROVINCE.get("media", {})
    tcp = media.get("codec_tcp", {}).get("first", 3230)
    udp = media.get("codec_udp", {}).get("first", 3230)
    assert ["usefixedports yes", f"tcpports set {tcp}", f"udpports set {udp}"] == [
        line for line in lines if line.split()[0] in ("usefixedports", "tcpports", "udpports")
    ]
    assert "encryption yes" in lines
    # the LAN settings are the last commands (no 802.1Q tag, static, the province's resolvers
    # after 'dhcp off'), the codec's own address the very last
    resolvers = PROVINCE.get("dns_servers", [])
    dns = [f"dns set {n}" + (f" {a}" if a else "") for n, a in enumerate(resolvers + [""] * 4, 1)]
    commands = [line for line in lines if not line.startswith("#")]
    expected = [
        "enablevlan no",
        "dhcp off",
        *(dns[:4] if resolvers else []),
        "subnetmask set 255.255.255.192",
        "defaultgateway set 10.16.1.1",
        "ipaddress set 10.16.1.10",
    ]
    assert commands[-len(expected) :] == expected
    assert 'systemsetting sippassword "<redacted>"' in lines


def test_no_vault_value_in_redacted_output(rendered: dict[str, bytes]) -> None:
    secrets = load_secrets(REPO)
    assert secrets, "the vault is empty"
    for name, data in rendered.items():
        text = data.decode("utf-8")
        for key in secrets:
            assert secrets[key] not in text, f"{key} appears in {name}"
    assert "<redacted>" in _text(rendered, ROUTER)


# --- switch ----------------------------------------------------------------------------------


def test_switch_trunk_carries_the_site_vlans(switch: str) -> None:
    uplink = block(switch, f"interface {SITE['devices'][1]['uplink']}")
    assert " switchport mode trunk" in uplink
    assert " switchport trunk allowed vlan 10,20" in uplink
    assert " mls qos trust dscp" in uplink


def test_switch_codec_port_trusts_dscp(switch: str) -> None:
    port = block(switch, f"interface {SITE['devices'][1]['codec_port']}")
    assert " mls qos trust dscp" in port
    assert " switchport access vlan 10" in port
    assert " switchport mode access" in port
    assert " description bao-thang-codec01 (Polycom, backup path)" in port


def test_switch_room_client_port_is_not_trusted(switch: str) -> None:
    # the cloud client does not mark; the router marks its traffic by ACL instead
    port = block(switch, f"interface {SITE['devices'][1]['room_client_port']}")
    assert " switchport access vlan 10" in port
    assert " mls qos trust dscp" not in port


def test_switch_management(switch: str) -> None:
    assert block(switch, "interface Vlan20") == [
        " description management",
        " ip address 10.16.1.66 255.255.255.224",
    ]
    assert "ip default-gateway 10.16.1.65" in switch.splitlines()
    assert block(switch, "interface Vlan1") == [" no ip address", " shutdown"]
    for header, lines in blocks(switch, r"line vty \d+ \d+").items():
        assert " transport input ssh" in lines, header
        assert " access-class NOC-MGMT in" in lines, header


# --- Polycom ---------------------------------------------------------------------------------


def test_codec_dscp_marking(codec: str) -> None:
    lines = codec.splitlines()
    assert "diffservaudio set 46" in lines  # EF
    assert "diffservvideo set 34" in lines  # AF41
    assert "diffservfecc set 24" in lines  # CS3
    assert "typeofservice diffserv" in lines


def test_codec_registers_with_the_hub(codec: str) -> None:
    gatekeeper = PROVINCE["services"]["gk-tinh"]["address"]
    registrar = PROVINCE["services"]["sip-tinh"]["address"]
    lines = codec.splitlines()
    assert f"gatekeeperip set {gatekeeper}" in lines
    assert f"systemsetting sipregistrarserver {registrar}" in lines
    assert f"systemsetting sipproxyserver {registrar}" in lines
    assert "e164ext set 1502905" in lines
    assert "systemsetting sipusername 1502905" in lines
    assert 'h323name set "UBND xa Bao Thang"' in lines
    assert "systemsetting maxrxbandwidth 2048" in lines
    assert "systemsetting maxtxbandwidth 2048" in lines
    assert "usegatekeeper specify" in lines
    assert "systemsetting sipenable True" in lines


def test_room_client_profile(rendered: dict[str, bytes]) -> None:
    profile = yaml.safe_load(_text(rendered, ROOM))
    assert profile == {
        "service": "Mega V-meeting",
        "room_id": "lci-02905-bao-thang",
        "display_name": "UBND xã Bảo Thắng",
        "bandwidth_kbps": 2048,
        "address": "10.16.1.11",
        "dscp": "af41",
    }


# --- hub -------------------------------------------------------------------------------------


def test_hub_router_answers_sla_and_routes_the_sites(rendered: dict[str, bytes]) -> None:
    hub = _text(rendered, "ubnd-tinh/ubnd-tinh-rtr01.cfg")
    lines = hub.splitlines()
    assert "ip sla responder" in lines
    assert not blocks(hub, r"ip sla \d+")  # the hub does not probe itself
    assert "ip route 10.16.0.0 255.240.0.0 10.254.0.1 name SITES" in lines
    assert "ip route 10.255.0.0 255.255.0.0 10.254.0.1 name SITE-LOOPBACKS" in lines
    assert sub_block(block(hub, "policy-map WAN-SHAPER"), " class class-default")[0] == (
        "shape average 570000000"
    )
