"""The control channel of a running lab: JSON lines over a Unix socket.

One request per line, one response per line. Requests::

    {"op": "ping"}
    {"op": "list"}
    {"op": "set_fault", "device": "bt-rtr01", "fault": {"kind": "slow", "seconds": 2}}
    {"op": "clear_fault", "device": "bt-rtr01"}                 # all faults
    {"op": "clear_fault", "device": "bt-rtr01", "kind": "slow"}  # one kind
    {"op": "impair", "device": "bt-rtr01", "impairment": {"loss_percent": 5, "jitter_ms": 60}}
    {"op": "impair", "device": "bt-rtr01", "impairment": null}  # a clean path again
    {"op": "condition", "device": "bt-sw01",
     "condition": {"kind": "port_errors", "interface": "GigabitEthernet1/0/1"}}
    {"op": "clear_condition", "device": "bt-sw01"}                  # all conditions
    {"op": "clear_condition", "device": "bt-sw01", "kind": "load"}  # one kind
    {"op": "conditions", "device": "bt-sw01"}
    {"op": "shutdown"}

Responses: ``{"ok": true, "result": ...}`` or
``{"ok": false, "error": "<message>", "error_type": "<exception class>"}``. A device in a
result is the JSON form of :class:`rollout.lab.server.DeviceInfo` (see
:func:`device_to_json`).

:class:`ControlClient` is the typed, synchronous client; :func:`serve_control` serves a
handler (one lab server process, or the manager's router in front of several).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from rollout.lab.condition_apply import apply_condition, clear_condition, list_conditions
from rollout.lab.conditions import Condition, condition_to_json, parse_condition
from rollout.lab.faults import Fault, FaultSpecError, fault_to_json, parse_fault
from rollout.lab.impair import (
    Impairment,
    apply_impairment,
    impairment_to_json,
    parse_impairment,
)
from rollout.lab.server import DeviceInfo, HostKey, LabError, LabServer

log = logging.getLogger(__name__)

CONTROL_SOCKET = "control.sock"
"""File name of the control socket in the lab state directory."""

MAX_LINE = 16 * 1024 * 1024
_SUN_PATH_MAX = 107

Handler = Callable[[dict[str, Any]], Awaitable[Any]]
"""Serves one request (already parsed) and returns the JSON-able result."""


class ControlError(LabError):
    """The lab answered a control request with an error."""

    def __init__(self, message: str, error_type: str = "") -> None:
        super().__init__(message)
        self.error_type = error_type


class LabNotRunningError(LabError):
    """No lab process answers on the control socket."""


class BadRequestError(LabError):
    """A control request is malformed."""


def socket_path(state_dir: Path) -> Path:
    """The control socket of the lab whose state lives in ``state_dir``."""
    return Path(state_dir) / CONTROL_SOCKET


def check_socket_path(path: Path) -> None:
    """Raise :class:`LabError` when ``path`` is too long for a Unix socket."""
    if len(os.fsencode(path)) > _SUN_PATH_MAX:
        raise LabError(
            f"the lab state directory path is too long for a Unix socket ({path}); "
            "use a shorter directory (ROLLOUT_LAB_DIR or --state-dir)"
        )


# -- JSON forms ---------------------------------------------------------------------------


def device_to_json(info: DeviceInfo) -> dict[str, Any]:
    """The JSON form of a device snapshot."""
    return {
        "name": info.name,
        "host": info.host,
        "port": info.port,
        "platform": info.platform,
        "host_key": info.host_key.public_key,
        "host_key_fingerprint": info.host_key.fingerprint,
        "faults": [fault_to_json(f) for f in info.faults],
        "listening": info.listening,
        "sessions": info.sessions,
    }


def device_from_json(data: Mapping[str, Any]) -> DeviceInfo:
    """Inverse of :func:`device_to_json` (extra keys are ignored)."""
    return DeviceInfo(
        name=str(data["name"]),
        host=str(data["host"]),
        port=int(data["port"]),
        platform=str(data.get("platform", "")),
        host_key=HostKey(
            public_key=str(data["host_key"]), fingerprint=str(data["host_key_fingerprint"])
        ),
        faults=tuple(parse_fault(f) for f in data.get("faults", ())),
        listening=bool(data.get("listening", False)),
        sessions=int(data.get("sessions", 0)),
    )


def _require_str(request: Mapping[str, Any], key: str) -> str:
    value = request.get(key)
    if not isinstance(value, str) or not value:
        raise BadRequestError(f"request {request.get('op')!r} needs a string {key!r}")
    return value


# -- server side --------------------------------------------------------------------------


def lab_handler(
    lab: LabServer,
    on_shutdown: Callable[[], None],
    simulated: Mapping[str, object] | None = None,
) -> Handler:
    """A handler serving one :class:`LabServer`; ``on_shutdown`` is called on ``shutdown``.

    ``simulated`` maps device names to the simulated devices the server hosts (what
    ``impair`` changes); without it ``impair`` is refused.
    """
    devices = dict(simulated or {})

    async def handle(request: dict[str, Any]) -> Any:
        op = request.get("op")
        if op == "ping":
            return {"pid": os.getpid(), "devices": len(lab.devices())}
        if op == "list":
            return {"devices": [device_to_json(d) for d in lab.devices()]}
        if op == "set_fault":
            fault = parse_fault(request.get("fault") or {})
            info = await lab.set_fault(_require_str(request, "device"), fault)
            return device_to_json(info)
        if op == "clear_fault":
            kind = request.get("kind")
            if kind is not None and not isinstance(kind, str):
                raise BadRequestError("clear_fault: 'kind' must be a string or absent")
            info = await lab.clear_fault(_require_str(request, "device"), kind)
            return device_to_json(info)
        if op == "impair":
            name = _require_str(request, "device")
            impairment = parse_impairment(request.get("impairment"))
            if name not in devices:
                lab.device(name)  # UnknownDeviceError names the known devices
                raise BadRequestError(f"device {name!r} cannot be impaired in this lab process")
            done = apply_impairment(devices[name], impairment)
            log.info("device %s: %s", name, done)
            return {"device": name, "applied": done}
        if op in CONDITION_OPS:
            name = _require_str(request, "device")
            if name not in devices:
                lab.device(name)
                raise BadRequestError(f"device {name!r} takes no condition in this lab process")
            return _condition_op(op, name, devices[name], request)
        if op == "shutdown":
            asyncio.get_running_loop().call_soon(on_shutdown)
            return {}
        raise BadRequestError(f"unknown op {op!r}; use {', '.join(OPS)}")

    return handle


OPS = (
    "ping",
    "list",
    "set_fault",
    "clear_fault",
    "impair",
    "condition",
    "clear_condition",
    "conditions",
    "shutdown",
)
CONDITION_OPS = ("condition", "clear_condition", "conditions")
"""Requests about a device's lab conditions (rollout.lab.conditions)."""


