"""One worker process of the lab: runs a LabServer with its share of the devices and reports
them ready on stdout; stops when the supervisor goes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

from rollout.lab.control import device_to_json, lab_handler, serve_control
from rollout.lab.procs import setup_logging
from rollout.lab.registry import FactoryRef
from rollout.lab.server import LabServer
from rollout.lab.specs import LabDeviceSpec, LabOptions

log = logging.getLogger("rollout.lab.manager")


async def serve_worker(state_dir: Path, sock: Path) -> int:
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
    setup_logging(options.log_level, "lab-worker")
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
