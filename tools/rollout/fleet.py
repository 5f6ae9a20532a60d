"""Run one function per device on a bounded thread pool; one device's failure stays its own."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Generic, TypeVar

from rollout.drivers.base import DeviceError
from rollout.errors import RolloutError

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Result(Generic[R]):
    device: str
    value: R | None = None
    error: str = ""
    fix: str = ""
    step: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error


def run_all(
    items: Sequence[T],
    name: Callable[[T], str],
    work: Callable[[T], R],
    *,
    workers: int = 32,
    progress: Callable[[Result[R]], None] | None = None,
) -> list[Result[R]]:
    """Results in the order of items; exceptions become per-device results, never crashes."""

    def one(item: T) -> Result[R]:
        start = time.monotonic()
        try:
            value = work(item)
        except DeviceError as exc:
            return Result(
                name(item), None, exc.message, exc.fix, exc.step, time.monotonic() - start
            )
        except RolloutError as exc:
            return Result(name(item), None, exc.message, exc.fix, "", time.monotonic() - start)
        except Exception as exc:
            return Result(
                name(item), None, f"{type(exc).__name__}: {exc}", "", "", time.monotonic() - start
            )
        return Result(name(item), value, seconds=time.monotonic() - start)

    results: dict[str, Result[R]] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(items) or 1))) as pool:
        futures = [pool.submit(one, item) for item in items]
        for future in as_completed(futures):
            result = future.result()
            results[result.device] = result
            if progress is not None:
                progress(result)
    return [results[name(item)] for item in items]
