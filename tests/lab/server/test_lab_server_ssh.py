"""The lab SSH server as Netmiko and paramiko see it: login, shell, exec, host keys."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import paramiko
import pytest
from netmiko import NetmikoAuthenticationException

from lab_server_helpers import (
    PASSWORD,
    USER,
    netmiko_connect,
    paramiko_client,
    read_until,
    wait_for,
)
from rollout.lab.echo import EchoDevice, EchoShell
from rollout.lab.faults import MgmtCutAfterAcl
from rollout.lab.server import DeviceInfo, DeviceSetupError, ServerThread, UnknownDeviceError

pytestmark = pytest.mark.lab


def test_netmiko_cisco_ios_session(device: DeviceInfo, echo_device: EchoDevice) -> None:
    conn = netmiko_connect(device)
    try:
        assert conn.find_prompt() == "lab1#"
        assert "Lab echo device lab1" in conn.send_command("show version")
        output = conn.send_config_set(["interface Gi0/0", " description uplink"])
        assert "lab1(config)#" in output
        assert conn.find_prompt() == "lab1#"
        running = str(conn.send_command("show running-config"))
    finally:
        conn.disconnect()
    assert running.splitlines() == ["hostname lab1", "interface Gi0/0", "description uplink", "end"]
    assert echo_device.config == ["interface Gi0/0", "description uplink"]


def test_paramiko_exec(device: DeviceInfo) -> None:
    client = paramiko_client(device)
    try:
        _, stdout, _ = client.exec_command("show version")
        output = stdout.read()
        status = stdout.channel.recv_exit_status()
    finally:
        client.close()
    assert output == b"Lab echo device lab1\nVersion 1.0, uptime 1 minute\n"
    assert status == 0


@pytest.mark.parametrize("ending", [b"\r", b"\n", b"\r\n"])
def test_interactive_line_endings_echo_and_crlf(device: DeviceInfo, ending: bytes) -> None:
    client = paramiko_client(device)
    try:
        chan = client.invoke_shell(term="vt100")
        assert read_until(chan, b"lab1#").endswith(b"lab1#")
        chan.sendall(b"show version" + ending)
        data = read_until(chan, b"lab1#")
        chan.sendall(b"terminal length 0" + ending + b"show version" + ending)
        burst = read_until(chan, b"minute\r\nlab1#")
    finally:
        client.close()
    assert data == b"show version\r\nLab echo device lab1\r\nVersion 1.0, uptime 1 minute\r\nlab1#"
    # Two lines in one packet: each is echoed and answered in turn, with no empty line
    # from a split "\r\n".
    assert burst == (
        b"terminal length 0\r\nlab1#show version\r\n"
        b"Lab echo device lab1\r\nVersion 1.0, uptime 1 minute\r\nlab1#"
    )


def test_ctrl_z_leaves_config_mode_and_backspace_edits(device: DeviceInfo) -> None:
    client = paramiko_client(device)
    try:
        chan = client.invoke_shell()
        read_until(chan, b"lab1#")
        chan.sendall(b"configure terminal\n")
        read_until(chan, b"lab1(config)#")
        chan.sendall(b"\x1a")
        after_ctrl_z = read_until(chan, b"lab1#")
        chan.sendall(b"show versionx\x7f\n")
        edited = read_until(chan, b"lab1#")
    finally:
        client.close()
    assert after_ctrl_z == b"^Z\r\nlab1#"
    assert edited.startswith(b"show versionx\b \b\r\nLab echo device lab1")


def test_exit_closes_the_session(device: DeviceInfo) -> None:
    client = paramiko_client(device)
    try:
        chan = client.invoke_shell()
        read_until(chan, b"lab1#")
        chan.sendall(b"exit\n")
        read_until(chan, b"never shown")
        assert chan.recv_exit_status() == 0
    finally:
        client.close()


def test_wrong_password_is_refused(device: DeviceInfo) -> None:
    with pytest.raises(NetmikoAuthenticationException):
        netmiko_connect(device, password="wrong")


def test_public_key_login(lab: ServerThread, tmp_path: Path) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    other = asyncssh.generate_private_key("ssh-ed25519")
    key_file, other_file = tmp_path / "id_ed25519", tmp_path / "other"
    key.write_private_key(key_file)
    other.write_private_key(other_file)
    public = key.export_public_key().decode()
    info = lab.add_device(
        "keyed", EchoDevice("keyed", password="unused-" + PASSWORD, authorized_keys=[public])
    )
    conn = netmiko_connect(info, use_keys=True, key_file=str(key_file), password=None)
    try:
        assert conn.find_prompt() == "keyed#"
    finally:
        conn.disconnect()
    with pytest.raises(paramiko.AuthenticationException):
        paramiko_client(info, key_filename=str(other_file), password=None)


def test_host_key_persists_across_restart(tmp_path: Path) -> None:
    state = tmp_path / "lab"
    with ServerThread(state) as lab:
        first = lab.add_device("lab1", EchoDevice(username=USER, password=PASSWORD))
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(first.known_hosts_line() + "\n")
    with ServerThread(state) as lab:
        second = lab.add_device(
            "lab1", EchoDevice(username=USER, password=PASSWORD), port=first.port
        )
        conn = netmiko_connect(
            second,
            ssh_strict=True,
            system_host_keys=False,
            alt_host_keys=True,
            alt_key_file=str(known_hosts),
        )
        conn.disconnect()
    assert second.host_key == first.host_key
    assert first.host_key.fingerprint.startswith("SHA256:")
    assert (state / "hostkeys" / "lab1.key").stat().st_mode & 0o777 == 0o600


def test_unknown_host_key_is_rejected_by_strict_clients(device: DeviceInfo, tmp_path: Path) -> None:
    known_hosts = tmp_path / "known_hosts"
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().split()
    known_hosts.write_text(f"[{device.host}]:{device.port} {other[0]} {other[1]}\n")
    client = paramiko.SSHClient()
    client.load_host_keys(str(known_hosts))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    with pytest.raises(paramiko.BadHostKeyException):
        client.connect(
            device.host,
            port=device.port,
            username=USER,
            password=PASSWORD,
            look_for_keys=False,
            allow_agent=False,
        )
    client.close()


def test_fifty_concurrent_netmiko_sessions(lab: ServerThread) -> None:
    devices = [EchoDevice(f"r{i}", username=USER, password=PASSWORD) for i in range(10)]
    infos = lab.add_devices([(d.hostname, d) for d in devices])

    def session(n: int) -> str:
        info = infos[n % len(infos)]
        conn = netmiko_connect(info)
        try:
            conn.send_config_set([f"session {n}"])
            return str(conn.send_command("show version"))
        finally:
            conn.disconnect()

    with ThreadPoolExecutor(max_workers=50) as pool:
        outputs = list(pool.map(session, range(50)))
    assert all(f"Lab echo device r{n % 10}" in out for n, out in enumerate(outputs))
    assert sorted(line for d in devices for line in d.config) == sorted(
        f"session {n}" for n in range(50)
    )


def test_hundreds_of_devices_in_one_process(lab: ServerThread) -> None:
    infos = lab.add_devices([(f"d{i:03}", EchoDevice(f"d{i:03}")) for i in range(300)])
    assert len({i.port for i in infos}) == 300
    assert len({i.host_key.public_key for i in infos}) == 300
    for info in (infos[0], infos[150], infos[-1]):
        client = paramiko_client(info, username="admin", password="admin")
        try:
            _, stdout, _ = client.exec_command("show version")
            assert stdout.read().startswith(f"Lab echo device {info.name}\n".encode())
        finally:
            client.close()


def test_device_setup_errors(lab: ServerThread, device: DeviceInfo) -> None:
    with pytest.raises(DeviceSetupError, match="already hosted"):
        lab.add_device("lab1", EchoDevice())
    with pytest.raises(DeviceSetupError, match="invalid device name"):
        lab.add_device("../etc", EchoDevice())
    with pytest.raises(DeviceSetupError, match="cannot listen"):
        lab.add_device("lab2", EchoDevice(), port=device.port)
    with pytest.raises(UnknownDeviceError, match="lab1"):
        lab.device("nope")


class _UserAwareDevice(EchoDevice):
    """Takes the login name, like a simulator with per-user privilege levels."""

    def __init__(self) -> None:
        super().__init__("aware", username=USER, password=PASSWORD)
        self.users: list[str] = []

    def new_session(self, username: str = "") -> EchoShell:
        self.users.append(username)
        return super().new_session()


def test_new_session_gets_the_login_name_when_it_asks(lab: ServerThread) -> None:
    device = _UserAwareDevice()
    netmiko_connect(lab.add_device("aware", device)).disconnect()
    assert device.users == [USER]


def test_event_objects_and_extra_arguments(lab: ServerThread, tmp_path: Path) -> None:
    """Devices may report events as (name, device) or as objects with a ``kind``."""

    @dataclass(frozen=True)
    class Event:
        kind: str

    device = EchoDevice("ev", username=USER, password=PASSWORD)
    info = lab.add_device("ev", device)
    lab.set_fault("ev", MgmtCutAfterAcl())
    client = paramiko_client(info)
    chan = client.invoke_shell()
    read_until(chan, b"ev#")
    chan.sendall(b"configure terminal\naccess-list 1 permit any\nend\n")
    read_until(chan, b"ev(config)#end\r\nev#")
    client.close()
    assert wait_for(lambda: not lab.device("ev").listening)
    for callback in device._listeners:
        callback(Event("reverted"))  # type: ignore[arg-type]
    assert wait_for(lambda: lab.device("ev").listening)
