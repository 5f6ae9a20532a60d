"""Every fault kind, as a Netmiko client sees it; and faults as data."""

from __future__ import annotations

import pytest
from netmiko import (
    ConfigInvalidException,
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadTimeout,
)

from lab_server_helpers import netmiko_connect, paramiko_client, read_until, wait_for
from rollout.lab.echo import EchoDevice
from rollout.lab.faults import (
    AuthFail,
    DropAfterLines,
    FaultSpecError,
    MgmtCutAfterAcl,
    RejectCommand,
    Slow,
    Unreachable,
    fault_to_json,
    parse_fault,
    touches_acl,
)
from rollout.lab.server import DeviceInfo, ServerThread

pytestmark = pytest.mark.lab

DROPPED = (OSError, EOFError, ReadTimeout)
"""What Netmiko raises when the device drops the connection under it."""


def test_unreachable_refuse(lab: ServerThread, device: DeviceInfo) -> None:
    conn = netmiko_connect(device)
    info = lab.set_fault("lab1", Unreachable())
    assert not info.listening
    with pytest.raises(DROPPED):
        conn.send_command("show version", read_timeout=3)
    conn.disconnect()
    with pytest.raises(NetmikoTimeoutException):
        netmiko_connect(device)
    assert lab.clear_fault("lab1", "unreachable").listening
    conn = netmiko_connect(device)
    assert "Lab echo device" in conn.send_command("show version")
    conn.disconnect()


def test_unreachable_blackhole(lab: ServerThread, device: DeviceInfo) -> None:
    lab.set_fault("lab1", Unreachable(mode="blackhole"))
    with pytest.raises(NetmikoTimeoutException):
        netmiko_connect(device, conn_timeout=1, banner_timeout=1)
    lab.clear_fault("lab1")
    netmiko_connect(device).disconnect()


def test_auth_fail(lab: ServerThread, device: DeviceInfo) -> None:
    lab.set_fault("lab1", AuthFail())
    with pytest.raises(NetmikoAuthenticationException):
        netmiko_connect(device)
    lab.clear_fault("lab1", "auth_fail")
    netmiko_connect(device).disconnect()


def test_slow_replies_time_out_short_reads(lab: ServerThread, device: DeviceInfo) -> None:
    conn = netmiko_connect(device)
    try:
        lab.set_fault("lab1", Slow(seconds=0.2))
        assert "Lab echo device" in conn.send_command("show version")
        lab.set_fault("lab1", Slow(seconds=600))
        with pytest.raises(ReadTimeout):
            # expect_string: without it Netmiko first probes the prompt with no time limit.
            conn.send_command("show version", read_timeout=0.5, expect_string=r"lab1#")
    finally:
        lab.clear_fault("lab1")
        conn.disconnect()


def test_slow_exec(lab: ServerThread, device: DeviceInfo) -> None:
    lab.set_fault("lab1", Slow(seconds=0.1))
    client = paramiko_client(device)
    try:
        _, stdout, _ = client.exec_command("show version")
        assert stdout.read().startswith(b"Lab echo device")
    finally:
        client.close()


def test_drop_after_lines(lab: ServerThread, device: DeviceInfo, echo_device: EchoDevice) -> None:
    lab.set_fault("lab1", DropAfterLines(lines=2))
    conn = netmiko_connect(device)
    with pytest.raises(DROPPED):
        conn.send_config_set(["line 1", "line 2", "line 3", "line 4"], read_timeout=1.5)
    conn.disconnect()
    # Exec-mode lines are not counted; the second config line ran, the third never arrived.
    assert echo_device.config == ["line 1", "line 2"]


def test_reject_command(lab: ServerThread, device: DeviceInfo, echo_device: EchoDevice) -> None:
    lab.set_fault("lab1", RejectCommand(pattern=r"ntp server .*"))
    conn = netmiko_connect(device)
    try:
        with pytest.raises(ConfigInvalidException):
            conn.send_config_set(
                ["logging host 10.0.0.1", "ntp server 10.0.0.2"], error_pattern=r"% Invalid input"
            )
        conn.exit_config_mode()
        lab.set_fault("lab1", RejectCommand(pattern="show version"))
        output = conn.send_command("show version")
    finally:
        conn.disconnect()
    assert output == "     ^\n% Invalid input detected at '^' marker.\n"
    assert echo_device.config == ["logging host 10.0.0.1"]


def test_reject_command_caret_follows_the_prompt(lab: ServerThread, device: DeviceInfo) -> None:
    lab.set_fault("lab1", RejectCommand(pattern="show clock"))
    client = paramiko_client(device)
    try:
        chan = client.invoke_shell()
        read_until(chan, b"lab1#")
        chan.sendall(b"show clock\n")
        data = read_until(chan, b"\r\nlab1#")
    finally:
        client.close()
    assert data == (b"show clock\r\n     ^\r\n% Invalid input detected at '^' marker.\r\n\r\nlab1#")


