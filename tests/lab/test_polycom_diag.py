"""The codec collector of `rollout diagnose` over real SSH against the simulated codec.

Each codec fault is injected through the twin's state API (what `lab fault` calls) or by hand
through the codec's own API, and the collector must report it in its facts, never changing
the codec (no dial, hang up or setting: no `DeviceEvent` while it reads).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from netmiko import ConnectHandler

from rollout.diagnose.collect_codec import call_budget, collect
from rollout.diagnose.model import Fact
from rollout.drivers.base import DeviceError, ErrorKind, Target
from rollout.drivers.polycom_api import DEVICE_TYPE, PROMPT_PATTERN, register
from rollout.intent.polycom import polycom_codec_intent
from rollout.inventory.loader import Inventory, load_inventory
from rollout.inventory.model import Codec, Platform
from rollout.lab.polycom import DeviceEvent, PolycomDevice
from rollout.lab.server import DeviceInfo, ServerThread
from rollout.secrets import Secrets
from rollout.targets import Managed

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[2]
SITE = "bao-thang"
PASSWORD = "Codec-lab-pass-1"


@dataclass(frozen=True)
class Ctx:
    inv: Inventory
    secrets: Secrets
    light: bool = False


@dataclass
class Lab:
    ctx: Ctx
    device: PolycomDevice
    info: DeviceInfo
    managed: Managed
    events: list[DeviceEvent]

    def facts(self) -> dict[tuple[str, str], Fact]:
        before = len(self.events)
        calls = [(c.call_id, c.speed) for c in self.device.calls]
        facts = collect(self.ctx, self.managed)
        # Read-only: nothing changed on the codec while it was read.
        assert self.events[before:] == []
        assert [(c.call_id, c.speed) for c in self.device.calls] == calls
        return {(f.check, f.subject): f for f in facts}

    def api(self, command: str) -> str:
        """One command typed at the codec's API by hand (another SSH session)."""
        register()
        conn = ConnectHandler(
            device_type=DEVICE_TYPE,
            host=self.info.host,
            port=self.info.port,
            username="admin",
            password=PASSWORD,
            conn_timeout=5,
        )
        try:
            out = str(
                conn.send_command(command, expect_string=PROMPT_PATTERN, auto_find_prompt=False)
            )
        finally:
            conn.disconnect()
        return out


@pytest.fixture(scope="module")
def inventory() -> Inventory:
    return load_inventory(ROOT)


@pytest.fixture
def lab(inventory: Inventory, tmp_path: Path) -> Iterator[Lab]:
    site = inventory.sites[SITE]
    codec = next(d for d in site.devices if isinstance(d, Codec))
    secrets = Secrets({inventory.province.credentials.codec_sip_password: "Sip-lab-secret-9"})
    intent = polycom_codec_intent(inventory, site, codec, secrets)
    rate = str(intent.call_rate_kbps)
    device = PolycomDevice(
        codec.hostname,
        password=PASSWORD,
        settings={
            "usegatekeeper": "specify",
            "gatekeeperip": intent.gatekeeper,
            "systemsetting.sipregistrarserver": intent.registrar,
            "systemsetting.maxtxbandwidth": rate,
            "systemsetting.maxrxbandwidth": rate,
        },
    )
    # The lab says which registrar addresses exist: the province's.
    device.set_registrars({intent.gatekeeper, intent.registrar})
    events: list[DeviceEvent] = []
    device.add_listener(events.append)
    with ServerThread(tmp_path / "lab") as server:
        info = server.add_device(codec.hostname, device, platform="polycom")
        known = tmp_path / "known_hosts"
        known.write_text(info.known_hosts_line() + "\n")
        target = Target(
            codec.hostname, Platform.POLYCOM, info.host, info.port, "admin", PASSWORD, known, 10.0
        )
        yield Lab(Ctx(inventory, secrets), device, info, Managed(site, codec, target), events)


