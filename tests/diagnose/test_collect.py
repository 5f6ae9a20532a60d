"""Gathering a site: each device by its platform's collector, at once; a device that fails is
an `Unreached` of the segment it points to; a collector that is not installed is a note."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from rollout.cli.diagnose import exit_code
from rollout.diagnose import collect
from rollout.diagnose.context import CollectContext, CollectorMissing, lazy
from rollout.diagnose.expect import expectations
from rollout.diagnose.model import Cause, Diagnosis, Fact
from rollout.drivers.base import DeviceError, ErrorKind, Target
from rollout.inventory.loader import Inventory, load_inventory
from rollout.inventory.model import Platform
from rollout.secrets import load_secrets
from rollout.targets import Managed

REPO = Path(__file__).resolve().parents[2]
SITE = "bao-thang"


@pytest.fixture(scope="module")
def inv() -> Inventory:
    return load_inventory(REPO)


def _devices(inv: Inventory) -> list[Managed]:
    site = inv.sites[SITE]
    out = []
    for d in site.devices:
        if d.platform in (Platform.CISCO_IOS, Platform.POLYCOM):
            target = Target(d.hostname, d.platform, "127.0.0.1", 1, "u", "p")
            out.append(Managed(site, d, target, REPO))
    return out


def test_devices_read_at_once_failures_become_unreached(
    inv: Inventory, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: set[str] = set()
    together = threading.Barrier(2, timeout=10)  # the router and the switch are read at once

    def ios(ctx: CollectContext, m: Managed) -> list[Fact]:
        seen.add(m.device.hostname)
        together.wait()
        if m.device.hostname.endswith("sw01"):
            raise DeviceError(m.device.hostname, "connect", "no answer", kind=ErrorKind.TIMEOUT)
        return [Fact(m.device.hostname, "wan", "sla", "op 10", {"loss_percent": 0.0})]

    def codec(ctx: CollectContext, m: Managed) -> list[Fact]:
        raise CollectorMissing("the collector rollout.diagnose.collect_codec is not installed")

    monkeypatch.setitem(collect.COLLECTORS, Platform.CISCO_IOS, ios)
    monkeypatch.setitem(collect.COLLECTORS, Platform.POLYCOM, codec)
    ctx = CollectContext(inv, load_secrets(REPO), False, expectations(inv, SITE), REPO)
    ev = collect.collect_devices(ctx, SITE, _devices(inv))
    assert seen == {f"{SITE}-rtr01", f"{SITE}-sw01"}
    assert [f.device for f in ev.facts] == [f"{SITE}-rtr01"]
    (u,) = ev.unreached
    assert (u.device, u.segment, u.kind) == (f"{SITE}-sw01", "lan", "timeout")
    assert "no answer" in u.error
    assert ctx.notes == [
        f"{SITE}-codec01: the collector rollout.diagnose.collect_codec is not installed; "
        "its evidence was skipped"
    ]


def test_a_missing_module_is_a_missing_collector(inv: Inventory) -> None:
    ctx = CollectContext(inv, load_secrets(REPO), False, expectations(inv, SITE), REPO)
    m = _devices(inv)[0]
    with pytest.raises(CollectorMissing):
        lazy("rollout.diagnose.no_such_collector:collect")(ctx, m)


def test_expectations_come_from_the_intent(inv: Inventory) -> None:
    x = expectations(inv, SITE)
    assert x.policy == "WAN-SHAPER"
    assert x.contract_kbps == inv.sites[SITE].wan.rate_kbps
    assert x.shape_kbps < x.contract_kbps
    assert set(x.probes) == {"next_hop", "hub", "mcu", "registrar", "cloud"}
    assert x.registrars["sip"] == x.probes["registrar"]
    assert set(x.sla_classes.values()) == {"EF", "AF41", "CS3", "DEFAULT"}


def _d(site: str, *codes: str) -> Diagnosis:
    causes = tuple(Cause("lan", c, c, ("x",), "fix", 0.5) for c in codes)
    return Diagnosis(site, causes, 1.0)


def test_exit_codes() -> None:
    assert exit_code([_d("a"), _d("b")]) == 0
    assert exit_code([_d("a"), _d("b", "lan.port_errors")]) == 2
    assert exit_code([_d("a", "lan.device_unreachable"), _d("b", "lan.port_errors")]) == 1
