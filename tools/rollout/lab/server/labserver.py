"""The lab server: many simulated devices in one process, one loopback port each.

:class:`LabServer` adds devices (name check, host key, listener), sets and clears their
faults, and closes everything; it runs inside an event loop and lends each device the
loop's plumbing (background tasks, callbacks from other threads).
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import asyncssh

from rollout.lab.faults import Fault, Slow
from rollout.lab.server.device import HostedDevice
from rollout.lab.server.errors import DeviceSetupError, UnknownDeviceError
from rollout.lab.server.hostkeys import host_key_path, load_or_create_host_key
from rollout.lab.server.model import LOOPBACK, DeviceFactory, DeviceInfo
from rollout.lab.server.transport import listen

log = logging.getLogger("rollout.lab.server")

_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")


class LabServer:
    """Hosts many devices in one process, each on its own loopback port.

    Create and use it inside a running event loop. ``state_dir`` holds the host keys.
    """

    def __init__(self, state_dir: Path, *, login_timeout: float = 30.0) -> None:
        self.state_dir = Path(state_dir)
        self.login_timeout = login_timeout
        self._devices: dict[str, HostedDevice] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

    # -- devices ----------------------------------------------------------------------------

    def host_key_path(self, name: str) -> Path:
        """Where a device's host key lives."""
        return host_key_path(self.state_dir, name)

    async def add_device(
        self, name: str, factory: DeviceFactory, *, port: int = 0, platform: str = ""
    ) -> DeviceInfo:
        """Start serving ``factory`` as device ``name`` on ``port`` (0: any free port)."""
        self._bind_loop()
        if not _NAME_RE.fullmatch(name):
            raise DeviceSetupError(
                f"invalid device name {name!r}: use letters, digits, '.', '_' and '-' "
                "(at most 63 characters, starting with a letter or digit)"
            )
        if name in self._devices:
            raise DeviceSetupError(f"device {name!r} is already hosted by this lab server")
        key = load_or_create_host_key(self.host_key_path(name))
        device = HostedDevice(
            name, factory, platform, port, key, listen=self._listen, spawn=self._spawn
        )
        device.acceptor = await self._listen(device)
        device.port = device.acceptor.get_port()
        self._devices[name] = device
        add_listener = getattr(factory, "add_listener", None)
        if callable(add_listener):
            add_listener(self._threadsafe(device.on_event))
        log.debug("device %s listening on %s:%d", name, LOOPBACK, device.port)
        return device.info()

    async def _listen(self, device: HostedDevice) -> asyncssh.SSHAcceptor:
        return await listen(device, self.login_timeout)

    def _device(self, name: str) -> HostedDevice:
        try:
            return self._devices[name]
        except KeyError:
            raise UnknownDeviceError(name, self._devices) from None

    def devices(self) -> list[DeviceInfo]:
        """Snapshots of all hosted devices, in the order they were added."""
        return [d.info() for d in self._devices.values()]

    def device(self, name: str) -> DeviceInfo:
        """Snapshot of one device; :class:`UnknownDeviceError` when not hosted here."""
        return self._device(name).info()

    def __contains__(self, name: object) -> bool:
        return name in self._devices

    # -- faults -----------------------------------------------------------------------------

    async def set_fault(self, name: str, fault: Fault) -> DeviceInfo:
        """Give device ``name`` a fault (replacing one of the same kind)."""
        device = self._device(name)
        device.faults.set(fault)
        log.info("device %s: fault set %s", name, fault)
        if isinstance(fault, Slow):
            device.release_delayed()
        await device.reconcile()
        return device.info()

    async def clear_fault(self, name: str, kind: str | None = None) -> DeviceInfo:
        """Remove the fault ``kind`` from device ``name`` (all faults when ``kind`` is None)."""
        device = self._device(name)
        device.faults.clear(kind)
        if device.faults.get(Slow) is None:
            device.release_delayed()
        log.info("device %s: fault cleared %s", name, kind or "(all)")
        await device.reconcile()
        return device.info()

    # -- lifecycle --------------------------------------------------------------------------

    async def close(self) -> None:
        """Stop listening and drop every connection."""
        for device in self._devices.values():
            if device.acceptor is not None:
                device.acceptor.close()
            if device.blackhole is not None:
                await device.close_blackhole()
            for conn in list(device.conns):
                conn.abort()
        for device in self._devices.values():
            if device.acceptor is not None:
                await device.acceptor.wait_closed()
                device.acceptor = None
        for task in list(self._tasks):
            task.cancel()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- loop plumbing ----------------------------------------------------------------------

    def _bind_loop(self) -> None:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            self._loop_thread = threading.get_ident()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("lab server task failed", exc_info=task.exception())

    def _threadsafe(self, fn: Callable[..., None]) -> Callable[..., None]:
        """Wrap a device callback so that it always runs on the server's loop."""
        loop = self._loop
        assert loop is not None

        def call(*args: object, **kwargs: object) -> None:
            if threading.get_ident() == self._loop_thread:
                fn(*args, **kwargs)
            elif not loop.is_closed():
                loop.call_soon_threadsafe(lambda: fn(*args, **kwargs))

        return call