def test_registered_codec_without_call(lab: Lab) -> None:
    facts = lab.facts()
    gk, sip = facts["registration", "gatekeeper"], facts["registration", "sip"]
    assert gk.values["online"] is True and sip.values["online"] is True
    assert gk.values["address"] == gk.values["expected"]
    assert sip.values["address"] == sip.values["expected"]
    assert "gatekeeper online" in gk.lines and "sipserver online" in sip.lines
    assert all(f.segment == "endpoint" for f in facts.values())
    assert not [k for k in facts if k[0] == "call"]
    rate = facts["call_rate", lab.managed.device.hostname]
    assert int(rate.values["configured_kbps"]) <= int(rate.values["budget_kbps"])


def test_registrar_down(lab: Lab) -> None:
    lab.device.set_registrar_reachable(False)
    facts = lab.facts()
    for subject, line in (("gatekeeper", "gatekeeper offline"), ("sip", "sipserver offline")):
        fact = facts["registration", subject]
        assert fact.values["online"] is False
        assert fact.values["address"] == fact.values["expected"]  # the codec is set right
        assert line in fact.lines


def test_wrong_registrar_address_set_by_hand(lab: Lab) -> None:
    reply = lab.api("systemsetting sipregistrarserver 10.99.0.6")
    assert reply.strip() == "systemsetting sipregistrarserver 10.99.0.6"
    facts = lab.facts()
    sip = facts["registration", "sip"]
    assert sip.values["online"] is False
    assert sip.values["address"] == "10.99.0.6" != sip.values["expected"]
    assert "systemsetting sipregistrarserver 10.99.0.6" in sip.lines
    assert facts["registration", "gatekeeper"].values["online"] is True  # untouched


def test_call_running_with_loss_and_jitter(lab: Lab) -> None:
    call = lab.device.start_call("10.15.0.20")
    lab.device.set_link_quality(jitter_ms=45.0, loss_pct=3.0)
    facts = lab.facts()
    fact = facts["call", str(call.call_id)]
    assert fact.values["state"] == "connected"
    assert fact.values["rate_kbps"] == call.speed == lab.device.call_rate_kbps()
    assert fact.values["loss_percent"] == pytest.approx(3.0, abs=0.2)
    assert float(fact.values["jitter_ms"]) >= 45
    assert fact.values["protocol"] == "SIP"
    assert any(line.startswith(f"callinfo:{call.call_id}:") for line in fact.lines)
    assert any("tvpl:" in line for line in fact.lines)
    # Reading again does not disturb the call either; the far end ends it.
    assert lab.facts()["call", str(call.call_id)].values["state"] == "connected"
    lab.device.stop_call(call.call_id)
    assert not [k for k in lab.facts() if k[0] == "call"]


def test_healthy_call_shows_no_loss(lab: Lab) -> None:
    call = lab.device.start_call("10.15.0.20", protocol="h323")
    fact = lab.facts()["call", str(call.call_id)]
    assert fact.values["loss_percent"] == 0.0 and fact.values["lost_packets"] == 0
    assert float(fact.values["jitter_ms"]) < 10
    assert fact.values["protocol"] == "H.323"


def test_call_rate_set_above_budget_by_hand(lab: Lab) -> None:
    budget = call_budget(lab.ctx.inv, lab.managed.site)
    assert lab.api("systemsetting maxtxbandwidth 6144").strip() == (
        "systemsetting maxtxbandwidth 6144"
    )
    rate = lab.facts()["call_rate", lab.managed.device.hostname]
    assert rate.values["configured_kbps"] == 6144 > int(rate.values["budget_kbps"])
    assert rate.values["budget_kbps"] == budget.budget_kbps
    assert "systemsetting maxtxbandwidth 6144" in rate.lines
    # The lab's own way to do the same (what `lab fault` calls).
    lab.device.set_call_rate(4096)
    assert lab.facts()["call_rate", lab.managed.device.hostname].values["configured_kbps"] == 4096


def test_unreachable_codec_is_a_device_error(lab: Lab, tmp_path: Path) -> None:
    target = lab.managed.target
    gone = Target(target.name, target.platform, "127.0.0.1", 1, "admin", PASSWORD, None, 2.0)
    with pytest.raises(DeviceError) as caught:
        collect(lab.ctx, Managed(lab.managed.site, lab.managed.device, gone))
    assert caught.value.kind is ErrorKind.HOST_KEY  # no known-hosts: refused before connecting
