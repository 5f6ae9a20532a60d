"""Impairments: what `rollout lab impair` makes a simulated device report."""

from __future__ import annotations

import pytest

from rollout.lab.faults import FaultSpecError
from rollout.lab.impair import apply_impairment, impairment_to_json, parse_impairment
from rollout.lab.ios.device import IosDevice
from rollout.lab.polycom import PolycomDevice


def test_json_round_trip_and_errors() -> None:
    imp = parse_impairment({"loss_percent": 5, "jitter_ms": 60, "operation": 10})
    assert imp is not None and imp.loss_percent == 5.0
    assert parse_impairment(impairment_to_json(imp)) == imp
    assert parse_impairment(None) is None
    for bad in ({"loss": 5}, {"loss_percent": 101}, {"jitter_ms": "x"}, {"rtt_ms": True}):
        with pytest.raises(FaultSpecError):
            parse_impairment(bad)


def test_router_operations_and_clear() -> None:
    device = IosDevice.from_config("hostname r1\n")
    apply_impairment(device, parse_impairment({"loss_percent": 5}))
    assert device.sla_result("10").loss_percent == 5.0  # every operation
    apply_impairment(device, parse_impairment({"rtt_ms": 300, "operation": 20}))
    assert device.sla_result("20").rtt_ms == 300 and device.sla_result("10").rtt_ms == 12
    apply_impairment(device, None)
    assert device.sla_result("10").loss_percent == 0


def test_codec_link() -> None:
    device = PolycomDevice()
    apply_impairment(device, parse_impairment({"jitter_ms": 45, "loss_percent": 3}))
    assert (device.link.jitter_ms, device.link.loss_pct) == (45.0, 3.0)
    apply_impairment(device, None)
    assert device.link.loss_pct == 0


def test_other_devices_are_refused() -> None:
    with pytest.raises(FaultSpecError, match="cannot be impaired"):
        apply_impairment(object(), None)
