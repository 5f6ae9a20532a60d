"""The driver's first read of a session returns exactly what Netmiko's default read returns.

`CiscoIosDriver.running_config` on a new session reads up to the prompt Netmiko learnt while
opening it, instead of looking for the prompt again (one round trip less per device). Over
real SSH to simulated devices: the same text as `send_command("show running-config")`, also
for a hostname longer than the 16 characters Netmiko keeps and for configurations that hold
the hostname followed by '#' or '>' inside lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rollout.drivers.base import Target
from rollout.drivers.cisco_ios import CiscoIosDriver
from rollout.drivers.session import open_session
from rollout.inventory.model import Platform
from rollout.lab.ios.device import IosDevice
from rollout.lab.platforms import IosLabDevice
from rollout.lab.server import ServerThread

CORPUS = Path(__file__).resolve().parents[1] / "data" / "ios-corpus"
USER = "username noc privilege 15 secret 0 lab-pass\n"
CONFIGS = {
    "corpus": (CORPUS / "live" / "as2dist1.cfg").read_text(encoding="utf-8"),
    "long-hostname": "hostname lao-cai-province-core-rtr01\ninterface Loopback0\n"
    " description lao-cai-province-core-rtr01# is not the prompt\n",
    "prompt-like-lines": "hostname r1\ninterface Loopback0\n description r1# r1> r1\n"
    "snmp-server location r1#\n",
}


@pytest.fixture(scope="module")
def ssh_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    server = ServerThread(tmp_path_factory.mktemp("lab"))
    yield server
    server.close()


@pytest.mark.lab
@pytest.mark.parametrize("name", list(CONFIGS))
def test_first_read_is_netmikos_default_read(
    ssh_lab: ServerThread, name: str, tmp_path: Path
) -> None:
    device = IosDevice.from_config(USER + CONFIGS[name])
    info = ssh_lab.add_device(f"read-{name}", IosLabDevice(device), platform="cisco_ios")
    known = tmp_path / "known_hosts"
    known.write_text(info.known_hosts_line() + "\n", encoding="utf-8")
    target = Target(info.name, Platform.CISCO_IOS, info.host, info.port, "noc", "lab-pass", known)
    driver = CiscoIosDriver(target)
    try:
        first = driver.running_config()
        again = driver.running_config()  # an open session: Netmiko's default read
    finally:
        driver.close()
    conn = open_session(target, "cisco_ios")
    try:
        default = conn.send_command("show running-config", read_timeout=60)
    finally:
        conn.disconnect()
    assert first == default == again
    assert first.rstrip().endswith("\nend"), first[-200:]  # whole, not cut at a prompt-like line
