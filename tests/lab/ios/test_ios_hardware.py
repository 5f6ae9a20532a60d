"""Each supported model's day-0 in the lab twin, and how the twin shows what is typed.

Every expected line here comes from a public device output cited in ``rollout.hardware``
or in the tables of ``rollout.lab.ios.rules`` / ``rollout.lab.ios.outcome``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from netmiko import ConnectHandler

from rollout.hardware import MODELS, OsFamily
from rollout.inventory.loader import load_inventory
from rollout.lab.day0 import ios_day0
from rollout.lab.ios.device import IosDevice
from rollout.lab.ios.outcome import SLA_RUNNING_MESSAGE
from rollout.lab.ios.rules import CONFIRMED_NEGATIONS
from rollout.lab.platforms import IosLabDevice
from rollout.lab.server import ServerThread
from rollout.secrets import load_secrets

REPO = Path(__file__).resolve().parents[3]
USER, PASSWORD = "noc", "lab-pass-1"


def shown(device: IosDevice) -> list[str]:
    return device.running_config().splitlines()


def meaningful(lines: list[str] | tuple[str, ...]) -> list[str]:
    return [line.rstrip() for line in lines if line.strip() and not line.strip().startswith("!")]


def section(device: IosDevice, header: str) -> list[str]:
    lines = shown(device)
    start = lines.index(header)
    end = start + 1
    while end < len(lines) and lines[end].startswith(" "):
        end += 1
    return lines[start:end]


@pytest.fixture
def factory(request: pytest.FixtureRequest) -> Iterator[IosDevice]:
    name = str(request.param)
    dev = IosDevice.from_config("\n".join(MODELS[name].day0_lines) + "\nend\n", model=name)
    yield dev
    dev.close()


# ------------------------------------------------------------------- day-0 per model


def test_the_sites_use_supported_models() -> None:
    inv = load_inventory(REPO)
    used = {d.model for s in inv.sites.values() for d in s.devices if d.platform == "cisco_ios"}
    assert used and used <= set(MODELS)


@pytest.mark.parametrize(
    ("name", "os", "ports", "mgmt"),
    [
        ("ISR4321", OsFamily.IOSXE, 3, "GigabitEthernet0"),
        ("ISR4331", OsFamily.IOSXE, 4, "GigabitEthernet0"),
        ("WS-C2960X-24PS-L", OsFamily.IOS, 29, "FastEthernet0"),
        ("C9200-24P", OsFamily.IOSXE, 29, "GigabitEthernet0/0"),
    ],
)
def test_model_data(name: str, os: OsFamily, ports: int, mgmt: str) -> None:
    hw = MODELS[name]
    assert (hw.os, len(hw.ports), hw.mgmt_port) == (os, ports, mgmt)
    assert mgmt not in hw.data_ports and len(hw.data_ports) == ports - 1
    assert hw.source


@pytest.mark.parametrize("factory", sorted(MODELS), indirect=True)
def test_day0_loads_and_is_shown_back_line_for_line(factory: IosDevice) -> None:
    hw = MODELS[factory.model]
    assert factory.load_errors == []
    assert sorted(meaningful(shown(factory))[2:-1]) == sorted(meaningful(hw.day0_lines))
    # Ports come in the hardware's own order (an ISR lists GigabitEthernet0 last).
    interfaces = [line.split()[1] for line in shown(factory) if line.startswith("interface ")]
    assert [i for i in interfaces if i in hw.ports] == list(hw.ports)


def test_isr_day0_in_ios_xe_form() -> None:
    dev = IosDevice.from_config("\n".join(MODELS["ISR4321"].day0_lines), model="ISR4321")
    lines = shown(dev)
    assert section(dev, "vrf definition Mgmt-intf") == [
        "vrf definition Mgmt-intf",
        " !",
        " address-family ipv4",
        " exit-address-family",
        " !",
        " address-family ipv6",
        " exit-address-family",
    ]
    assert section(dev, "interface GigabitEthernet0") == [
        "interface GigabitEthernet0",
        " vrf forwarding Mgmt-intf",
        " no ip address",
        " shutdown",
        " negotiation auto",
    ]
    assert lines.index("boot-start-marker") + 1 == lines.index("boot-end-marker")
    head = lines.index("hostname Router") if "hostname Router" in lines else len(lines)
    assert lines.index("no platform punt-keepalive disable-kernel-core") < head
    assert {"no aaa new-model", "no ip http server", "redundancy", " mode none"} <= set(lines)


def test_switch_ports_reset_to_the_models_defaults() -> None:
    dev = IosDevice.from_config("\n".join(MODELS["C9200-24P"].day0_lines), model="C9200-24P")
    cli = dev.session()
    for line in ("configure terminal", "interface gi1/0/5", "description codec", "end"):
        cli.handle(line)
    assert section(dev, "interface GigabitEthernet1/0/5")[1:] == [" description codec"]
    for line in ("configure terminal", "no interface GigabitEthernet1/0/5", "end"):
        cli.handle(line)
    assert section(dev, "interface GigabitEthernet1/0/5") == ["interface GigabitEthernet1/0/5"]


def test_staged_unit_is_its_models_day0_plus_the_staging() -> None:
    inv = load_inventory(REPO)
    secrets = load_secrets(REPO)
    for device in inv.sites["bao-thang"].devices:
        if device.platform != "cisco_ios":
            continue
        hw = MODELS[device.model]
        dev = IosDevice.from_config(ios_day0(inv, device, secrets), model=device.model)
        lines = shown(dev)
        assert dev.load_errors == []
        assert dev.hostname == device.hostname
        assert "aaa new-model" in lines and "no aaa new-model" not in lines
        if hw.name.startswith("ISR"):
            assert (
                sum(line.startswith(f"license udi pid {hw.udi_pid} sn FDO") for line in lines) == 1
            )
        assert all(f"interface {p}" in lines for p in hw.ports)
        assert section(dev, "line vty 0 4") == ["line vty 0 4", " transport input ssh"]


# --------------------------------------------------------- typed -> shown (canonical form)

CANONICAL = [
    # (typed lines, lines shown afterwards, lines not shown)
    (["ip ssh authentication-retries 3"], [], ["ip ssh authentication-retries 3"]),
    (["logging trap informational"], [], ["logging trap informational"]),
    (
        ["ip ssh authentication-retries 5", "ip ssh authentication-retries 3"],
        [],
        ["ip ssh authentication-retries 5", "ip ssh authentication-retries 3"],
    ),
    (["logging trap warnings"], ["logging trap warnings"], []),
    (
        ["ip prefix-list HUB permit 10.0.0.0/8", "ip prefix-list HUB permit 10.1.0.0/16"],
        [
            "ip prefix-list HUB seq 5 permit 10.0.0.0/8",
            "ip prefix-list HUB seq 10 permit 10.1.0.0/16",
        ],
        ["ip prefix-list HUB permit 10.0.0.0/8"],
    ),
    (["interface gi0/0/1", "no shutdown"], [], [" no shutdown"]),
    (["no ip http server"], ["no ip http server"], []),
    (["aaa new-model", "no aaa new-model"], ["no aaa new-model"], ["aaa new-model"]),
]


@pytest.mark.parametrize(("typed", "present", "absent"), CANONICAL)
def test_typed_lines_are_shown_in_ios_form(
    typed: list[str], present: list[str], absent: list[str], make_cli: Any
) -> None:
    dev = IosDevice.from_config("\n".join(MODELS["ISR4321"].day0_lines), model="ISR4321")
    cli = make_cli(dev.session())
    assert [o for o in cli.config(*typed) if o] == []
    lines = shown(dev)
    assert all(p in lines for p in present), lines
    assert not any(a in lines for a in absent)


def test_interface_abbreviation_is_expanded(make_cli: Any) -> None:
    dev = IosDevice.from_config("interface Ethernet0/0\n shutdown\n")
    cli = make_cli(dev.session())
    cli.config("interface e0/0", "description wan", "no shutdown")
    assert section(dev, "interface Ethernet0/0") == [
        "interface Ethernet0/0",
        " description wan",
    ]


def test_ip_sla_defaults_hidden_and_scheduled_operation_refused(make_cli: Any) -> None:
    dev = IosDevice.from_config("\n".join(MODELS["ISR4331"].day0_lines), model="ISR4331")
    cli = make_cli(dev.session())
    cli.config(
        "ip sla 10",
        "udp-jitter 10.100.0.1 5000 codec g711alaw",
        "tos 184",
        "frequency 60",
        "timeout 5000",
        "threshold 5000",
        "ip sla schedule 10 life forever start-time now",
    )
    assert section(dev, "ip sla 10") == [
        "ip sla 10",
        " udp-jitter 10.100.0.1 5000 codec g711alaw",
        " tos 184",
    ]
    out = cli.config("ip sla 10", "frequency 30")
    assert out[0] == SLA_RUNNING_MESSAGE
    assert out[0].splitlines()[1] == "\t(only can delete (no) and start over)"
    assert "% Invalid input detected" in out[1]
    assert " frequency 30" not in shown(dev)


def test_removing_an_enrolled_trustpoint_asks_first(make_cli: Any) -> None:
    pki = CONFIRMED_NEGATIONS[0]
    dev = IosDevice.from_config("\n".join(MODELS["C9200-24P"].day0_lines), model="C9200-24P")
    cli = make_cli(dev.session())
    cli("configure terminal")
    assert cli("no crypto pki trustpoint SLA-TrustPoint") == pki.warning
    assert cli.prompt == pki.question
    assert cli("no") == ""
    assert "crypto pki trustpoint SLA-TrustPoint" in shown(dev)
    cli("no crypto pki trustpoint SLA-TrustPoint")
    assert cli("yes") == pki.done + "\n"
    assert cli.prompt.endswith("(config)#")
    lines = shown(dev)
    assert "crypto pki trustpoint SLA-TrustPoint" not in lines
    assert "crypto pki certificate chain SLA-TrustPoint" not in lines
    # A trustpoint without certificates goes without a question.
    cli("crypto pki trustpoint LAB")
    cli(" enrollment terminal")
    cli("exit")
    assert "crypto pki trustpoint LAB" in shown(dev)
    assert cli("no crypto pki trustpoint LAB") == ""
    assert "crypto pki trustpoint LAB" not in shown(dev)


def test_certificate_chain_round_trip() -> None:
    dev = IosDevice.from_config("\n".join(MODELS["C9200-24P"].day0_lines), model="C9200-24P")
    chain = section(dev, "crypto pki certificate chain SLA-TrustPoint")
    assert chain[1] == " certificate ca 01"
    assert chain[-1] == "  \tquit"
    again = IosDevice.from_config(dev.running_config(), model="C9200-24P")
    assert meaningful(shown(again)) == meaningful(shown(dev))


def test_banner_is_one_unit_shown_with_caret_c(make_cli: Any) -> None:
    dev = IosDevice.from_config("\n".join(MODELS["ISR4321"].day0_lines), model="ISR4321")
    cli = make_cli(dev.session())
    cli.config("banner login ^", "Authorised access only", "Lao Cai video network", "^")
    lines = shown(dev)
    start = lines.index("banner login ^C")
    assert lines[start : start + 4] == [
        "banner login ^C",
        "Authorised access only",
        "Lao Cai video network",
        "^C",
    ]
    again = IosDevice.from_config(dev.running_config(), model="ISR4321")
    assert meaningful(shown(again))[2:] == meaningful(lines)[2:]


# ---------------------------------------------------------------------- over real SSH


@pytest.fixture
def staged(tmp_path: Path) -> Iterator[tuple[ServerThread, IosDevice]]:
    hw = MODELS["ISR4321"]
    text = "\n".join(
        [
            *hw.day0_lines,
            "hostname lab-rtr01",
            f"username {USER} privilege 15 password 0 {PASSWORD}",
        ]
    )
    dev = IosDevice.from_config(text, model=hw.name, lab_password=PASSWORD)
    with ServerThread(tmp_path / "lab") as server:
        yield server, dev
    dev.close()


@pytest.mark.lab
def test_netmiko_sees_the_ios_forms(staged: tuple[ServerThread, IosDevice]) -> None:
    server, dev = staged
    info = server.add_device("lab-rtr01", IosLabDevice(dev), platform="cisco_ios")
    conn = ConnectHandler(
        device_type="cisco_ios",
        host=info.host,
        port=info.port,
        username=USER,
        password=PASSWORD,
        conn_timeout=5,
        auth_timeout=5,
        banner_timeout=5,
    )
    try:
        out = conn.send_config_set(
            [
                "ip ssh authentication-retries 3",
                "ip prefix-list HUB permit 10.0.0.0/8",
                "interface gi0/0/1",
                "no shutdown",
            ]
        )
        assert "% Invalid" not in out
        running = str(conn.send_command("show running-config"))
    finally:
        conn.disconnect()
    lines = running.splitlines()
    assert "ip prefix-list HUB seq 5 permit 10.0.0.0/8" in lines
    assert "ip ssh authentication-retries 3" not in lines
    assert "interface GigabitEthernet0/0/1" in lines
    assert " no shutdown" not in lines
    assert "no platform punt-keepalive disable-kernel-core" in lines