def _condition_op(op: str, name: str, device: object, request: Mapping[str, Any]) -> Any:
    if op == "condition":
        done = apply_condition(device, parse_condition(request.get("condition") or {}))
    elif op == "clear_condition":
        kind = request.get("kind")
        if kind is not None and not isinstance(kind, str):
            raise BadRequestError("clear_condition: 'kind' must be a string or absent")
        done = clear_condition(device, kind)
    else:
        return {"device": name, "conditions": list_conditions(device)}
    log.info("device %s: %s", name, done)
    return {"device": name, "applied": done, "conditions": list_conditions(device)}


async def _serve_connection(
    handler: Handler, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while line := await reader.readline():
            response: dict[str, Any]
            try:
                request = json.loads(line)
                if not isinstance(request, dict):
                    raise BadRequestError("a request must be a JSON object")
                response = {"ok": True, "result": await handler(request)}
            except json.JSONDecodeError as exc:
                response = {"ok": False, "error": f"bad JSON: {exc}", "error_type": "BadRequest"}
            except (LabError, FaultSpecError) as exc:
                response = {"ok": False, "error": str(exc), "error_type": type(exc).__name__}
            except Exception as exc:
                log.exception("control request failed: %r", line)
                response = {
                    "ok": False,
                    "error": f"internal error: {exc!r} (see the lab log)",
                    "error_type": type(exc).__name__,
                }
            writer.write(json.dumps(response).encode() + b"\n")
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, ValueError):
        pass
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def serve_control(path: Path, handler: Handler) -> asyncio.Server:
    """Serve ``handler`` on the Unix socket ``path`` (replacing a stale socket file)."""
    check_socket_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    server = await asyncio.start_unix_server(
        lambda r, w: _serve_connection(handler, r, w), path=str(path), limit=MAX_LINE
    )
    path.chmod(0o600)
    return server


