"""Every device of a run on the one worker pool (fleet.run_all), the SSH stack loaded first."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import TypeVar

from rollout.drivers.base import ErrorKind
from rollout.fleet import Result, run_all
from rollout.targets import Managed

R = TypeVar("R")


def for_devices(
    devices: Sequence[Managed],
    work: Callable[[Managed], R],
    *,
    workers: int = 32,
    progress: Callable[[Result[R]], None] | None = None,
    retries: int = 0,
    retried: Collection[ErrorKind] = (),
) -> list[Result[R]]:
    """work for every device, in the order given; one device's failure stays its own."""
    preload()
    return run_all(
        devices,
        lambda m: m.device.hostname,
        work,
        workers=workers,
        progress=progress,
        retries=retries,
        retried=retried,
    )


def preload() -> None:
    """Import the SSH stack once, before threads start: importing netmiko from several threads
    at once can hand one of them a partially initialised module (ImportError)."""
    import hier_config  # noqa: F401
    import netmiko  # noqa: F401

    from rollout.drivers import cisco_ios, polycom  # noqa: F401
