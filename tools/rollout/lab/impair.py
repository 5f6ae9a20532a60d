"""What the lab's simulated network does to a device's measurements, as data.

An impairment is what `rollout lab impair` sets and the control channel carries: on an IOS
router it becomes the result of its IP SLA operations (``show ip sla statistics``), on a
codec the quality of its calls' media (``advnetstats``, ``netstats``). Its JSON form is an
object with the fields below; ``null`` (or `rollout lab impair DEVICE --clear`) puts the
device back on a clean path.

Transport faults (a device unreachable, slow, refusing logins) are `rollout.lab.faults`;
an impairment leaves the SSH session alone and changes only the figures the device reports.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rollout.lab.faults import FaultSpecError
from rollout.lab.ios.device import IosDevice, SlaResult
from rollout.lab.ios.network import PathQuality
from rollout.lab.polycom import LinkQuality, PolycomDevice

_CLEAN = SlaResult()
_CLEAN_LINK = LinkQuality()


@dataclass(frozen=True, slots=True)
class Impairment:
    """Round-trip time, jitter and loss of the path; unset fields keep the clean value."""

    rtt_ms: int = _CLEAN.rtt_ms
    jitter_ms: int = _CLEAN.jitter_ms
    loss_percent: float = _CLEAN.loss_percent
    mos: float | None = None
    """Forces the MOS an IOS router reports for its codec-configured operations."""
    operation: int | None = None
    """One IP SLA operation of a router; None: all of them."""
    timeout: bool = False
    """The router's operations fail (``Latest operation return code: Timeout``)."""
    segment: str = "backbone"
    """Where on a router's path: ``backbone`` (beyond the provider's next hop: the IP SLA
    operations to the hub and pings past the next hop) or ``access`` (the access link:
    also pings to the next hop)."""

    def __post_init__(self) -> None:
        checks = (
            (0 <= self.rtt_ms <= 60000, "rtt_ms must be within 0..60000"),
            (0 <= self.jitter_ms <= 10000, "jitter_ms must be within 0..10000"),
            (0 <= self.loss_percent <= 100, "loss_percent must be within 0..100"),
            (self.mos is None or 1 <= self.mos <= 5, "mos must be within 1..5"),
            (self.operation is None or self.operation >= 1, "operation must be >= 1"),
            (self.segment in ("access", "backbone"), "segment must be 'access' or 'backbone'"),
        )
        for ok, message in checks:
            if not ok:
                raise FaultSpecError(f"impairment: {message}")


_TYPES: dict[str, tuple[type, ...]] = {
    "rtt_ms": (int,),
    "jitter_ms": (int,),
    "loss_percent": (int, float),
    "mos": (int, float, type(None)),
    "operation": (int, type(None)),
    "timeout": (bool,),
    "segment": (str,),
}


def parse_impairment(data: Mapping[str, Any] | None) -> Impairment | None:
    """Build an impairment from its JSON form (None: a clean path)."""
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise FaultSpecError(f"an impairment must be a JSON object or null, not {data!r}")
    unknown = sorted(set(data) - set(_TYPES))
    if unknown:
        raise FaultSpecError(
            f"impairment: unknown field(s) {', '.join(unknown)}; accepted: {', '.join(_TYPES)}"
        )
    for name, value in data.items():
        bad_bool = isinstance(value, bool) and name != "timeout"
        if bad_bool or not isinstance(value, _TYPES[name]):
            raise FaultSpecError(f"impairment: field {name!r} has the wrong type: {value!r}")
    values = dict(data)
    if "loss_percent" in values:
        values["loss_percent"] = float(values["loss_percent"])
    if values.get("mos") is not None:
        values["mos"] = float(values["mos"])
    return Impairment(**values)


def impairment_to_json(impairment: Impairment | None) -> dict[str, Any] | None:
    """The JSON form (inverse of :func:`parse_impairment`)."""
    return None if impairment is None else dataclasses.asdict(impairment)


def apply_impairment(device: object, impairment: Impairment | None) -> str:
    """Make ``device`` (a simulated device, or a lab wrapper with a ``device``) report the
    impaired figures; returns what changed, for the lab log and the client."""
    target = getattr(device, "device", device)
    if isinstance(target, IosDevice):
        return _ios(target, impairment)
    if isinstance(target, PolycomDevice):
        if impairment is None:
            target.set_link_quality()
            return "media link clean"
        target.set_link_quality(
            jitter_ms=float(impairment.jitter_ms), loss_pct=impairment.loss_percent
        )
        return f"media link: jitter {impairment.jitter_ms} ms, loss {impairment.loss_percent:g} %"
    raise FaultSpecError(
        f"a {type(target).__name__} cannot be impaired; impair an IOS router or a codec"
    )


def _ios(device: IosDevice, impairment: Impairment | None) -> str:
    if impairment is None:
        device.sla_results.clear()
        device.network.path = None
        return "IP SLA operations clean"
    if impairment.operation is None:
        device.network.path = PathQuality(
            impairment.segment,
            impairment.rtt_ms,
            impairment.jitter_ms,
            impairment.loss_percent,
            impairment.timeout,
        )
    result = SlaResult(
        rtt_ms=impairment.rtt_ms,
        jitter_ms=impairment.jitter_ms,
        loss_percent=impairment.loss_percent,
        mos=impairment.mos,
        successes=0 if impairment.timeout else _CLEAN.successes,
        failures=_CLEAN.successes if impairment.timeout else 0,
        return_code="Timeout" if impairment.timeout else "OK",
    )
    which = "*" if impairment.operation is None else str(impairment.operation)
    device.set_sla_result(which, result)
    return f"IP SLA {'all operations' if which == '*' else 'operation ' + which}: {result}"