async def request_async(path: Path, request: Mapping[str, Any], timeout: float = 30.0) -> Any:
    """Send one request from inside an event loop; returns the result or raises."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_unix_connection(str(path), limit=MAX_LINE)
            try:
                writer.write(json.dumps(request).encode() + b"\n")
                await writer.drain()
                line = await reader.readline()
            finally:
                writer.close()
                with contextlib.suppress(ConnectionError):
                    await writer.wait_closed()
    except (FileNotFoundError, ConnectionRefusedError) as exc:
        raise LabNotRunningError(f"nothing answers on {path}: {exc}") from exc
    except TimeoutError as exc:
        raise ControlError(f"no answer from {path} within {timeout:g} s") from exc
    except OSError as exc:
        raise ControlError(f"the control connection to {path} failed: {exc}") from exc
    return _unwrap(path, line)


def _unwrap(path: Path, line: bytes) -> Any:
    if not line:
        raise ControlError(f"the lab at {path} closed the control connection without answering")
    response = json.loads(line)
    if not response.get("ok"):
        raise ControlError(str(response.get("error")), str(response.get("error_type", "")))
    return response.get("result")


# -- client side --------------------------------------------------------------------------


class ControlClient:
    """Synchronous client of a running lab's control socket.

    ``ControlClient(state_dir)`` talks to the lab whose state lives in ``state_dir``.
    Errors: :class:`LabNotRunningError` (nothing listens), :class:`ControlError` (the lab
    refused the request; ``error_type`` names the lab-side exception).
    """

    def __init__(self, state_dir: Path, *, timeout: float = 30.0) -> None:
        self.path = socket_path(state_dir)
        self.timeout = timeout

    def request(self, request: Mapping[str, Any]) -> Any:
        """Send one raw request and return its ``result``."""
        check_socket_path(self.path)
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(self.timeout)
                sock.connect(str(self.path))
                sock.sendall(json.dumps(request).encode() + b"\n")
                with sock.makefile("rb") as stream:
                    line = stream.readline(MAX_LINE)
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise LabNotRunningError(
                f"no lab is running with state in {self.path.parent} ({exc.strerror}); "
                "start one with `rollout lab up`"
            ) from exc
        except TimeoutError as exc:
            raise ControlError(
                f"the lab did not answer within {self.timeout:g} s on {self.path}; "
                "check lab.log in the state directory"
            ) from exc
        except OSError as exc:
            raise ControlError(
                f"the control connection to {self.path} failed: {exc}; "
                "check `rollout lab status` and lab.log in the state directory"
            ) from exc
        return _unwrap(self.path, line)

    def ping(self) -> dict[str, Any]:
        """Process facts of the lab (pid, device count); raises when it does not answer."""
        result = self.request({"op": "ping"})
        return dict(result)

    def devices(self) -> list[DeviceInfo]:
        """Every device with its port, host key, faults and liveness."""
        result = self.request({"op": "list"})
        return [device_from_json(d) for d in result["devices"]]

    def set_fault(self, device: str, fault: Fault) -> DeviceInfo:
        """Give ``device`` a fault (replaces one of the same kind)."""
        result = self.request({"op": "set_fault", "device": device, "fault": fault_to_json(fault)})
        return device_from_json(result)

    def clear_fault(self, device: str, kind: str | None = None) -> DeviceInfo:
        """Remove the fault ``kind`` from ``device``, or all its faults."""
        request: dict[str, Any] = {"op": "clear_fault", "device": device}
        if kind is not None:
            request["kind"] = kind
        return device_from_json(self.request(request))

    def impair(self, device: str, impairment: Impairment | None) -> str:
        """Make ``device`` report an impaired path (None: a clean one); returns what changed."""
        result = self.request(
            {"op": "impair", "device": device, "impairment": impairment_to_json(impairment)}
        )
        return str(result["applied"])

    def set_condition(self, device: str, cond: Condition) -> str:
        """Put a network condition on ``device`` (replaces one with the same key)."""
        result = self.request(
            {"op": "condition", "device": device, "condition": condition_to_json(cond)}
        )
        return str(result["applied"])

    def clear_condition(self, device: str, kind: str | None = None) -> str:
        """Take the conditions of ``kind`` (all when None) off ``device``."""
        request: dict[str, Any] = {"op": "clear_condition", "device": device}
        if kind is not None:
            request["kind"] = kind
        return str(self.request(request)["applied"])

    def conditions(self, device: str) -> list[dict[str, Any]]:
        """The conditions ``device`` holds, in their JSON form."""
        return list(self.request({"op": "conditions", "device": device})["conditions"])

    def shutdown(self) -> None:
        """Ask the lab to stop (returns before the processes have exited)."""
        self.request({"op": "shutdown"})
