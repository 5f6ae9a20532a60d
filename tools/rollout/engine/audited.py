"""The audit line and the driver session of one step on one device."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rollout import audit
from rollout.drivers.base import Driver
from rollout.engine.facts import where
from rollout.errors import RolloutError
from rollout.targets import Managed, driver_for


class Step:
    """What an audited step found: its change hash and a detail, filled in as it runs."""

    def __init__(self) -> None:
        self.change = ""
        self.detail = ""


@contextmanager
def audited(m: Managed, action: str, **extra: object) -> Iterator[Step]:
    """Append one audit line for a step on one device: ok with its change, or the error."""
    step = Step()

    def record(result: str, detail: str) -> None:
        audit.record(
            m.root,
            action,
            sites=[m.site.slug],
            devices=[m.device.hostname],
            result=result,
            change=step.change,
            detail=detail,
            target=where(m.target),
            **extra,
        )

    try:
        yield step
    except BaseException as exc:
        record(
            "failed", str(exc) if isinstance(exc, RolloutError) else f"{type(exc).__name__}: {exc}"
        )
        raise
    record("ok", step.detail)


@contextmanager
def session(m: Managed) -> Iterator[Driver]:
    """The device's driver for one step, closed afterwards whatever happens."""
    driver = driver_for(m.target)
    try:
        yield driver
    finally:
        driver.close()
