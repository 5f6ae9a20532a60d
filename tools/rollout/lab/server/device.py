"""One hosted device at runtime: its listener, its connections and its fault state.

The listener follows the faults (:class:`DeviceFaults`): SSH while the device is reachable,
none while it refuses connections, a silent TCP listener (:class:`Blackhole`) while it is
unreachable behind a firewall. Everything here runs on the server's event loop; the server
gives the device the two things it needs from the server: how to open its SSH listener and
how to run a background task.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

import asyncssh

from rollout.lab.server.hostkeys import describe_host_key
from rollout.lab.server.injection import DeviceFaults
from rollout.lab.server.model import LOOPBACK, DeviceFactory, DeviceInfo

log = logging.getLogger("rollout.lab.server")

Spawn = Callable[[Coroutine[Any, Any, None]], None]
"""Runs a coroutine as a background task of the server."""


class HeldReply(Protocol):
    """A session holding back a reply because of a ``slow`` fault."""

    def release(self) -> None:
        """Send the held reply now."""
        ...


def accepts_username(fn: Callable[..., object]) -> bool:
    """True when ``fn`` takes a keyword ``username``."""
    try:
        return "username" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def event_name(event: object) -> str:
    """The name of a device event: the event itself, or its name-like attribute."""
    if isinstance(event, str):
        return event
    for attr in ("name", "kind", "event", "value"):
        value = getattr(event, attr, None)
        if isinstance(value, str):
            return value
    return str(event)


class HostedDevice:
    """Runtime state of one hosted device; lives on the server's loop."""

    def __init__(
        self,
        name: str,
        factory: DeviceFactory,
        platform: str,
        port: int,
        key: asyncssh.SSHKey,
        *,
        listen: Callable[[HostedDevice], Awaitable[asyncssh.SSHAcceptor]],
        spawn: Spawn,
    ) -> None:
        self.name = name
        self.factory = factory
        self.platform = platform
        self.port = port
        self.key = key
        self.host_key = describe_host_key(key)
        self.faults = DeviceFaults()
        self.conns: set[asyncssh.SSHServerConnection] = set()
        self.acceptor: asyncssh.SSHAcceptor | None = None
        self.blackhole: asyncio.Server | None = None
        self.blackhole_transports: set[asyncio.BaseTransport] = set()
        self.delayed: set[HeldReply] = set()
        """Sessions holding back a reply because of a ``slow`` fault."""
        self.lock = asyncio.Lock()
        self.session_takes_username = accepts_username(factory.new_session)
        self.authorized: frozenset[bytes] = frozenset(
            asyncssh.import_public_key(line).public_data
            for line in getattr(factory, "authorized_keys", ()) or ()
        )
        self._listen = listen
        self._spawn = spawn

    # -- listener ---------------------------------------------------------------------------

    async def reconcile(self) -> None:
        """Bring the listener in line with the faults (serialised per device)."""
        async with self.lock:
            wanted = self.faults.listener_mode()
            if wanted != "ssh":
                self.close_connections()
            if wanted != "ssh" and self.acceptor is not None:
                self.acceptor.close()
                await self.acceptor.wait_closed()
                self.acceptor = None
            if wanted != "blackhole" and self.blackhole is not None:
                await self.close_blackhole()
            if wanted == "ssh" and self.acceptor is None:
                self.acceptor = await self._listen(self)
            elif wanted == "blackhole" and self.blackhole is None:
                self.blackhole = await asyncio.get_running_loop().create_server(
                    lambda: Blackhole(self), LOOPBACK, self.port, reuse_address=True
                )
            log.debug("device %s: listener %s", self.name, wanted)

    async def close_blackhole(self) -> None:
        """Stop the silent listener and drop the connections it swallowed."""
        assert self.blackhole is not None
        self.blackhole.close()
        for transport in list(self.blackhole_transports):
            transport.close()
        await self.blackhole.wait_closed()
        self.blackhole = None

    def close_connections(self) -> None:
        for conn in list(self.conns):
            conn.close()

    # -- fault effects ----------------------------------------------------------------------

    def release_delayed(self) -> None:
        """Send the replies held back by a ``slow`` fault that was changed or cleared."""
        for session in list(self.delayed):
            session.release()

    def acl_session_ended(self) -> None:
        """A configuration session that touched an ACL has left configuration mode."""
        if not self.faults.cuts_after_acl():
            return
        log.info("device %s: management access cut after an ACL change", self.name)
        self.faults.cut = True
        # Let the reply that was just written leave before the connections go.
        asyncio.get_running_loop().call_soon(self._spawn, self.reconcile())

    def on_event(self, event: object, *_args: object, **_kwargs: object) -> None:
        name = event_name(event)
        if name == "reverted" and self.faults.cut:
            log.info("device %s reverted: management access restored", self.name)
            self.faults.cut = False
            self._spawn(self.reconcile())

    def info(self) -> DeviceInfo:
        return DeviceInfo(
            name=self.name,
            host=LOOPBACK,
            port=self.port,
            platform=self.platform,
            host_key=self.host_key,
            faults=self.faults.active(),
            listening=self.acceptor is not None,
            sessions=len(self.conns),
        )


class Blackhole(asyncio.Protocol):
    """Accepts a TCP connection and never answers (an unreachable host behind a firewall)."""

    def __init__(self, device: HostedDevice) -> None:
        self._device = device
        self._transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport
        self._device.blackhole_transports.add(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._device.blackhole_transports.discard(self._transport)
