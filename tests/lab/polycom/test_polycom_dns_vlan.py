"""DNS servers and 802.1Q tagging over real SSH: the pilot's rendered codec converges, drift
sees a resolver or a tag changed at the codec, and the simulator refuses wrong forms."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from codec_twin import ServedCodec, served_codec

from rollout.drivers.polycom import PolycomDriver
from rollout.drivers.polycom_api import api_errors
from rollout.inventory.loader import load_inventory
from rollout.inventory.model import Role
from rollout.lab.polycom import ERR_ILLEGAL, ERR_MORE_PARAMS, PolycomDevice
from rollout.render import render_device
from rollout.secrets import load_secrets

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[3]
PASSWORD = "Lab-pass-dns-1"
# Staged like the lab's day 0 (static, at its mgmt_address), so no address move is planned;
# tagging on and a stray resolver in slot 3: both must go.
STAGED = {
    "dhcp": "off",
    "ipaddress": "10.16.1.10",
    "subnetmask": "255.255.255.192",
    "defaultgateway": "10.16.1.1",
    "enablevlan": "yes",
    "vlanid": "30",
    "dns.3": "192.168.1.1",
}


@pytest.fixture(scope="module")
def intended() -> str:
    inv = load_inventory(REPO)
    site = inv.sites["bao-thang"]
    codec = site.device(Role.CODEC)
    assert codec is not None
    return render_device(inv, site, codec, load_secrets(REPO)).text


@pytest.fixture
def codec(tmp_path: Path) -> Iterator[ServedCodec]:
    with served_codec(tmp_path, PASSWORD, STAGED) as served:
        yield served


def _plan(codec: ServedCodec, intended: str) -> tuple[str, ...]:
    driver = PolycomDriver(codec.target(PASSWORD))
    try:
        return driver.plan(driver.running_config(), intended).commands
    finally:
        driver.close()


def test_dns_and_vlan_converge(codec: ServedCodec, intended: str) -> None:
    inv = load_inventory(REPO)
    resolvers = inv.province.dns_servers
    assert resolvers, "the pilot's province names its resolvers"
    driver = PolycomDriver(codec.target(PASSWORD))
    try:
        plan = driver.plan(driver.running_config(), intended)
        assert "dns set 1 " + resolvers[0] in plan.commands
        assert "dns set 3" in plan.commands  # the stray resolver is cleared
        assert "enablevlan no" in plan.commands
        assert not any(c.startswith("vlanid") for c in plan.commands)  # tagging off: no id
        driver.commit(plan, 5)
    finally:
        driver.close()
    settings = codec.device.settings
    assert [settings[f"dns.{n}"] for n in range(1, 5)] == [*resolvers, "", "", ""][:4]
    assert settings["enablevlan"] == "no"
    assert _plan(codec, intended) == ()


def test_drift_sees_a_resolver_and_a_tag_set_at_the_codec(
    codec: ServedCodec, intended: str
) -> None:
    driver = PolycomDriver(codec.target(PASSWORD))
    try:
        driver.commit(driver.plan(driver.running_config(), intended), 5)
    finally:
        driver.close()
    at_the_codec = codec.device.session()
    assert at_the_codec.handle("dns set 1 10.0.0.53").output == "dns 1 10.0.0.53"
    assert at_the_codec.handle("dns set 4 10.0.0.54").output == "dns 4 10.0.0.54"
    assert at_the_codec.handle("enablevlan yes").output == "enablevlan yes"
    first = load_inventory(REPO).province.dns_servers[0]
    assert _plan(codec, intended) == ("enablevlan no", f"dns set 1 {first}", "dns set 4")


def test_the_running_text_shows_empty_slots_as_the_api_does(codec: ServedCodec) -> None:
    driver = PolycomDriver(codec.target(PASSWORD))
    try:
        running = driver.running_config()
    finally:
        driver.close()
    lines = running.splitlines()
    assert "dns set 1" in lines and "dns set 3 192.168.1.1" in lines
    assert "enablevlan yes" in lines and "vlanid set 30" in lines


@pytest.mark.parametrize(
    ("line", "reply"),
    [
        ("dns", ERR_MORE_PARAMS),
        ("dns get", ERR_MORE_PARAMS),
        ("dns get 0", ERR_ILLEGAL),
        ("dns get 5", ERR_ILLEGAL),
        ("dns set 1 not-an-address", ERR_ILLEGAL),
        ("dns set 1 10.0.0.1 10.0.0.2", ERR_ILLEGAL),
        ("dns 1 10.0.0.1", ERR_ILLEGAL),
        ("dns get 1 extra", ERR_ILLEGAL),
        ("enablevlan", ERR_MORE_PARAMS),
        ("enablevlan maybe", ERR_ILLEGAL),
        ("enablevlan set no", ERR_ILLEGAL),
        ("vlanid set 0", ERR_ILLEGAL),
        ("vlanid set 4095", ERR_ILLEGAL),
        ("vlanid 20", ERR_ILLEGAL),
        ("systemsetting get dns", ERR_ILLEGAL),
    ],
)
def test_the_simulator_refuses_wrong_forms(line: str, reply: str) -> None:
    device = PolycomDevice()
    before = dict(device.settings)
    got = device.session().handle(line).output
    assert got == reply
    assert api_errors(got) == [got]
    assert device.settings == before
