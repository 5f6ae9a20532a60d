"""The lab's SSH server: many simulated devices in one process, one TCP port each.

Every device listens on its own ``127.0.0.1`` port with its own persistent ed25519 host key
(``<state_dir>/hostkeys/<name>.key``, created once and reused, so ``known_hosts`` entries
stay valid across restarts). A device is given to the server as a :class:`DeviceFactory`;
the server owns SSH, authentication, the terminal (echo, line endings, prompts), ``exec``
requests, and the faults of :mod:`rollout.lab.faults`.

All device code runs on the server's event loop: ``new_session``, ``check_password`` and a
shell's ``handle`` are called directly and must be fast and non-blocking. Use
:class:`LabServer` inside a running loop, or :class:`ServerThread` to run one in a
background thread (tests, tools).
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import inspect
import logging
import os
import re
import threading
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar, cast

import asyncssh

from rollout.lab.faults import (
    AuthFail,
    DropAfterLines,
    Fault,
    MgmtCutAfterAcl,
    RejectCommand,
    Slow,
    Unreachable,
    invalid_input,
    touches_acl,
)
from rollout.lab.shell import DeviceShell, Reply

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
"""The only address the lab listens on."""

_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
_T = TypeVar("_T")


class LabError(Exception):
    """Base class of the lab's errors; the message says what happened and what to do."""


class UnknownDeviceError(LabError):
    """A request names a device this lab does not host."""

    def __init__(self, name: str, known: Iterable[str] = ()) -> None:
        names = sorted(known)
        hint = f" Known devices: {', '.join(names[:20])}" if names else ""
        if len(names) > 20:
            hint += f", ... ({len(names)} in all)"
        super().__init__(f"no lab device named {name!r}.{hint}")
        self.name = name


class DeviceSetupError(LabError):
    """A device could not be added (bad name, duplicate, port busy, unreadable host key)."""


class DeviceFactory(Protocol):
    """What the server needs from a simulated device.

    Optional extras:

    * ``new_session`` may take a keyword ``username``: the server then passes the name the
      client logged in with (for per-user privilege levels);
    * ``authorized_keys`` (attribute): OpenSSH public key lines (``ssh-ed25519 AAAA...``)
      accepted for public-key login under any user name;
    * ``add_listener(callback)`` (method): the device calls ``callback(event, ...)`` with an
      event name (``"config-changed"``, ``"reverted"``, ``"saved"``) as the first argument,
      or an event object with a ``kind``/``name`` attribute. Any thread may call it.
    """

    def new_session(self) -> DeviceShell:
        """A new interactive (or exec) session with the device."""
        ...

    def check_password(self, username: str, password: str) -> bool:
        """True when the credentials are accepted."""
        ...


@dataclass(frozen=True, slots=True)
class HostKey:
    """A device's SSH host key, as clients see it."""

    public_key: str
    """OpenSSH public key line without comment: ``ssh-ed25519 AAAA...``."""
    fingerprint: str
    """``SHA256:...`` as printed by ``ssh-keygen -l``."""


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """A snapshot of one hosted device."""

    name: str
    host: str
    port: int
    platform: str
    host_key: HostKey
    faults: tuple[Fault, ...]
    listening: bool
    """False while the device refuses connections (``unreachable`` or a management cut)."""
    sessions: int
    """Open SSH connections."""

    def known_hosts_line(self) -> str:
        """This device's line for an OpenSSH ``known_hosts`` file."""
        return f"[{self.host}]:{self.port} {self.host_key.public_key}"


def load_or_create_host_key(path: Path) -> asyncssh.SSHKey:
    """Read the ed25519 host key at ``path``, creating it (mode 0600) when missing."""
    if path.exists():
        try:
            return asyncssh.read_private_key(path)
        except (OSError, asyncssh.KeyImportError) as exc:
            raise DeviceSetupError(
                f"cannot read the host key {path}: {exc}. Delete the file to get a new key "
                "(clients will then see a changed host key)."
            ) from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    key = asyncssh.generate_private_key("ssh-ed25519")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.export_private_key())
    tmp.replace(path)
    log.info("created host key %s", path)
    return key


def describe_host_key(key: asyncssh.SSHKey) -> HostKey:
    """The public key line and SHA256 fingerprint of a host key."""
    line = key.export_public_key("openssh").decode("ascii").split()
    return HostKey(public_key=" ".join(line[:2]), fingerprint=key.get_fingerprint("sha256"))


def _accepts_username(fn: Callable[..., object]) -> bool:
    try:
        return "username" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _event_name(event: object) -> str:
    if isinstance(event, str):
        return event
    for attr in ("name", "kind", "event", "value"):
        value = getattr(event, attr, None)
        if isinstance(value, str):
            return value
    return str(event)


