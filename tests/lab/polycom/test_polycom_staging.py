"""The codec driver over real SSH: the address change is staged and followed, or refused.

The simulated codec is served on 127.0.0.1 and, for the moves, on 127.0.0.2 as well (the same
device, the same host key, the same port): its "new address". Only the known-hosts line of
127.0.0.1 is recorded; the driver must carry it over to the new address itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pytest
from test_polycom_netmiko import PASSWORD, _PolycomSSHD

from rollout.drivers.base import DeviceError, Target
from rollout.drivers.polycom import PolycomDriver
from rollout.inventory.model import Platform
from rollout.lab.polycom import CONFIG_CHANGED, DeviceEvent, PolycomDevice

pytestmark = pytest.mark.lab

OLD, NEW = "127.0.0.1", "127.0.0.2"
STAGED = {"dhcp": "off", "ipaddress": OLD, "subnetmask": "255.0.0.0", "defaultgateway": "127.0.0.9"}
INTENDED = """\
h323name set "Bao Thang"
systemsetting sipregistrarserver 10.16.0.21
systemsetting sipusername 10086
systemsetting sippassword "sip-secret-1"
diffservaudio set 46
dhcp off
subnetmask set 255.0.0.0
defaultgateway set 127.0.0.9
ipaddress set {address}
"""


@dataclass
class Codec:
    device: PolycomDevice
    port: int
    key: asyncssh.SSHKey
    known_hosts: Path
    servers: list[_PolycomSSHD]

    def serve_also_at(self, host: str) -> None:
        server = _PolycomSSHD(self.device, host, self.port, self.key)
        self.servers.append(server)
        server.start()

    def target(self, timeout: float = 10.0) -> Target:
        return Target(
            "bt-codec01",
            Platform.POLYCOM,
            OLD,
            self.port,
            "admin",
            PASSWORD,
            self.known_hosts,
            timeout,
        )


@pytest.fixture
def codec(tmp_path: Path) -> Iterator[Codec]:
    device = PolycomDevice("bt-codec01", password=PASSWORD, settings=STAGED)
    key = asyncssh.generate_private_key("ssh-ed25519")
    first = _PolycomSSHD(device, OLD, 0, key)
    port = first.start()
    known = tmp_path / "known_hosts"
    public = key.export_public_key().decode().strip()
    known.write_text(f"[{OLD}]:{port} {public}\n")
    lab = Codec(device, port, key, known, [first])
    try:
        yield lab
    finally:
        for server in lab.servers:
            server.stop()


def _changes(device: PolycomDevice) -> list[str]:
    seen: list[str] = []

    def note(event: DeviceEvent) -> None:
        if event.kind == CONFIG_CHANGED:
            seen.append(event.key)

    device.add_listener(note)
    return seen


def test_move_is_applied_last_and_followed(codec: Codec) -> None:
    try:
        codec.serve_also_at(NEW)
    except OSError as exc:  # the port is taken on 127.0.0.2 by someone else
        pytest.skip(f"cannot serve the codec's new address: {exc}")
    changed = _changes(codec.device)
    driver = PolycomDriver(codec.target())
    try:
        plan = driver.plan(driver.running_config(), INTENDED.format(address=NEW))
        assert plan.commands[-1] == f"ipaddress set {NEW}"
        driver.commit(plan, 5)
        # followed: the session now runs over the new address, with the host key carried over
        assert driver.target.host == NEW
        assert driver.plan(driver.running_config(), INTENDED.format(address=NEW)).commands == ()
    finally:
        driver.close()
    assert changed[-1] == "ipaddress"
    assert set(changed[:-1]) >= {"h323name", "systemsetting.sippassword", "diffservaudio"}
    assert codec.device.settings["systemsetting.sippassword"] == "sip-secret-1"


def test_move_that_cannot_be_followed_says_where_the_codec_went(codec: Codec) -> None:
    driver = PolycomDriver(codec.target(timeout=2.0))
    try:
        plan = driver.plan(driver.running_config(), INTENDED.format(address=NEW))
        with pytest.raises(DeviceError) as caught:
            driver.commit(plan, 5)
    finally:
        driver.close()
    assert caught.value.step == "reconnect"
    assert f"new address {NEW}" in caught.value.message
    assert "mgmt_address" in caught.value.fix
    # everything else went first; the address was the last thing sent
    assert codec.device.settings["h323name"] == "Bao Thang"
    assert codec.device.settings["ipaddress"] == NEW


def test_move_over_another_path_is_refused_before_anything_is_sent(codec: Codec) -> None:
    codec.device.settings["ipaddress"] = "10.16.1.9"  # the session does not run over it
    before = dict(codec.device.settings)
    driver = PolycomDriver(codec.target())
    try:
        plan = driver.plan(driver.running_config(), INTENDED.format(address="10.16.1.10"))
        with pytest.raises(DeviceError) as caught:
            driver.commit(plan, 5)
    finally:
        driver.close()
    assert "could not follow" in caught.value.message
    assert "nothing was sent" in caught.value.message
    assert "10.16.1.9" in caught.value.fix
    assert codec.device.settings == before


def test_no_move_no_staging(codec: Codec) -> None:
    driver = PolycomDriver(codec.target())
    try:
        plan = driver.plan(driver.running_config(), INTENDED.format(address=OLD))
        assert not [c for c in plan.commands if c.startswith("ipaddress")]
        driver.commit(plan, 5)
        assert driver.target.host == OLD
        assert driver.plan(driver.running_config(), INTENDED.format(address=OLD)).commands == ()
    finally:
        driver.close()


def test_plan_never_holds_the_old_systemsetting_form(codec: Codec) -> None:
    driver = PolycomDriver(codec.target())
    try:
        plan = driver.plan(driver.running_config(), INTENDED.format(address=OLD))
    finally:
        driver.close()
    written = [c for c in plan.commands if c.startswith("systemsetting ")]
    assert written
    assert all(c.split()[1] not in ("set", "get") for c in written)
    assert 'systemsetting sippassword "sip-secret-1"' not in plan.commands  # no quotes needed
    assert "systemsetting sippassword sip-secret-1" in plan.commands


def test_with_dhcp_the_server_owns_the_address() -> None:
    from rollout.drivers.polycom import polycom_plan

    running = "dhcp off\nsubnetmask set 255.0.0.0\n"
    running += "defaultgateway set 127.0.0.9\nipaddress set 127.0.0.1\n"
    intended = 'dhcp client\nsubnetmask set ""\ndefaultgateway set ""\nipaddress set ""\n'
    assert polycom_plan("bt-codec01", running, intended).commands == ("dhcp client",)


def test_a_refused_secret_is_not_shown(codec: Codec) -> None:
    codec.device.settings["systemsetting.sipusername"] = "old"
    driver = PolycomDriver(codec.target())
    intended = INTENDED.format(address=OLD).replace('"sip-secret-1"', "two words")
    try:
        plan = driver.plan(driver.running_config(), intended.replace("two words", '"a b c"'))
        with pytest.raises(DeviceError) as caught:
            driver.commit(plan, 5)  # the simulator refuses a password with spaces
    finally:
        driver.close()
    assert "systemsetting sippassword ********" in caught.value.message
    assert "a b c" not in str(caught.value)
