"""Conditions through a running lab (supervisor, workers, control socket), seen over SSH."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from netmiko import ConnectHandler

from rollout.lab import manager
from rollout.lab.conditions import PortErrors, RegistrarDown, Unreachable
from rollout.lab.control import ControlClient, ControlError
from rollout.lab.specs import LabDeviceSpec, LabOptions
from rollout.lab.state import LabState

USER, PASSWORD = "noc", "lab-pass"
SWITCH = f"""\
hostname sw1
username {USER} privilege 15 password 0 {PASSWORD}
interface GigabitEthernet1/0/1
interface GigabitEthernet1/0/2
end
"""


@pytest.fixture
def running(tmp_path: Path) -> Iterator[LabState]:
    specs = [
        LabDeviceSpec(
            "sw1",
            "cisco_ios",
            USER,
            PASSWORD,
            config=SWITCH,
            model="WS-C2960X-24PS-L",
            cabled=("GigabitEthernet1/0/1",),
        ),
        LabDeviceSpec("codec1", "polycom", "admin", PASSWORD, config={}),
    ]
    state = manager.up(specs, tmp_path / "lab", LabOptions(workers=2))
    try:
        yield state
    finally:
        manager.down(state.state_dir)


@pytest.mark.lab
def test_conditions_are_routed_and_shown(running: LabState) -> None:
    client = ControlClient(running.state_dir)
    client.set_condition("sw1", PortErrors("GigabitEthernet1/0/1", 50.0))
    assert client.conditions("sw1")[0]["kind"] == "port_errors"
    dev = running.devices["sw1"]
    conn = ConnectHandler(
        device_type="cisco_ios",
        host=dev.host,
        port=dev.port,
        username=USER,
        password=PASSWORD,
        conn_timeout=10,
    )
    try:
        first = conn.send_command("show interfaces GigabitEthernet1/0/1 | include CRC")
        time.sleep(1.1)
        second = conn.send_command("show interfaces GigabitEthernet1/0/1 | include CRC")
        crc = [int(re.findall(r"(\d+) CRC", str(t))[0]) for t in (first, second)]
        assert crc[1] > crc[0]
        # the cabling of the lab: the second port has no cable
        assert "(notconnect)" in conn.send_command("show interfaces GigabitEthernet1/0/2")
    finally:
        conn.disconnect()
    assert "registrar" in client.set_condition("codec1", RegistrarDown())
    with pytest.raises(ControlError, match="codec takes only"):
        client.set_condition("codec1", Unreachable(("10.0.0.0/8",)))
    assert "port_errors" in client.clear_condition("sw1")
    assert client.conditions("sw1") == []