class _Device:
    """Runtime state of one hosted device; lives on the server's loop."""

    def __init__(
        self,
        server: LabServer,
        name: str,
        factory: DeviceFactory,
        platform: str,
        port: int,
        key: asyncssh.SSHKey,
    ) -> None:
        self.server = server
        self.name = name
        self.factory = factory
        self.platform = platform
        self.port = port
        self.key = key
        self.host_key = describe_host_key(key)
        self.faults: dict[str, Fault] = {}
        self.conns: set[asyncssh.SSHServerConnection] = set()
        self.acceptor: asyncssh.SSHAcceptor | None = None
        self.blackhole: asyncio.Server | None = None
        self.blackhole_transports: set[asyncio.BaseTransport] = set()
        self.delayed: set[_Session] = set()
        """Sessions holding back a reply because of a ``slow`` fault."""
        self.cut = False
        self.lock = asyncio.Lock()
        self.session_takes_username = _accepts_username(factory.new_session)
        self.authorized: frozenset[bytes] = frozenset(
            asyncssh.import_public_key(line).public_data
            for line in getattr(factory, "authorized_keys", ()) or ()
        )

    # -- faults -----------------------------------------------------------------------------

    def fault(self, cls: type[_T]) -> _T | None:
        found = self.faults.get(cast(Any, cls).kind)
        return cast(_T, found) if found is not None else None

    def wanted_listener(self) -> str:
        unreachable = self.fault(Unreachable)
        if unreachable is not None:
            return unreachable.mode
        return "refuse" if self.cut else "ssh"

    async def reconcile(self) -> None:
        """Bring the listener in line with the faults (serialised per device)."""
        async with self.lock:
            wanted = self.wanted_listener()
            if wanted != "ssh":
                self.close_connections()
            if wanted != "ssh" and self.acceptor is not None:
                self.acceptor.close()
                await self.acceptor.wait_closed()
                self.acceptor = None
            if wanted != "blackhole" and self.blackhole is not None:
                await self._close_blackhole()
            if wanted == "ssh" and self.acceptor is None:
                self.acceptor = await self.server._listen(self)
            elif wanted == "blackhole" and self.blackhole is None:
                self.blackhole = await asyncio.get_running_loop().create_server(
                    lambda: _Blackhole(self), LOOPBACK, self.port, reuse_address=True
                )
            log.debug("device %s: listener %s", self.name, wanted)

    async def _close_blackhole(self) -> None:
        assert self.blackhole is not None
        self.blackhole.close()
        for transport in list(self.blackhole_transports):
            transport.close()
        await self.blackhole.wait_closed()
        self.blackhole = None

    def release_delayed(self) -> None:
        """Send the replies held back by a ``slow`` fault that was changed or cleared."""
        for session in list(self.delayed):
            session.release()

    def close_connections(self) -> None:
        for conn in list(self.conns):
            conn.close()

    def acl_session_ended(self) -> None:
        """A configuration session that touched an ACL has left configuration mode."""
        if self.fault(MgmtCutAfterAcl) is None or self.cut:
            return
        log.info("device %s: management access cut after an ACL change", self.name)
        self.cut = True
        # Let the reply that was just written leave before the connections go.
        asyncio.get_running_loop().call_soon(self.server._spawn, self.reconcile())

    def on_event(self, event: object, *_args: object, **_kwargs: object) -> None:
        name = _event_name(event)
        if name == "reverted" and self.cut:
            log.info("device %s reverted: management access restored", self.name)
            self.cut = False
            self.server._spawn(self.reconcile())

    def info(self) -> DeviceInfo:
        return DeviceInfo(
            name=self.name,
            host=LOOPBACK,
            port=self.port,
            platform=self.platform,
            host_key=self.host_key,
            faults=tuple(self.faults.values()),
            listening=self.acceptor is not None,
            sessions=len(self.conns),
        )


