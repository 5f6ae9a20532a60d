"""`PolycomGroupSeriesSSH` over real SSH against the simulated codec.

The fixture here is a deliberately small SSH front end for one `PolycomDevice` (password
auth, PTY, echo, CRLF, prompt after every reply) on 127.0.0.1 with a random port; the lab's
production server lives elsewhere.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import asyncssh
import pytest
from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException
from netmiko.ssh_dispatcher import CLASS_MAPPER, platforms

from rollout.drivers.polycom_api import (
    DEVICE_TYPE,
    PolycomGroupSeriesSSH,
    api_errors,
    keyed_diff,
    parse_settings,
    read_commands,
    register,
    settings_commands,
)
from rollout.lab.polycom import PolycomDevice

pytestmark = pytest.mark.lab

PASSWORD = "Lab-pass-1"


class _Auth(asyncssh.SSHServer):
    def __init__(self, device: PolycomDevice) -> None:
        self._device = device

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return self._device.check_password(username, password)


async def _serve(device: PolycomDevice, process: asyncssh.SSHServerProcess[str]) -> None:
    shell = device.session()
    if process.command:
        reply = shell.exec_command(process.command)
        process.stdout.write(reply.output.replace("\n", "\r\n") + "\r\n")
        process.exit(0)
        return
    out = process.stdout
    banner = shell.banner()
    out.write((banner.replace("\n", "\r\n") + "\r\n" if banner else "") + shell.prompt())
    line: list[str] = []
    last = ""
    try:
        while True:
            data = await process.stdin.read(4096)
            if not data:
                break
            for ch in data:
                if ch == "\n" and last == "\r":
                    last = ch
                    continue
                last = ch
                if ch in "\r\n":
                    out.write("\r\n")
                    reply = shell.handle("".join(line))
                    line.clear()
                    if reply.output:
                        out.write(reply.output.replace("\n", "\r\n") + "\r\n")
                    if reply.close:
                        process.exit(0)
                        return
                    out.write(shell.prompt())
                elif ch in "\x7f\b":
                    if line:
                        line.pop()
                        out.write("\b \b")
                else:
                    line.append(ch)
                    out.write(ch)
    except (asyncssh.BreakReceived, asyncssh.TerminalSizeChanged):
        pass
    process.exit(0)


@dataclass
class _Lab:
    device: PolycomDevice
    port: int


class _PolycomSSHD:
    """One asyncssh server in a background thread with its own event loop."""

    def __init__(
        self,
        device: PolycomDevice,
        host: str = "127.0.0.1",
        port: int = 0,
        key: asyncssh.SSHKey | None = None,
    ) -> None:
        self.device = device
        self.host, self.port = host, port
        self.key = key or asyncssh.generate_private_key("ssh-ed25519")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncssh.SSHAcceptor | None = None

    async def _start(self) -> int:
        key = self.key
        device = self.device

        async def handler(process: asyncssh.SSHServerProcess[str]) -> None:
            await _serve(device, process)

        self._server = await asyncssh.create_server(
            lambda: _Auth(device),
            self.host,
            self.port,
            server_host_keys=[key],
            process_factory=handler,
            line_editor=False,
            encoding="utf-8",
        )
        sockets = self._server.sockets
        return int(sockets[0].getsockname()[1])

    def start(self) -> int:
        self._thread.start()
        return asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=30)

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
                await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._loop.close()


@pytest.fixture
def lab() -> Iterator[_Lab]:
    device = PolycomDevice("BT-CODEC01", password=PASSWORD)
    server = _PolycomSSHD(device)
    port = server.start()
    try:
        yield _Lab(device, port)
    finally:
        server.stop()


def _connect(port: int, password: str = PASSWORD) -> PolycomGroupSeriesSSH:
    register()
    connection = ConnectHandler(
        device_type=DEVICE_TYPE,
        host="127.0.0.1",
        port=port,
        username="admin",
        password=password,
        use_keys=False,
        allow_agent=False,
        ssh_config_file=None,
    )
    assert isinstance(connection, PolycomGroupSeriesSSH)
    return connection


TARGET = {
    "h323name": "Bao Thang",
    "e164ext": "1086",
    "usegatekeeper": "specify",
    "gatekeeperip": "10.10.0.5",
    "systemsetting.sipproxyserver": "10.10.0.6",
    "systemsetting.sipregistrarserver": "10.10.0.6",
    "typeofservice": "diffserv",
    "diffservaudio": "46",
    "diffservvideo": "34",
    "diffservfecc": "24",
    "snmplocation": "UBND huyen Bao Thang",
}


def test_register_is_idempotent() -> None:
    register()
    register()
    assert CLASS_MAPPER[DEVICE_TYPE] is PolycomGroupSeriesSSH
    assert platforms.count(DEVICE_TYPE) == 1


def test_connect_finds_prompt_and_reads(lab: _Lab) -> None:
    connection = _connect(lab.port)
    try:
        assert connection.base_prompt == "->"
        assert not connection.check_config_mode()
        assert connection.send_command("gatekeeperip get") == 'gatekeeperip ""'
        whoami = str(connection.send_command("whoami"))
        assert "Hi, my name is : BT-CODEC01" in whoami
        assert str(connection.send_command("foo")) == "error: command not found"
    finally:
        connection.disconnect()


def test_push_then_read_back_over_ssh(lab: _Lab) -> None:
    connection = _connect(lab.port)
    try:
        for command in settings_commands(TARGET):
            output = str(connection.send_command(command))
            assert api_errors(output) == [], (command, output)
        text = "\n".join(str(connection.send_command(c)) for c in read_commands(TARGET))
    finally:
        connection.disconnect()
    running = parse_settings(text)
    assert keyed_diff(running, TARGET) == []
    assert lab.device.settings["h323name"] == "Bao Thang"
    assert lab.device.gatekeeper_online()


def test_settings_survive_reconnect(lab: _Lab) -> None:
    first = _connect(lab.port)
    try:
        first.send_command("diffservaudio set 46")
    finally:
        first.disconnect()
    second = _connect(lab.port)
    try:
        assert second.send_command("diffservaudio get") == "diffservaudio 46"
    finally:
        second.disconnect()


def test_send_command_with_expect_string(lab: _Lab) -> None:
    connection = _connect(lab.port)
    try:
        output = str(
            connection.send_command('dial manual 2048 "10.10.0.100" h323', expect_string=r"->")
        )
        assert output == "dialing manual"
        info = str(connection.send_command("callinfo all", expect_string=r"callinfo end"))
        assert "callinfo:43::10.10.0.100:2048:connected" in info
        stats = str(connection.send_command("advnetstats"))
        assert stats.startswith("call:0 tar:64 K")
        assert connection.send_command("hangup all") == "hanging up all"
    finally:
        connection.disconnect()
    assert lab.device.calls == []


def test_wrong_password_is_refused(lab: _Lab) -> None:
    with pytest.raises(NetmikoAuthenticationException):
        _connect(lab.port, password="wrong")