def test_mgmt_cut_after_acl_until_reverted(
    lab: ServerThread, device: DeviceInfo, echo_device: EchoDevice
) -> None:
    lab.set_fault("lab1", MgmtCutAfterAcl())
    conn = netmiko_connect(device)
    conn.send_config_set(["interface Gi0/1", "description no acl here"])
    assert "Lab echo device" in conn.send_command("show version")  # no ACL: no cut

    try:
        conn.send_config_set(["ip access-list standard MGMT", "permit 10.0.0.0 0.255.255.255"])
        conn.send_command("show version", read_timeout=3)
    except DROPPED:
        pass  # the cut may hit while Netmiko still checks the prompt
    else:
        pytest.fail("the session survived an ACL change under mgmt_cut_after_acl")
    finally:
        conn.disconnect()
    assert not lab.device("lab1").listening
    with pytest.raises(NetmikoTimeoutException):
        netmiko_connect(device)

    echo_device.revert()  # from this (non-loop) thread, like a device's revert timer
    assert wait_for(lambda: lab.device("lab1").listening)
    conn = netmiko_connect(device)
    assert "Lab echo device" in conn.send_command("show version")
    conn.disconnect()
    assert lab.device("lab1").faults == (MgmtCutAfterAcl(),)  # still armed


def test_mgmt_cut_lifted_by_clearing_the_fault(lab: ServerThread, device: DeviceInfo) -> None:
    lab.set_fault("lab1", MgmtCutAfterAcl())
    client = paramiko_client(device)
    chan = client.invoke_shell()
    read_until(chan, b"lab1#")
    chan.sendall(b"configure terminal\naccess-list 10 permit any\n")
    read_until(chan, b"lab1(config)#access-list 10 permit any\r\nlab1(config)#")
    chan.close()  # the session ends inside config mode: that counts as the end of it
    client.close()
    assert wait_for(lambda: not lab.device("lab1").listening)
    assert lab.clear_fault("lab1").listening
    netmiko_connect(device).disconnect()


def test_faults_combine_and_replace(lab: ServerThread, device: DeviceInfo) -> None:
    lab.set_fault("lab1", Slow(seconds=1))
    lab.set_fault("lab1", RejectCommand(pattern="x"))
    info = lab.set_fault("lab1", Slow(seconds=2))
    assert set(info.faults) == {Slow(seconds=2), RejectCommand(pattern="x")}
    assert lab.clear_fault("lab1", "slow").faults == (RejectCommand(pattern="x"),)
    assert lab.clear_fault("lab1").faults == ()


@pytest.mark.parametrize(
    ("data", "fault"),
    [
        ({"kind": "unreachable"}, Unreachable()),
        ({"kind": "unreachable", "mode": "blackhole"}, Unreachable("blackhole")),
        ({"kind": "auth_fail"}, AuthFail()),
        ({"kind": "slow", "seconds": 2}, Slow(2.0)),
        ({"kind": "drop_after_lines", "lines": 5}, DropAfterLines(5)),
        ({"kind": "reject_command", "pattern": "show run.*"}, RejectCommand("show run.*")),
        ({"kind": "mgmt_cut_after_acl"}, MgmtCutAfterAcl()),
    ],
)
def test_fault_json_round_trip(data: dict[str, object], fault: object) -> None:
    parsed = parse_fault(data)
    assert parsed == fault
    assert parse_fault(fault_to_json(parsed)) == parsed


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "flood"}, "unknown fault kind 'flood'"),
        ({}, "unknown fault kind None"),
        ({"kind": "slow"}, "missing field 'seconds'"),
        ({"kind": "slow", "seconds": "2"}, "wrong type"),
        ({"kind": "slow", "seconds": -1}, "within 0..3600"),
        ({"kind": "drop_after_lines", "lines": 0}, ">= 1"),
        ({"kind": "drop_after_lines", "lines": True}, "wrong type"),
        ({"kind": "reject_command", "pattern": "("}, "not a valid regular expression"),
        ({"kind": "unreachable", "mode": "drop"}, "'refuse' or 'blackhole'"),
        ({"kind": "auth_fail", "user": "x"}, "unknown field"),
    ],
)
def test_fault_spec_errors(data: dict[str, object], message: str) -> None:
    with pytest.raises(FaultSpecError, match=message):
        parse_fault(data)


@pytest.mark.parametrize(
    ("line", "touched"),
    [
        ("access-list 10 permit any", True),
        ("ip access-list extended MGMT", True),
        (" access-class MGMT in", True),
        ("ip access-group 101 in", True),
        ("no access-list 10", True),
        ("ip address 10.0.0.1 255.255.255.0", False),
        ("access-listing", False),
        ("description access-list", False),
    ],
)
def test_touches_acl(line: str, touched: bool) -> None:
    assert touches_acl(line) is touched