class _Blackhole(asyncio.Protocol):
    """Accepts a TCP connection and never answers (an unreachable host behind a firewall)."""

    def __init__(self, device: _Device) -> None:
        self._device = device
        self._transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport
        self._device.blackhole_transports.add(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._device.blackhole_transports.discard(self._transport)


class _Connection(asyncssh.SSHServer):
    """One SSH connection to a device: authentication and session creation."""

    def __init__(self, device: _Device) -> None:
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
        if self._device.fault(AuthFail) is not None:
            return False
        try:
            return bool(self._device.factory.check_password(username, password))
        except Exception:
            log.exception("device %s: check_password failed", self._device.name)
            return False

    def public_key_auth_supported(self) -> bool:
        return bool(self._device.authorized)

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        if self._device.fault(AuthFail) is not None:
            return False
        return key.public_data in self._device.authorized

    def session_requested(self) -> _Session:
        assert self._conn is not None
        return _Session(self._device, self._conn)


class _Session(asyncssh.SSHServerSession[bytes]):
    """One SSH channel: an interactive terminal or an exec request."""

    def __init__(self, device: _Device, conn: asyncssh.SSHServerConnection) -> None:
        self._device = device
        self._conn = conn
        self._chan: asyncssh.SSHServerChannel[bytes] | None = None
        self._shell: DeviceShell | None = None
        self._pty = False
        self._command: str | None = None
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""
        self._pos = 0
        self._line: list[str] = []
        self._out: list[str] = []
        self._skip_lf = False
        self._paused = False
        self._closed = False
        self._eof = False
        self._delayed: tuple[str, bool] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._config_lines = 0
        self._acl_touched = False

    # -- asyncssh callbacks -----------------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self._chan = chan

    def pty_requested(self, term_type: str, term_size: object, term_modes: object) -> bool:
        self._pty = True
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self._command = command
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        return False

    def break_received(self, msec: int) -> bool:
        return False

    def session_started(self) -> None:
        device = self._device
        try:
            if device.session_takes_username:
                username = str(self._conn.get_extra_info("username") or "")
                new_session = cast(Callable[..., DeviceShell], device.factory.new_session)
                self._shell = new_session(username=username)
            else:
                self._shell = device.factory.new_session()
        except Exception:
            log.exception("device %s: new_session failed", self._device.name)
            self._emit("% The lab device failed to open a session (see the lab log).\n")
            self._finish()
            return
        if self._command is not None:
            self._run_exec(self._command)
            return
        banner = self._shell.banner()
        if banner:
            self._emit(banner if banner.endswith("\n") else banner + "\n")
        self._emit(self._shell.prompt())
        self._flush()

    def data_received(self, data: bytes, datatype: object) -> None:
        if self._shell is None or self._command is not None or self._closed:
            return
        text = self._decoder.decode(data)
        if self._pos:
            self._pending = self._pending[self._pos :]
            self._pos = 0
        self._pending += text
        self._pump()

    def eof_received(self) -> bool:
        # Keep the channel half open: pending (possibly delayed) replies still go out.
        self._eof = True
        if self._command is None and not self._paused:
            self._finish()
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._session_ended()
        self._closed = True
        self._delayed = None
        self.release()

    # -- terminal ---------------------------------------------------------------------------

    def _emit(self, text: str) -> None:
        self._out.append(text)

    def _flush(self) -> None:
        if not self._out or self._chan is None or self._closed:
            self._out.clear()
            return
        text = "".join(self._out)
        self._out.clear()
        if self._pty or self._command is None:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        with contextlib.suppress(asyncssh.Error, OSError):
            self._chan.write(text.encode("utf-8"))

    def _pump(self) -> None:
        while not self._paused and not self._closed and self._pos < len(self._pending):
            ch = self._pending[self._pos]
            self._pos += 1
            self._feed(ch)
        self._flush()

    def _feed(self, ch: str) -> None:
        if ch == "\n" and self._skip_lf:
            self._skip_lf = False
            return
        self._skip_lf = ch == "\r"
        if ch in "\r\n":
            line = "".join(self._line)
            self._line.clear()
            if self._pty:
                self._emit("\n")
            self._run_line(line)
        elif ch == "\x1a":  # Ctrl-Z: leave configuration mode
            if self._in_config():
                self._line.clear()
                self._emit("^Z\n")
                self._run_line("end")
        elif ch == "\x03":  # Ctrl-C: abandon the line
            self._line.clear()
            self._emit("^C\n" + self._prompt())
        elif ch in "\x7f\x08":
            if self._line:
                self._line.pop()
                if self._pty:
                    self._emit("\b \b")
        elif ch == "\x15":  # Ctrl-U: erase the line
            if self._pty:
                self._emit("\b \b" * len(self._line))
            self._line.clear()
        elif ch >= " ":
            self._line.append(ch)
            if self._pty:
                self._emit(ch)

    def _prompt(self) -> str:
        assert self._shell is not None
        return self._shell.prompt()

    def _in_config(self) -> bool:
        return "(config" in self._prompt()

    def _run_line(self, line: str) -> None:
        assert self._shell is not None
        device = self._device
        prompt = self._prompt()
        in_config = "(config" in prompt
        reject = device.fault(RejectCommand)
        if reject is not None and line.strip() and reject.matches(line):
            reply = Reply(output=invalid_input(prompt, line))
        else:
            reply = self._call(self._shell.handle, line)
            if in_config and touches_acl(line):
                self._acl_touched = True
        if in_config and line.strip():
            self._config_lines += 1
            drop = device.fault(DropAfterLines)
            if drop is not None and self._config_lines >= drop.lines:
                log.info("device %s: dropping the connection (drop_after_lines)", device.name)
                self._flush()
                self._closed = True
                self._conn.abort()
                return
        text = reply.output
        if text and not text.endswith("\n"):
            text += "\n"
        if not reply.close:
            text += self._prompt()
        self._reply(text, reply.close)

    def _reply(self, text: str, close: bool) -> None:
        slow = self._device.fault(Slow)
        if slow is not None and slow.seconds > 0:
            self._flush()
            self._paused = True
            self._delayed = (text, close)
            self._device.delayed.add(self)
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(slow.seconds, self.release)
        else:
            self._deliver(text, close)

    def release(self) -> None:
        """Send the reply held back by a ``slow`` fault now."""
        self._device.delayed.discard(self)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._delayed is not None:
            text, close = self._delayed
            self._delayed = None
            self._deliver(text, close)

    def _deliver(self, text: str, close: bool) -> None:
        self._paused = False
        if self._closed:
            return
        self._emit(text)
        if close:
            self._finish()
            return
        if self._acl_touched and not self._in_config():
            self._acl_touched = False
            self._device.acl_session_ended()
        if self._pos < len(self._pending):
            self._pump()
        else:
            self._flush()
        if self._eof and not self._paused and self._pos >= len(self._pending):
            self._finish()

    def _finish(self) -> None:
        self._flush()
        self._session_ended()
        self._closed = True
        if self._chan is not None:
            with contextlib.suppress(asyncssh.Error, OSError):
                self._chan.exit(0)

    def _session_ended(self) -> None:
        if self._acl_touched:
            self._acl_touched = False
            self._device.acl_session_ended()

    def _call(self, fn: Callable[[str], Reply], arg: str) -> Reply:
        try:
            return fn(arg)
        except Exception:
            log.exception("device %s: the shell failed on %r", self._device.name, arg)
            return Reply(output="% Internal error in the lab device (see the lab log).")

    def _run_exec(self, command: str) -> None:
        assert self._shell is not None
        reject = self._device.fault(RejectCommand)
        if reject is not None and reject.matches(command):
            reply = Reply(output=invalid_input("", command))
        else:
            reply = self._call(self._shell.exec_command, command)
        text = reply.output
        if text and not text.endswith("\n"):
            text += "\n"
        self._reply(text, close=True)


class LabServer:
    """Hosts many devices in one process, each on its own loopback port.

    Create and use it inside a running event loop. ``state_dir`` holds the host keys.
    """

    def __init__(self, state_dir: Path, *, login_timeout: float = 30.0) -> None:
        self.state_dir = Path(state_dir)
        self.login_timeout = login_timeout
        self._devices: dict[str, _Device] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

    # -- devices ----------------------------------------------------------------------------

    def host_key_path(self, name: str) -> Path:
        """Where a device's host key lives."""
        return self.state_dir / "hostkeys" / f"{name}.key"

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
        device = _Device(self, name, factory, platform, port, key)
        device.acceptor = await self._listen(device)
        device.port = device.acceptor.get_port()
        self._devices[name] = device
        add_listener = getattr(factory, "add_listener", None)
        if callable(add_listener):
            add_listener(self._threadsafe(device.on_event))
        log.debug("device %s listening on %s:%d", name, LOOPBACK, device.port)
        return device.info()

    async def _listen(self, device: _Device) -> asyncssh.SSHAcceptor:
        try:
            return await asyncssh.listen(
                LOOPBACK,
                device.port,
                server_factory=lambda: _Connection(device),
                server_host_keys=[device.key],
                line_editor=False,
                encoding=None,
                allow_scp=False,
                agent_forwarding=False,
                x11_forwarding=False,
                kbdint_auth=False,
                login_timeout=self.login_timeout,
                keepalive_interval=0,
                reuse_address=True,
            )
        except OSError as exc:
            raise DeviceSetupError(
                f"device {device.name}: cannot listen on {LOOPBACK}:{device.port}: "
                f"{exc.strerror or exc}. Choose another port or stop what uses it."
            ) from exc

    def _device(self, name: str) -> _Device:
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
        device.faults[fault.kind] = fault
        log.info("device %s: fault set %s", name, fault)
        if isinstance(fault, Slow):
            device.release_delayed()
        await device.reconcile()
        return device.info()

    async def clear_fault(self, name: str, kind: str | None = None) -> DeviceInfo:
        """Remove the fault ``kind`` from device ``name`` (all faults when ``kind`` is None)."""
        device = self._device(name)
        if kind is None:
            device.faults.clear()
        else:
            device.faults.pop(kind, None)
        if device.fault(MgmtCutAfterAcl) is None:
            device.cut = False
        if device.fault(Slow) is None:
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
                await device._close_blackhole()
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
