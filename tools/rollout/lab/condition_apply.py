"""Put a lab condition (rollout.lab.conditions) on a simulated device, or take it off.

IOS routers and switches keep their conditions in their network model
(rollout.lab.ios.network); a codec knows one condition, ``registrar_down``, through its
state API (``registrar_reachable``). Anything else is refused with a clear error.
"""

from __future__ import annotations

from typing import Any

from rollout.lab.conditions import (
    CONDITION_KINDS,
    Condition,
    RegistrarDown,
    condition_to_json,
)
from rollout.lab.faults import FaultSpecError
from rollout.lab.ios.device import IosDevice
from rollout.lab.polycom import PolycomDevice


def _target(device: object) -> object:
    return getattr(device, "device", device)


def apply_condition(device: object, cond: Condition) -> str:
    """Set ``cond`` on ``device``; returns what changed, for the lab log and the client."""
    target = _target(device)
    if isinstance(target, IosDevice):
        if isinstance(cond, RegistrarDown):
            raise FaultSpecError(
                "registrar_down: set it on the codec; on a router use 'unreachable' with "
                "the registrar's address"
            )
        interface = getattr(cond, "interface", None)
        names = [n.tokens()[1] for n in target.tree.top("interface")]
        if interface is not None and interface not in names:
            raise FaultSpecError(
                f"{cond.kind}: {target.hostname} has no interface {interface!r}; "
                f"it has: {', '.join(names)}"
            )
        target.network.set(target.tree, cond)
        return f"{cond.kind} set"
    if isinstance(target, PolycomDevice):
        if not isinstance(cond, RegistrarDown):
            raise FaultSpecError(
                f"{cond.kind}: a codec takes only 'registrar_down' (its network conditions "
                "are `rollout lab impair`)"
            )
        target.registrar_reachable = False
        return "registrar unreachable: the codec loses its registration"
    raise FaultSpecError(f"a {type(target).__name__} takes no lab condition")


def clear_condition(device: object, kind: str | None = None) -> str:
    """Remove the conditions of ``kind`` (all when None) from ``device``."""
    if kind is not None and kind not in CONDITION_KINDS:
        raise FaultSpecError(
            f"unknown condition kind {kind!r}; use one of: {', '.join(CONDITION_KINDS)}"
        )
    target = _target(device)
    if isinstance(target, IosDevice):
        gone = target.network.clear(target.tree, kind)
        return f"cleared {', '.join(gone) or 'nothing'}"
    if isinstance(target, PolycomDevice):
        if kind in (None, RegistrarDown.kind):
            target.registrar_reachable = True
            return "registrar reachable again"
        return "cleared nothing"
    raise FaultSpecError(f"a {type(target).__name__} takes no lab condition")


def list_conditions(device: object) -> list[dict[str, Any]]:
    """The JSON form of the conditions ``device`` holds."""
    target = _target(device)
    if isinstance(target, IosDevice):
        return [condition_to_json(c) for c in target.network.conditions.values()]
    if isinstance(target, PolycomDevice) and not target.registrar_reachable:
        return [condition_to_json(RegistrarDown())]
    return []
