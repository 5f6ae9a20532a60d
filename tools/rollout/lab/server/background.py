"""A lab server on its own event loop in a background thread (tests, tools)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from rollout.lab.faults import Fault
from rollout.lab.server.labserver import LabServer
from rollout.lab.server.model import DeviceFactory, DeviceInfo

_T = TypeVar("_T")


class ServerThread:
    """A :class:`LabServer` on its own event loop in a background thread.

    The methods mirror :class:`LabServer` but are synchronous and thread-safe::

        with ServerThread(tmp_path) as lab:
            info = lab.add_device("lab1", EchoDevice())
            ConnectHandler(host=info.host, port=info.port, ...)
    """

    def __init__(self, state_dir: Path, *, login_timeout: float = 30.0) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="lab-server", daemon=True)
        self.server = LabServer(state_dir, login_timeout=login_timeout)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def call(self, coro: Coroutine[Any, Any, _T], timeout: float = 30.0) -> _T:
        """Run a coroutine on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def add_device(
        self, name: str, factory: DeviceFactory, *, port: int = 0, platform: str = ""
    ) -> DeviceInfo:
        return self.call(self.server.add_device(name, factory, port=port, platform=platform))

    def add_devices(
        self, devices: Sequence[tuple[str, DeviceFactory]], *, platform: str = ""
    ) -> list[DeviceInfo]:
        async def add_all() -> list[DeviceInfo]:
            return [await self.server.add_device(n, f, platform=platform) for n, f in devices]

        return self.call(add_all(), timeout=max(30.0, len(devices) * 0.5))

    def set_fault(self, name: str, fault: Fault) -> DeviceInfo:
        return self.call(self.server.set_fault(name, fault))

    def clear_fault(self, name: str, kind: str | None = None) -> DeviceInfo:
        return self.call(self.server.clear_fault(name, kind))

    def device(self, name: str) -> DeviceInfo:
        async def get() -> DeviceInfo:
            return self.server.device(name)

        return self.call(get())

    def close(self) -> None:
        """Stop the server and its thread (idempotent)."""
        if self._loop.is_closed():
            return
        if self._thread.is_alive():
            with contextlib.suppress(Exception):
                self.call(self.server.close())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
