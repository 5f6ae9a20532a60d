"""Start, inspect and stop the lab's device processes (the logic behind ``rollout lab``).

``up`` starts a detached supervisor (``python -m rollout.lab.manager serve``) that splits
the devices across worker processes (``... worker``), each running a
:class:`~rollout.lab.server.LabServer` on its own event loop. When every device listens, the
supervisor writes ``state.json`` and ``known_hosts`` into the state directory and serves the
control socket (``control.sock``), routing fault requests to the worker hosting the device.

Layout of the state directory::

    state.json        what runs where (see :class:`LabState`)
    known_hosts       OpenSSH known_hosts lines for every device
    control.sock      control channel (rollout.lab.control)
    lab.pid           supervisor pid, written as soon as it is started
    lab.log           log of the lab processes
    hostkeys/*.key    persistent ed25519 host keys (kept by ``down``)
    run/worker-N.sock per-worker control sockets

Device state lives in the memory of the lab processes: every ``up`` starts at day 0.
Device simulators are plugged in through :data:`FACTORIES`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rollout.lab.control import (
    CONTROL_SOCKET,
    ControlClient,
    ControlError,
    check_socket_path,
    device_to_json,
    lab_handler,
    request_async,
    serve_control,
)
from rollout.lab.faults import Fault, parse_fault
from rollout.lab.server import (
    LOOPBACK,
    DeviceFactory,
    DeviceInfo,
    LabError,
    LabServer,
    UnknownDeviceError,
)

log = logging.getLogger("rollout.lab.manager")

STATE_FILE = "state.json"
KNOWN_HOSTS = "known_hosts"
PID_FILE = "lab.pid"
LOG_FILE = "lab.log"
RUN_DIR = "run"
STATE_VERSION = 1
ENV_STATE_DIR = "ROLLOUT_LAB_DIR"
_PROCESS_MARK = "rollout.lab.manager"


# -- errors -------------------------------------------------------------------------------


class LabConfigError(LabError):
    """The device list or the options cannot be used to start a lab."""


class LabAlreadyRunningError(LabError):
    """A lab is already running with this state directory."""


class LabStartError(LabError):
    """The lab processes did not come up."""


# -- inputs -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabDeviceSpec:
    """One simulated device to start."""

    name: str
    platform: str
    """Key in :data:`FACTORIES`: ``"cisco_ios"``, ``"polycom"``, ..."""
    username: str
    password: str = field(repr=False)
    config: str | Mapping[str, Any] = ""
    """Day-0 configuration: config text (IOS) or a mapping of settings (Polycom)."""
    model: str = ""
    authorized_keys: tuple[str, ...] = ()
    """OpenSSH public key lines accepted for key login (the factory decides)."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["config"] = self.config if isinstance(self.config, str) else dict(self.config)
        data["authorized_keys"] = list(self.authorized_keys)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LabDeviceSpec:
        return cls(
            name=str(data["name"]),
            platform=str(data["platform"]),
            username=str(data["username"]),
            password=str(data["password"]),
            config=data.get("config", ""),
            model=str(data.get("model", "")),
            authorized_keys=tuple(data.get("authorized_keys", ())),
        )


