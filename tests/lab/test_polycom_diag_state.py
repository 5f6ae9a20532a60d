"""The codec twin's state for diagnosis faults, as the lab calls it (no SSH needed)."""

from __future__ import annotations

import pytest

from rollout.lab.polycom import CONFIG_CHANGED, DeviceEvent, PolycomDevice

GK, SIP = "10.15.0.5", "10.15.0.6"


def _registered() -> PolycomDevice:
    return PolycomDevice(
        "c1",
        settings={
            "usegatekeeper": "specify",
            "gatekeeperip": GK,
            "systemsetting.sipregistrarserver": SIP,
        },
    )


def _status(device: PolycomDevice) -> list[str]:
    out = device.session().handle("status").output.splitlines()
    return [line for line in out if line.startswith(("gatekeeper ", "sipserver "))]


def test_any_address_registers_until_the_lab_says_which_exist() -> None:
    device = _registered()
    assert _status(device) == ["gatekeeper online", "sipserver online"]
    device.set_registrars({GK, SIP})
    assert _status(device) == ["gatekeeper online", "sipserver online"]
    device.session().handle("gatekeeperip set 10.99.0.5")
    assert _status(device) == ["gatekeeper offline", "sipserver online"]
    device.set_registrars(None)
    assert _status(device) == ["gatekeeper online", "sipserver online"]


def test_registrar_down_and_back() -> None:
    device = _registered()
    device.set_registrars({GK, SIP})
    device.set_registrar_reachable(False)
    assert _status(device) == ["gatekeeper offline", "sipserver offline"]
    device.set_registrar_reachable(True)
    assert _status(device) == ["gatekeeper online", "sipserver online"]


def test_auto_gatekeeper_needs_one_to_exist() -> None:
    device = _registered()
    device.session().handle("usegatekeeper auto")
    device.set_registrars(set())
    assert _status(device)[0] == "gatekeeper offline"
    device.set_registrars({GK})
    assert _status(device)[0] == "gatekeeper online"


def test_conference_call_follows_the_call_rate() -> None:
    device = _registered()
    device.set_call_rate(1024)
    capped = device.start_call("10.15.0.20", speed=2048)
    assert capped.speed == 1024
    info = device.session().handle("callinfo all").output
    assert f"callinfo:{capped.call_id}::10.15.0.20:1024:connected:" in info
    device.stop_call()
    assert device.session().handle("callinfo all").output == "system is not in a call"
    with pytest.raises(ValueError, match=r"outside 64\.\.6144"):
        device.set_call_rate(10000)


def test_call_rate_by_hand_is_a_setting_change() -> None:
    device = _registered()
    events: list[DeviceEvent] = []
    device.add_listener(events.append)
    device.set_call_rate(4096)
    assert [(e.kind, e.key, e.new) for e in events] == [
        (CONFIG_CHANGED, "systemsetting.maxtxbandwidth", "4096"),
        (CONFIG_CHANGED, "systemsetting.maxrxbandwidth", "4096"),
    ]
    shell = device.session()
    assert shell.handle("systemsetting get maxtxbandwidth").output == (
        "systemsetting maxtxbandwidth 4096"
    )


def test_netstats_loss_is_the_current_sample() -> None:
    device = _registered()
    device.start_call("10.15.0.20")
    device.set_link_quality(loss_pct=5.0)
    shell = device.session()
    assert "%pktloss:5.0 %" in shell.handle("netstats 0").output
    device.set_link_quality()
    assert "%pktloss:0.0 %" in shell.handle("netstats 0").output


def test_snapshot_keeps_the_registrars() -> None:
    device = _registered()
    device.set_registrars({GK})
    snap = device.snapshot()
    device.set_registrars(None)
    device.restore(snap)
    assert device.registrars == frozenset({GK})


def test_pin_then_change_by_hand() -> None:
    device = _registered()
    assert device.pin_registrars() == frozenset({GK, SIP})
    device.set_setting("systemsetting.sipregistrarserver", "10.99.0.6")
    assert _status(device) == ["gatekeeper online", "sipserver offline"]
    device.set_setting("systemsetting.sipregistrarserver", SIP)
    assert _status(device) == ["gatekeeper online", "sipserver online"]
