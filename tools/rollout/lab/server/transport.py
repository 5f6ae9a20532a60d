"""The SSH side of a hosted device: its listener, logins and the channels it opens.

One :func:`listen` per device on ``127.0.0.1``: password login (and public-key login when
the device lists ``authorized_keys``), no agent or X11 forwarding, no SCP, no keyboard
interactive login; each accepted channel becomes a :class:`ChannelSession`.
"""

from __future__ import annotations

import logging

import asyncssh

from rollout.lab.server.channel import ChannelSession
from rollout.lab.server.device import HostedDevice
from rollout.lab.server.errors import DeviceSetupError
from rollout.lab.server.model import LOOPBACK

log = logging.getLogger("rollout.lab.server")


class SSHConnection(asyncssh.SSHServer):
    """One SSH connection to a device: authentication and session creation."""

    def __init__(self, device: HostedDevice) -> None:
        self._device = device
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._device.conns.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._device.conns.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        if self._device.faults.refuses_login():
            return False
        try:
            return bool(self._device.factory.check_password(username, password))
        except Exception:
            log.exception("device %s: check_password failed", self._device.name)
            return False

    def public_key_auth_supported(self) -> bool:
        return bool(self._device.authorized)

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        if self._device.faults.refuses_login():
            return False
        return key.public_data in self._device.authorized

    def session_requested(self) -> ChannelSession:
        assert self._conn is not None
        return ChannelSession(self._device, self._conn)


async def listen(device: HostedDevice, login_timeout: float) -> asyncssh.SSHAcceptor:
    """Open ``device``'s SSH listener on its port (0: any free port)."""
    try:
        return await asyncssh.listen(
            LOOPBACK,
            device.port,
            server_factory=lambda: SSHConnection(device),
            server_host_keys=[device.key],
            line_editor=False,
            encoding=None,
            allow_scp=False,
            agent_forwarding=False,
            x11_forwarding=False,
            kbdint_auth=False,
            login_timeout=login_timeout,
            keepalive_interval=0,
            reuse_address=True,
        )
    except OSError as exc:
        raise DeviceSetupError(
            f"device {device.name}: cannot listen on {LOOPBACK}:{device.port}: "
            f"{exc.strerror or exc}. Choose another port or stop what uses it."
        ) from exc