@dataclass(frozen=True, slots=True)
class LabOptions:
    """How to run the lab. Factories receive these too."""

    base_port: int = 22000
    """First TCP port tried; devices get the next free ports in list order."""
    workers: int | None = None
    """Worker processes (default: number of CPUs, at most one per device)."""
    ready_timeout: float = 60.0
    """Seconds ``up`` waits for every device to listen."""
    stop_timeout: float = 10.0
    """Seconds ``down`` waits after SIGTERM before SIGKILL."""
    log_level: str = "INFO"
    settings: Mapping[str, Any] = field(default_factory=dict)
    """Free-form settings for device factories (for example a timer scale)."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["settings"] = dict(self.settings)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LabOptions:
        return cls(**{**data, "settings": dict(data.get("settings", {}))})


# -- factory registry ---------------------------------------------------------------------

FactoryHook = Callable[[LabDeviceSpec, LabOptions], DeviceFactory]


class FactoryRef:
    """A factory hook named by import path (``"package.module:function"``), imported lazily."""

    def __init__(self, path: str) -> None:
        if ":" not in path:
            raise LabConfigError(f"factory path {path!r} must look like 'package.module:function'")
        self.path = path

    def resolve(self) -> FactoryHook:
        module_name, _, attr = self.path.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise LabConfigError(
                f"cannot import the device factory module {module_name!r} ({exc}); "
                "is that platform's simulator installed?"
            ) from exc
        hook = getattr(module, attr, None)
        if not callable(hook):
            raise LabConfigError(f"{self.path}: {module_name} has no callable {attr!r}")
        return hook  # type: ignore[no-any-return]

    def __call__(self, spec: LabDeviceSpec, options: LabOptions) -> DeviceFactory:
        return self.resolve()(spec, options)

    def __repr__(self) -> str:
        return f"FactoryRef({self.path!r})"


FACTORIES: dict[str, FactoryHook] = {
    "cisco_ios": FactoryRef("rollout.lab.platforms:ios_factory"),
    "polycom": FactoryRef("rollout.lab.platforms:polycom_factory"),
}
"""Platform name → factory hook. Hooks must be importable by path (module-level functions
or :class:`FactoryRef`), because the lab processes import them again."""


def register_platform(platform: str, hook: FactoryHook | str) -> None:
    """Register a factory hook (a module-level function or a ``"module:function"`` path)."""
    FACTORIES[platform] = FactoryRef(hook) if isinstance(hook, str) else hook


def factory_path(hook: FactoryHook) -> str:
    """The import path of a hook, as the lab processes will import it."""
    if isinstance(hook, FactoryRef):
        return hook.path
    module = getattr(hook, "__module__", None)
    qualname = getattr(hook, "__qualname__", "")
    if not module or module == "__main__" or "<" in qualname or "." in qualname:
        raise LabConfigError(
            f"factory hook {hook!r} cannot be imported by a lab process; register a "
            "module-level function or a 'package.module:function' path"
        )
    return f"{module}:{qualname}"


# -- state --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeviceState:
    """Where one device runs (an entry of ``state.json``'s ``devices``)."""

    name: str
    host: str
    port: int
    platform: str
    model: str
    username: str
    pid: int
    worker: int
    host_key_fingerprint: str
    host_key: str

    def known_hosts_line(self) -> str:
        return f"[{self.host}]:{self.port} {self.host_key}"


@dataclass(frozen=True, slots=True)
class WorkerState:
    index: int
    pid: int
    socket: str
    devices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LabState:
    """The content of ``state.json``."""

    state_dir: Path
    started_at: str
    supervisor_pid: int
    control_socket: Path
    known_hosts: Path
    log: Path
    workers: tuple[WorkerState, ...]
    devices: dict[str, DeviceState]

    def pids(self) -> list[int]:
        return [self.supervisor_pid, *(w.pid for w in self.workers)]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "state_dir": str(self.state_dir),
            "started_at": self.started_at,
            "supervisor_pid": self.supervisor_pid,
            "control_socket": str(self.control_socket),
            "known_hosts": str(self.known_hosts),
            "log": str(self.log),
            "workers": [{**asdict(w), "devices": list(w.devices)} for w in self.workers],
            "devices": {
                name: {k: v for k, v in asdict(d).items() if k != "name"}
                for name, d in self.devices.items()
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LabState:
        if data.get("version") != STATE_VERSION:
            raise LabError(
                f"state.json has version {data.get('version')!r}, expected {STATE_VERSION}; "
                "run `rollout lab down` and start the lab again"
            )
        return cls(
            state_dir=Path(data["state_dir"]),
            started_at=str(data["started_at"]),
            supervisor_pid=int(data["supervisor_pid"]),
            control_socket=Path(data["control_socket"]),
            known_hosts=Path(data["known_hosts"]),
            log=Path(data["log"]),
            workers=tuple(
                WorkerState(
                    index=int(w["index"]),
                    pid=int(w["pid"]),
                    socket=str(w["socket"]),
                    devices=tuple(w["devices"]),
                )
                for w in data["workers"]
            ),
            devices={name: DeviceState(name=name, **d) for name, d in data["devices"].items()},
        )

    @classmethod
    def read(cls, state_dir: Path) -> LabState | None:
        """The state of the lab in ``state_dir``, or None when there is none."""
        path = Path(state_dir) / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise LabError(
                f"cannot read {path}: {exc}; run `rollout lab down` to clean up"
            ) from exc
        return cls.from_json(data)


@dataclass(frozen=True, slots=True)
class DeviceLiveness:
    """One device as ``status`` sees it."""

    name: str
    host: str
    port: int
    platform: str
    pid: int
    process_alive: bool
    port_open: bool
    """A TCP connection to the port succeeded (False under ``unreachable`` or a management
    cut, which are not reported as problems)."""
    faults: tuple[Fault, ...] | None
    """Faults reported by the lab; None when the control channel did not answer."""


@dataclass(frozen=True, slots=True)
class LabStatus:
    """Result of :func:`status`."""

    state_dir: Path
    running: bool
    """The supervisor is alive."""
    state: LabState | None
    devices: tuple[DeviceLiveness, ...]
    problems: tuple[str, ...]
    """Human-readable findings: dead processes, closed ports, unanswered control socket."""

    @property
    def healthy(self) -> bool:
        return self.running and not self.problems


@dataclass(frozen=True, slots=True)
class DownResult:
    """Result of :func:`down`."""

    state_dir: Path
    terminated: tuple[int, ...]
    """Pids that exited after SIGTERM."""
    killed: tuple[int, ...]
    """Pids that needed SIGKILL."""
    was_running: bool


def default_state_dir() -> Path:
    """``$ROLLOUT_LAB_DIR``, else ``.lab`` in the repository holding this package."""
    env = os.environ.get(ENV_STATE_DIR)
    if env:
        return Path(env).expanduser().resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "tools").is_dir():
            return parent / ".lab"
    return Path.cwd() / ".lab"


def _resolve(state_dir: Path | None) -> Path:
    return (Path(state_dir) if state_dir is not None else default_state_dir()).resolve()


# -- processes ----------------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    """True when ``pid`` runs (zombies count as dead; our own children get reaped)."""
    if pid <= 0:
        return False
    with contextlib.suppress(ChildProcessError, OSError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


def _is_lab_process(pid: int) -> bool:
    """True when ``pid`` is alive and is one of the lab's processes (guards recycled pids)."""
    if not _pid_alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc: trust the recorded pid
    return _PROCESS_MARK.encode() in cmdline


def _recorded_pids(state_dir: Path) -> list[int]:
    pids: list[int] = []
    with contextlib.suppress(OSError, ValueError):
        pids.append(int((state_dir / PID_FILE).read_text().strip()))
    with contextlib.suppress(LabError):
        state = LabState.read(state_dir)
        if state is not None:
            pids.extend(state.pids())
    return list(dict.fromkeys(pids))


def _remove_runtime_files(state_dir: Path) -> None:
    for name in (STATE_FILE, KNOWN_HOSTS, CONTROL_SOCKET, PID_FILE):
        with contextlib.suppress(FileNotFoundError):
            (state_dir / name).unlink()
    run = state_dir / RUN_DIR
    if run.is_dir():
        for item in run.iterdir():
            with contextlib.suppress(OSError):
                item.unlink()


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def assign_ports(count: int, base_port: int) -> list[int]:
    """``count`` free loopback ports from ``base_port`` upwards, skipping busy ones."""
    ports: list[int] = []
    port = base_port
    while len(ports) < count:
        if port > 65535:
            raise LabConfigError(
                f"not enough free TCP ports from {base_port} up to 65535 for {count} devices; "
                "choose a lower base port"
            )
        if _port_free(port):
            ports.append(port)
        port += 1
    return ports


def _validate(specs: Sequence[LabDeviceSpec], options: LabOptions) -> dict[str, str]:
    if not specs:
        raise LabConfigError("no devices to start; give at least one device")
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise LabConfigError(f"device name {spec.name!r} appears twice; names must be unique")
        seen.add(spec.name)
    paths: dict[str, str] = {}
    for platform in sorted({s.platform for s in specs}):
        hook = FACTORIES.get(platform)
        if hook is None:
            raise LabConfigError(
                f"no lab simulator for platform {platform!r}; known: {', '.join(sorted(FACTORIES))}"
            )
        paths[platform] = factory_path(hook)
    if not 1 <= options.base_port <= 65535:
        raise LabConfigError(f"base port {options.base_port} is not a TCP port")
    if options.workers is not None and options.workers < 1:
        raise LabConfigError(f"workers must be at least 1, not {options.workers}")
    return paths


def _log_tail(state_dir: Path, lines: int = 15) -> str:
    try:
        text = (state_dir / LOG_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no lab.log)"
    return "\n".join(text.splitlines()[-lines:])


# -- public API ---------------------------------------------------------------------------


def up(
    specs: Sequence[LabDeviceSpec],
    state_dir: Path | None = None,
    options: LabOptions | None = None,
) -> LabState:
    """Start the lab in the background and return its state once every device listens.

    Raises :class:`LabAlreadyRunningError` when a lab runs in ``state_dir``,
    :class:`LabConfigError` for bad input, :class:`LabStartError` when the processes fail.
    A stale state (crashed lab) is cleaned up first.
    """
    state_dir = _resolve(state_dir)
    options = options or LabOptions()
    factories = _validate(specs, options)
    check_socket_path(state_dir / RUN_DIR / "worker-0000.sock")
    state_dir.mkdir(parents=True, exist_ok=True)
    running = [pid for pid in _recorded_pids(state_dir) if _is_lab_process(pid)]
    if running:
        raise LabAlreadyRunningError(
            f"a lab is already running in {state_dir} (pids {', '.join(map(str, running))}); "
            "use `rollout lab status`, or `rollout lab down` before starting a new one"
        )
    _remove_runtime_files(state_dir)

    ports = assign_ports(len(specs), options.base_port)
    workers = min(options.workers or os.cpu_count() or 1, len(specs))
    payload = {
        "devices": [{**s.to_json(), "port": p} for s, p in zip(specs, ports, strict=True)],
        "options": options.to_json(),
        "factories": factories,
        "workers": workers,
    }
    with (state_dir / LOG_FILE).open("ab") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", _PROCESS_MARK, "serve", "--state-dir", str(state_dir)],
            stdin=subprocess.PIPE,
            stdout=log_file,
            stderr=log_file,
            cwd=state_dir,
            start_new_session=True,
            close_fds=True,
        )
    (state_dir / PID_FILE).write_text(f"{proc.pid}\n")
    assert proc.stdin is not None
    try:
        proc.stdin.write(json.dumps(payload).encode())
        proc.stdin.close()
    except BrokenPipeError:
        pass
    log.info(
        "lab supervisor started (pid %d), %d devices, %d workers", proc.pid, len(specs), workers
    )

    deadline = time.monotonic() + options.ready_timeout
    while True:
        state = None
        with contextlib.suppress(LabError):
            state = LabState.read(state_dir)
        if state is not None and state.supervisor_pid == proc.pid:
            return state
        code = proc.poll()
        if code is not None:
            _remove_runtime_files(state_dir)
            raise LabStartError(
                f"the lab process exited with code {code} before all devices listened. "
                f"Last lines of {state_dir / LOG_FILE}:\n{_log_tail(state_dir)}"
            )
        if time.monotonic() > deadline:
            down(state_dir, timeout=options.stop_timeout)
            raise LabStartError(
                f"the devices did not all listen within {options.ready_timeout:g} s; the lab "
                f"was stopped. Last lines of {state_dir / LOG_FILE}:\n{_log_tail(state_dir)}"
            )
        time.sleep(0.05)


def status(state_dir: Path | None = None, *, check_ports: bool = True) -> LabStatus:
    """Read the lab's state and check that its processes and ports are alive."""
    state_dir = _resolve(state_dir)
    problems: list[str] = []
    try:
        state = LabState.read(state_dir)
    except LabError as exc:
        return LabStatus(state_dir, False, None, (), (str(exc),))
    if state is None:
        pids = [p for p in _recorded_pids(state_dir) if _is_lab_process(p)]
        if pids:
            problems.append(f"lab process {pids[0]} runs but has not written {STATE_FILE} yet")
        return LabStatus(state_dir, bool(pids), None, (), tuple(problems))

    running = _is_lab_process(state.supervisor_pid)
    if not running:
        problems.append(
            f"the lab supervisor (pid {state.supervisor_pid}) is not running; "
            "run `rollout lab down` to clean up"
        )
    alive = {pid: _is_lab_process(pid) for pid in state.pids()}
    for worker in state.workers:
        if not alive[worker.pid]:
            problems.append(f"worker {worker.index} (pid {worker.pid}) is not running")

    reported: dict[str, DeviceInfo] = {}
    if running:
        try:
            reported = {d.name: d for d in ControlClient(state_dir, timeout=10.0).devices()}
        except LabError as exc:
            problems.append(f"the control socket did not answer: {exc}")

    devices: list[DeviceLiveness] = []
    for dev in state.devices.values():
        port_open = _port_open(dev.host, dev.port) if check_ports and alive[dev.pid] else False
        info = reported.get(dev.name)
        dev_faults = info.faults if info is not None else None
        # Closed on purpose: an unreachable fault or a management cut.
        expected_closed = info is not None and not info.listening
        if check_ports and alive[dev.pid] and not port_open and not expected_closed:
            problems.append(f"device {dev.name}: port {dev.port} does not accept connections")
        devices.append(
            DeviceLiveness(
                name=dev.name,
                host=dev.host,
                port=dev.port,
                platform=dev.platform,
                pid=dev.pid,
                process_alive=alive[dev.pid],
                port_open=port_open,
                faults=dev_faults,
            )
        )
    return LabStatus(state_dir, running, state, tuple(devices), tuple(problems))


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def down(state_dir: Path | None = None, *, timeout: float = 10.0) -> DownResult:
    """Stop the lab (SIGTERM, then SIGKILL after ``timeout``) and remove its runtime files.

    Works after a crash (stale pids are skipped) and when nothing runs (no-op). Host keys
    and ``lab.log`` are kept.
    """
    state_dir = _resolve(state_dir)
    pids = [pid for pid in _recorded_pids(state_dir) if _is_lab_process(pid)]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    remaining = list(pids)
    while remaining and time.monotonic() < deadline:
        time.sleep(0.02)
        remaining = [pid for pid in remaining if _pid_alive(pid)]
    for pid in remaining:
        log.warning("lab process %d did not stop after SIGTERM; killing it", pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    kill_deadline = time.monotonic() + 5.0
    while any(_pid_alive(p) for p in remaining) and time.monotonic() < kill_deadline:
        time.sleep(0.02)
    if state_dir.is_dir():
        _remove_runtime_files(state_dir)
    return DownResult(
        state_dir=state_dir,
        terminated=tuple(p for p in pids if p not in remaining),
        killed=tuple(remaining),
        was_running=bool(pids),
    )


def set_fault(device: str, fault: Fault, state_dir: Path | None = None) -> None:
    """Give a device of the running lab a fault (shortcut for :class:`ControlClient`)."""
    ControlClient(_resolve(state_dir)).set_fault(device, fault)


def clear_fault(device: str, kind: str | None = None, state_dir: Path | None = None) -> None:
    """Remove one fault kind (or all faults) from a device of the running lab."""
    ControlClient(_resolve(state_dir)).clear_fault(device, kind)


# -- lab processes ------------------------------------------------------------------------


def _setup_logging(level: str, role: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format=f"%(asctime)s {role}[%(process)d] %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("asyncssh").setLevel(logging.WARNING)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


class _Worker:
    """Supervisor-side handle of one worker process."""

    def __init__(self, index: int, proc: asyncio.subprocess.Process, sock: Path) -> None:
        self.index = index
        self.proc = proc
        self.socket = sock
        self.devices: dict[str, dict[str, Any]] = {}


async def _start_worker(state_dir: Path, index: int, payload: dict[str, Any]) -> _Worker:
    sock = state_dir / RUN_DIR / f"worker-{index}.sock"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        _PROCESS_MARK,
        "worker",
        "--state-dir",
        str(state_dir),
        "--socket",
        str(sock),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=64 * 1024 * 1024,
    )
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(payload).encode() + b"\n")
    await proc.stdin.drain()
    return _Worker(index, proc, sock)


async def _await_ready(worker: _Worker) -> None:
    assert worker.proc.stdout is not None
    line = await worker.proc.stdout.readline()
    if not line:
        code = await worker.proc.wait()
        raise LabStartError(f"worker {worker.index} exited with code {code} while starting")
    try:
        report = json.loads(line)
    except ValueError as exc:
        raise LabStartError(f"worker {worker.index} sent a bad ready report: {exc}") from exc
    if not report.get("ready"):
        raise LabStartError(f"worker {worker.index}: {report.get('error')}")
    worker.devices = report["devices"]


async def _supervise(state_dir: Path, payload: dict[str, Any]) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)

    devices = payload["devices"]
    count = int(payload["workers"])
    chunk = -(-len(devices) // count)
    groups = [devices[i : i + chunk] for i in range(0, len(devices), chunk)]
    workers: list[_Worker] = []
    control: asyncio.Server | None = None
    try:
        for index, group in enumerate(groups):
            worker_payload = {**payload, "devices": group}
            workers.append(await _start_worker(state_dir, index, worker_payload))
        ready = asyncio.gather(*(_await_ready(w) for w in workers))
        stopped = asyncio.ensure_future(stop.wait())
        waiting: set[asyncio.Future[Any]] = {ready, stopped}
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set():
            ready.cancel()
            log.info("stopped while starting")
            return 1
        stopped.cancel()
        ready.result()

        where = {name: w for w in workers for name in w.devices}
        specs = {d["name"]: d for d in devices}
        control = await serve_control(state_dir / CONTROL_SOCKET, _router(workers, where, stop.set))
        state = LabState(
            state_dir=state_dir,
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
            supervisor_pid=os.getpid(),
            control_socket=state_dir / CONTROL_SOCKET,
            known_hosts=state_dir / KNOWN_HOSTS,
            log=state_dir / LOG_FILE,
            workers=tuple(
                WorkerState(w.index, w.proc.pid, str(w.socket), tuple(w.devices)) for w in workers
            ),
            devices={
                d["name"]: DeviceState(
                    name=d["name"],
                    host=LOOPBACK,
                    port=where[d["name"]].devices[d["name"]]["port"],
                    platform=d["platform"],
                    model=specs[d["name"]].get("model", ""),
                    username=d["username"],
                    pid=where[d["name"]].proc.pid,
                    worker=where[d["name"]].index,
                    host_key_fingerprint=where[d["name"]].devices[d["name"]][
                        "host_key_fingerprint"
                    ],
                    host_key=where[d["name"]].devices[d["name"]]["host_key"],
                )
                for d in devices
            },
        )
        _write_atomic(
            state_dir / KNOWN_HOSTS,
            "".join(d.known_hosts_line() + "\n" for d in state.devices.values()),
        )
        _write_atomic(state_dir / STATE_FILE, json.dumps(state.to_json(), indent=2) + "\n")
        log.info("lab ready: %d devices in %d workers", len(devices), len(workers))

        watchers = [asyncio.ensure_future(_watch_worker(w, stop)) for w in workers]
        await stop.wait()
        for watcher in watchers:
            watcher.cancel()
        log.info("shutting down")
        return 0
    except LabError as exc:
        log.error("%s", exc)
        return 1
    finally:
        if control is not None:
            control.close()
        await _stop_workers(workers, float(payload["options"].get("stop_timeout", 10.0)))
        if (state_dir / PID_FILE).exists() and _read_pid(state_dir) == os.getpid():
            _remove_runtime_files(state_dir)


async def _watch_worker(worker: _Worker, stop: asyncio.Event) -> None:
    code = await worker.proc.wait()
    if not stop.is_set():
        log.error(
            "worker %d (pid %d) exited with code %s; its devices are gone",
            worker.index,
            worker.proc.pid,
            code,
        )


def _read_pid(state_dir: Path) -> int | None:
    try:
        return int((state_dir / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


async def _stop_workers(workers: Sequence[_Worker], timeout: float) -> None:
    for w in workers:
        if w.proc.returncode is None:
            if w.proc.stdin is not None:
                w.proc.stdin.close()
            with contextlib.suppress(ProcessLookupError):
                w.proc.terminate()
    waits = [w.proc.wait() for w in workers]
    try:
        async with asyncio.timeout(timeout):
            await asyncio.gather(*waits)
    except TimeoutError:
        for w in workers:
            if w.proc.returncode is None:
                log.warning("worker %d did not stop; killing it", w.index)
                with contextlib.suppress(ProcessLookupError):
                    w.proc.kill()
        await asyncio.gather(*(w.proc.wait() for w in workers))


def _router(
    workers: Sequence[_Worker], where: Mapping[str, _Worker], on_shutdown: Callable[[], None]
) -> Callable[[dict[str, Any]], Any]:
    order = [name for w in workers for name in w.devices]

    async def handle(request: dict[str, Any]) -> Any:
        op = request.get("op")
        if op == "ping":
            return {
                "pid": os.getpid(),
                "workers": [w.proc.pid for w in workers],
                "devices": len(where),
            }
        if op == "list":
            results = await asyncio.gather(
                *(request_async(w.socket, {"op": "list"}) for w in workers),
                return_exceptions=True,
            )
            by_name: dict[str, dict[str, Any]] = {}
            for w, result in zip(workers, results, strict=True):
                if isinstance(result, BaseException):
                    raise ControlError(f"worker {w.index} (pid {w.proc.pid}): {result}")
                for dev in result["devices"]:
                    by_name[dev["name"]] = {**dev, "worker": w.index, "pid": w.proc.pid}
            return {"devices": [by_name[n] for n in order if n in by_name]}
        if op in ("set_fault", "clear_fault", "impair"):
            name = request.get("device")
            if op == "set_fault":
                parse_fault(request.get("fault") or {})  # fail fast with a clear message
            worker = where.get(name) if isinstance(name, str) else None
            if worker is None:
                raise UnknownDeviceError(str(name), where)
            return await request_async(worker.socket, request)
        if op == "shutdown":
            asyncio.get_running_loop().call_soon(on_shutdown)
            return {}
        raise ControlError(
            f"unknown op {op!r}; use ping, list, set_fault, clear_fault, impair or shutdown"
        )

    return handle


async def _serve_worker(state_dir: Path, sock: Path) -> int:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=64 * 1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    # The ready report goes to the real stdout; anything else printed goes to the log.
    report = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)

    payload = json.loads(await reader.readline())
    options = LabOptions.from_json(payload["options"])
    _setup_logging(options.log_level, "lab-worker")
    lab = LabServer(state_dir)
    control: asyncio.Server | None = None
    try:
        try:
            hooks = {p: FactoryRef(path).resolve() for p, path in payload["factories"].items()}
            ports: dict[str, dict[str, Any]] = {}
            simulated: dict[str, object] = {}
            for data in payload["devices"]:
                spec = LabDeviceSpec.from_json(data)
                factory = hooks[spec.platform](spec, options)
                simulated[spec.name] = factory
                info = await lab.add_device(
                    spec.name, factory, port=int(data["port"]), platform=spec.platform
                )
                ports[spec.name] = device_to_json(info)
            control = await serve_control(sock, lab_handler(lab, stop.set, simulated))
        except Exception as exc:
            log.exception("worker failed to start")
            report.write(json.dumps({"ready": False, "error": str(exc)}) + "\n")
            report.flush()
            return 1
        report.write(json.dumps({"ready": True, "pid": os.getpid(), "devices": ports}) + "\n")
        report.flush()

        async def lifeline() -> None:
            await reader.read()  # EOF: the supervisor is gone
            stop.set()

        watcher = asyncio.ensure_future(lifeline())
        await stop.wait()
        watcher.cancel()
        return 0
    finally:
        if control is not None:
            control.close()
        await lab.close()
        with contextlib.suppress(FileNotFoundError):
            sock.unlink()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the lab processes (``python -m rollout.lab.manager``)."""
    parser = argparse.ArgumentParser(prog="python -m rollout.lab.manager")
    sub = parser.add_subparsers(dest="role", required=True)
    serve = sub.add_parser("serve", help="supervisor: reads the lab payload on stdin")
    serve.add_argument("--state-dir", type=Path, required=True)
    worker = sub.add_parser("worker", help="one worker process (started by serve)")
    worker.add_argument("--state-dir", type=Path, required=True)
    worker.add_argument("--socket", type=Path, required=True)
    args = parser.parse_args(argv)
    state_dir: Path = args.state_dir.resolve()
    if args.role == "worker":
        return asyncio.run(_serve_worker(state_dir, args.socket))
    payload = json.loads(sys.stdin.read())
    sys.stdin.close()
    with contextlib.suppress(OSError):
        os.close(0)
        os.open(os.devnull, os.O_RDONLY)
    options = LabOptions.from_json(payload["options"])
    _setup_logging(options.log_level, "lab")
    return asyncio.run(_supervise(state_dir, payload))


if __name__ == "__main__":
    sys.exit(main())
