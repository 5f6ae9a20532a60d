"""verify is part of the Driver protocol: each driver says what "verified" means, the engine
calls it without knowing the platform; the pool retries and the engine waits on error kinds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rollout.drivers.base import DeviceError, Driver, ErrorKind, Plan, Target
from rollout.drivers.cisco_ios import CiscoIosDriver
from rollout.drivers.linux_router import LinuxRouterDriver
from rollout.drivers.polycom import PolycomDriver
from rollout.engine import lost, steps
from rollout.fleet import run_one
from rollout.inventory.model import Platform


def _target(platform: Platform) -> Target:
    return Target("dev1", platform, "127.0.0.1", 22, "u", "p", None, 5.0)


def test_every_driver_implements_verify() -> None:
    drivers: list[Driver] = [
        CiscoIosDriver(_target(Platform.CISCO_IOS)),
        PolycomDriver(_target(Platform.POLYCOM)),
        LinuxRouterDriver(_target(Platform.LINUX_ROUTER)),
    ]
    assert all(callable(d.verify) for d in drivers)
    assert "verify" in Driver.__dict__
    CiscoIosDriver(_target(Platform.CISCO_IOS)).verify()  # nothing beyond the plan


def test_the_codec_is_verified_when_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    codec = PolycomDriver(_target(Platform.POLYCOM))
    monkeypatch.setattr(codec, "registration_problems", lambda: ["H.323 gatekeeper failed"])
    with pytest.raises(DeviceError, match=r"not registered: H\.323 gatekeeper failed") as caught:
        codec.verify()
    assert caught.value.step == "verify"
    monkeypatch.setattr(codec, "registration_problems", list)
    codec.verify()


def test_the_router_is_verified_when_it_runs_its_files(monkeypatch: pytest.MonkeyPatch) -> None:
    router = LinuxRouterDriver(_target(Platform.LINUX_ROUTER))
    monkeypatch.setattr(router, "live_problems", lambda: ["QoS: no HTB shaper on wan0"])
    with pytest.raises(DeviceError, match="QoS: no HTB shaper on wan0"):
        router.verify()


class _Fake:
    """A device with nothing left to send, whose own verify says what it was told to."""

    def __init__(self, target: Target, problem: str) -> None:
        self.target = target
        self.problem = problem
        self.verified = 0

    def running_config(self) -> str:
        return "same\n"

    def plan(self, running: str, intended: str) -> Plan:
        return Plan(self.target.name, self.target.platform, ())

    def verify(self) -> None:
        self.verified += 1
        if self.problem:
            raise DeviceError(self.target.name, "verify", self.problem)

    def close(self) -> None:
        return None


@pytest.mark.parametrize("platform", [Platform.CISCO_IOS, Platform.POLYCOM])
def test_verify_one_asks_the_driver_whatever_its_platform(
    platform: Platform, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from types import SimpleNamespace

    made: list[_Fake] = []

    def driver_for(target: Target) -> Any:
        made.append(_Fake(target, "not registered" if platform is Platform.POLYCOM else ""))
        return made[-1]

    monkeypatch.setattr("rollout.engine.audited.driver_for", driver_for)
    monkeypatch.setattr(steps, "intended", lambda *_a: "same\n")
    m: Any = SimpleNamespace(
        target=_target(platform),
        site=SimpleNamespace(slug="s"),
        device=SimpleNamespace(hostname="dev1", platform=platform),
        root=None,
    )
    if platform is Platform.POLYCOM:
        with pytest.raises(DeviceError, match="not registered"):
            steps.verify_one(None, None, m)  # type: ignore[arg-type]
    else:
        steps.verify_one(None, None, m)  # type: ignore[arg-type]
    assert [f.verified for f in made] == [1]


def test_the_pool_retries_by_kind_not_by_text() -> None:
    calls: list[int] = []

    def flaky(kind: ErrorKind) -> str:
        calls.append(1)
        raise DeviceError("d", "connect", "timed out, connection refused, reset", kind=kind)

    for kind, attempts in ((ErrorKind.TIMEOUT, 3), (ErrorKind.AUTH, 1), (ErrorKind.REFUSED, 1)):
        calls.clear()
        result = run_one(kind, "d", flaky, retries=2, retried={ErrorKind.TIMEOUT})
        assert (result.kind, result.attempts, len(calls)) == (kind, attempts, attempts)
        assert not result.ok


def test_a_rollback_waits_only_for_failures_a_revert_timer_can_cure() -> None:
    def error(kind: ErrorKind) -> DeviceError:
        return DeviceError("d", "connect", "known hosts", kind=kind)

    assert lost.may_come_back(error(ErrorKind.UNREACHABLE))
    assert lost.may_come_back(error(ErrorKind.TIMEOUT))
    assert not lost.may_come_back(error(ErrorKind.HOST_KEY))
    assert not lost.may_come_back(error(ErrorKind.REFUSED))
    # explain only probes a session that was lost: any other kind is returned as it is
    refused = error(ErrorKind.REFUSED)
    m: Any = None
    assert lost.explain(m, refused, 5) is refused
