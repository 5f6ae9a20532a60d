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

    endpoints.json    where rollout reaches each device (rollout.endpoints)

Device state lives in the memory of the lab processes: every ``up`` starts at day 0.
Device simulators are plugged in through :data:`FACTORIES` (``rollout.lab.registry``). The
state is ``rollout.lab.state``, the processes ``rollout.lab.supervisor`` and
``rollout.lab.worker``; this module is the API and the processes' entry point.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rollout.lab.control import ControlClient, check_socket_path
from rollout.lab.faults import Fault
from rollout.lab.procs import (
    PROCESS_MARK,
    assign_ports,
    is_lab_process,
    pid_alive,
    recorded_pids,
    remove_runtime_files,
    setup_logging,
)
from rollout.lab.registry import FACTORIES, FactoryHook, FactoryRef, factory_path, register_platform
from rollout.lab.server import DeviceInfo, LabError
from rollout.lab.specs import (
    LabAlreadyRunningError,
    LabConfigError,
    LabDeviceSpec,
    LabOptions,
    LabStartError,
)
from rollout.lab.state import (
    LOG_FILE,
    PID_FILE,
    RUN_DIR,
    STATE_FILE,
    DeviceLiveness,
    DeviceState,
    DownResult,
    LabState,
    LabStatus,
    default_state_dir,
    resolve_dir,
)
from rollout.lab.supervisor import supervise
from rollout.lab.worker import serve_worker

__all__ = [
    "FACTORIES",
    "DeviceLiveness",
    "DeviceState",
    "DownResult",
    "FactoryHook",
    "FactoryRef",
    "LabAlreadyRunningError",
    "LabConfigError",
    "LabDeviceSpec",
    "LabOptions",
    "LabStartError",
    "LabState",
    "LabStatus",
    "assign_ports",
    "clear_fault",
    "default_state_dir",
    "down",
    "factory_path",
    "main",
    "register_platform",
    "set_fault",
    "status",
    "up",
]

log = logging.getLogger("rollout.lab.manager")


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
    if options.base_port is not None and not 1 <= options.base_port <= 65535:
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
    state_dir = resolve_dir(state_dir)
    options = options or LabOptions()
    factories = _validate(specs, options)
    check_socket_path(state_dir / RUN_DIR / "worker-0000.sock")
    state_dir.mkdir(parents=True, exist_ok=True)
    running = [pid for pid in recorded_pids(state_dir) if is_lab_process(pid)]
    if running:
        raise LabAlreadyRunningError(
            f"a lab is already running in {state_dir} (pids {', '.join(map(str, running))}); "
            "use `rollout lab status`, or `rollout lab down` before starting a new one"
        )
    remove_runtime_files(state_dir)

    # No base port: port 0 for each device, the kernel picks a free one when the worker binds;
    # the worker reports the real port and the supervisor publishes it (state, endpoints).
    base = options.base_port
    ports = assign_ports(len(specs), base) if base is not None else [0] * len(specs)
    workers = min(options.workers or os.cpu_count() or 1, len(specs))
    payload = {
        "devices": [{**s.to_json(), "port": p} for s, p in zip(specs, ports, strict=True)],
        "options": options.to_json(),
        "factories": factories,
        "workers": workers,
    }
    with (state_dir / LOG_FILE).open("ab") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", PROCESS_MARK, "serve", "--state-dir", str(state_dir)],
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
            remove_runtime_files(state_dir)
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
    state_dir = resolve_dir(state_dir)
    problems: list[str] = []
    try:
        state = LabState.read(state_dir)
    except LabError as exc:
        return LabStatus(state_dir, False, None, (), (str(exc),))
    if state is None:
        pids = [p for p in recorded_pids(state_dir) if is_lab_process(p)]
        if pids:
            problems.append(f"lab process {pids[0]} runs but has not written {STATE_FILE} yet")
        return LabStatus(state_dir, bool(pids), None, (), tuple(problems))

    running = is_lab_process(state.supervisor_pid)
    if not running:
        problems.append(
            f"the lab supervisor (pid {state.supervisor_pid}) is not running; "
            "run `rollout lab down` to clean up"
        )
    alive = {pid: is_lab_process(pid) for pid in state.pids()}
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
    state_dir = resolve_dir(state_dir)
    pids = [pid for pid in recorded_pids(state_dir) if is_lab_process(pid)]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    remaining = list(pids)
    while remaining and time.monotonic() < deadline:
        time.sleep(0.02)
        remaining = [pid for pid in remaining if pid_alive(pid)]
    for pid in remaining:
        log.warning("lab process %d did not stop after SIGTERM; killing it", pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    kill_deadline = time.monotonic() + 5.0
    while any(pid_alive(p) for p in remaining) and time.monotonic() < kill_deadline:
        time.sleep(0.02)
    if state_dir.is_dir():
        remove_runtime_files(state_dir)
    return DownResult(
        state_dir=state_dir,
        terminated=tuple(p for p in pids if p not in remaining),
        killed=tuple(remaining),
        was_running=bool(pids),
    )


def set_fault(device: str, fault: Fault, state_dir: Path | None = None) -> None:
    """Give a device of the running lab a fault (shortcut for :class:`ControlClient`)."""
    ControlClient(resolve_dir(state_dir)).set_fault(device, fault)


def clear_fault(device: str, kind: str | None = None, state_dir: Path | None = None) -> None:
    """Remove one fault kind (or all faults) from a device of the running lab."""
    ControlClient(resolve_dir(state_dir)).clear_fault(device, kind)


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
        return asyncio.run(serve_worker(state_dir, args.socket))
    payload = json.loads(sys.stdin.read())
    sys.stdin.close()
    with contextlib.suppress(OSError):
        os.close(0)
        os.open(os.devnull, os.O_RDONLY)
    options = LabOptions.from_json(payload["options"])
    setup_logging(options.log_level, "lab")
    return asyncio.run(supervise(state_dir, payload))


if __name__ == "__main__":
    sys.exit(main())
