"""Run one function per device on a bounded thread pool; one device's failure stays its own.

The one worker pool of the tool and its one per-device result (`Result`): plan, backup,
rollback and drift all run here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Generic, TypeVar

from rollout.drivers.base import DeviceError, ErrorKind
from rollout.errors import RolloutError

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Result(Generic[R]):
    """One device's outcome: its value, or the error with its fix, step and kind."""

    device: str
    value: R | None = None
    error: str = ""
    fix: str = ""
    step: str = ""
    seconds: float = 0.0
    kind: ErrorKind | None = None
    """Why it failed (None when it did not)."""
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return not self.error


def run_one(
    item: T,
    name: str,
    work: Callable[[T], R],
    *,
    retries: int = 0,
    retried: Collection[ErrorKind] = (),
) -> Result[R]:
    """work(item) as a Result; a DeviceError of a kind in retried gets up to retries more tries."""
    start = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        try:
            value = work(item)
        except DeviceError as exc:
            if exc.kind in retried and attempt <= retries:
                time.sleep(min(0.2 * attempt, 1.0))
                continue
            return Result(
                name, None, exc.message, exc.fix, exc.step, _since(start), exc.kind, attempt
            )
        except RolloutError as exc:
            return Result(
                name, None, exc.message, exc.fix, "", _since(start), ErrorKind.ERROR, attempt
            )
        except Exception as exc:  # a driver bug must stay this device's problem
            text = f"{type(exc).__name__}: {exc}"
            return Result(name, None, text, "", "", _since(start), ErrorKind.ERROR, attempt)
        return Result(name, value, seconds=_since(start), attempts=attempt)


def _since(start: float) -> float:
    return time.monotonic() - start


def run_all(
    items: Sequence[T],
    name: Callable[[T], str],
    work: Callable[[T], R],
    *,
    workers: int = 32,
    progress: Callable[[Result[R]], None] | None = None,
    retries: int = 0,
    retried: Collection[ErrorKind] = (),
) -> list[Result[R]]:
    """Results in the order of items; exceptions become per-device results, never crashes."""
    results: dict[str, Result[R]] = {}
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(items)))) as pool:
        futures = [
            pool.submit(run_one, item, name(item), work, retries=retries, retried=retried)
            for item in items
        ]
        for future in as_completed(futures):
            result = future.result()
            results[result.device] = result
            if progress is not None:
                progress(result)
    return [results[name(item)] for item in items]
