"""The control channel against an in-process lab server."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from netmiko import NetmikoAuthenticationException

from lab_server_helpers import netmiko_connect
from rollout.lab.control import (
    ControlClient,
    ControlError,
    LabNotRunningError,
    lab_handler,
    serve_control,
    socket_path,
)
from rollout.lab.faults import AuthFail, Slow
from rollout.lab.server import DeviceInfo, LabError, ServerThread

pytestmark = pytest.mark.lab


@pytest.fixture
def control(lab: ServerThread, device: DeviceInfo, tmp_path: Path) -> Iterator[ControlClient]:
    shutdown = asyncio.Event()

    async def start() -> asyncio.Server:
        return await serve_control(socket_path(tmp_path), lab_handler(lab.server, shutdown.set))

    server = lab.call(start())
    yield ControlClient(tmp_path, timeout=5)

    async def stop() -> None:
        server.close()

    lab.call(stop())


def test_ping_and_list(control: ControlClient, device: DeviceInfo) -> None:
    assert control.ping()["devices"] == 1
    (listed,) = control.devices()
    assert listed == device


def test_set_and_clear_fault_over_the_socket(control: ControlClient, device: DeviceInfo) -> None:
    info = control.set_fault("lab1", AuthFail())
    assert info.faults == (AuthFail(),)
    with pytest.raises(NetmikoAuthenticationException):
        netmiko_connect(device)
    control.set_fault("lab1", Slow(seconds=0.5))
    assert {f.kind for f in control.devices()[0].faults} == {"auth_fail", "slow"}
    assert control.clear_fault("lab1", "auth_fail").faults == (Slow(seconds=0.5),)
    assert control.clear_fault("lab1").faults == ()
    netmiko_connect(device).disconnect()


def test_errors_name_the_problem(control: ControlClient) -> None:
    with pytest.raises(ControlError, match="no lab device named 'nope'") as excinfo:
        control.set_fault("nope", AuthFail())
    assert excinfo.value.error_type == "UnknownDeviceError"
    with pytest.raises(ControlError, match="unknown fault kind 'flood'"):
        control.request({"op": "set_fault", "device": "lab1", "fault": {"kind": "flood"}})
    with pytest.raises(ControlError, match="unknown op 'reboot'"):
        control.request({"op": "reboot"})
    with pytest.raises(ControlError, match="needs a string 'device'"):
        control.request({"op": "clear_fault"})


def test_raw_json_lines(control: ControlClient) -> None:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(5)
        sock.connect(str(control.path))
        sock.sendall(b'{"op": "ping"}\nnot json\n["x"]\n')
        stream = sock.makefile("rb")
        answers = [json.loads(stream.readline()) for _ in range(3)]
    assert answers[0]["ok"] is True
    assert answers[1] == {"ok": False, "error": answers[1]["error"], "error_type": "BadRequest"}
    assert answers[2]["ok"] is False and "JSON object" in answers[2]["error"]


def test_no_lab_running(tmp_path: Path) -> None:
    with pytest.raises(LabNotRunningError, match="no lab is running"):
        ControlClient(tmp_path / "empty").ping()


def test_socket_path_too_long(tmp_path: Path) -> None:
    with pytest.raises(LabError, match="too long for a Unix socket"):
        ControlClient(tmp_path / ("x" * 120)).ping()
