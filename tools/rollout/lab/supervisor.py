"""The lab's supervisor process: starts the workers, writes ``state.json``, ``known_hosts`` and
``endpoints.json`` once every device listens, serves the control socket and routes requests to
the worker hosting the device."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rollout.lab.control import (
    CONDITION_OPS,
    CONTROL_SOCKET,
    OPS,
    ControlError,
    request_async,
    serve_control,
)
from rollout.lab.faults import parse_fault
from rollout.lab.procs import PROCESS_MARK, read_pid, remove_runtime_files, write_atomic
from rollout.lab.server import LOOPBACK, LabError, UnknownDeviceError
from rollout.lab.specs import LabStartError
from rollout.lab.state import (
    KNOWN_HOSTS,
    LOG_FILE,
    PID_FILE,
    RUN_DIR,
    STATE_FILE,
    DeviceState,
    LabState,
    WorkerState,
    publish_endpoints,
)

log = logging.getLogger("rollout.lab.manager")


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
        PROCESS_MARK,
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


async def supervise(state_dir: Path, payload: dict[str, Any]) -> int:
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
        write_atomic(
            state_dir / KNOWN_HOSTS,
            "".join(d.known_hosts_line() + "\n" for d in state.devices.values()),
        )
        # endpoints before state.json: `up` returns once state.json is there
        publish_endpoints(state, float(payload["options"]["settings"].get("minute_seconds", 60.0)))
        write_atomic(state_dir / STATE_FILE, json.dumps(state.to_json(), indent=2) + "\n")
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
        if (state_dir / PID_FILE).exists() and read_pid(state_dir) == os.getpid():
            remove_runtime_files(state_dir)


async def _watch_worker(worker: _Worker, stop: asyncio.Event) -> None:
    code = await worker.proc.wait()
    if not stop.is_set():
        log.error(
            "worker %d (pid %d) exited with code %s; its devices are gone",
            worker.index,
            worker.proc.pid,
            code,
        )


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
        if op in ("set_fault", "clear_fault", "impair", *CONDITION_OPS):
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
        raise ControlError(f"unknown op {op!r}; use {', '.join(OPS)}")

    return handle
