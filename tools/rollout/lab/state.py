"""The lab's state folder: ``state.json`` (what runs where), what ``status`` and ``down``
report, and the endpoints the lab publishes for rollout (``endpoints.json``)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rollout.endpoints import Endpoint, Where, write_endpoints
from rollout.inventory.model import Platform
from rollout.lab.faults import Fault
from rollout.lab.server import LabError

STATE_FILE = "state.json"
KNOWN_HOSTS = "known_hosts"
PID_FILE = "lab.pid"
LOG_FILE = "lab.log"
RUN_DIR = "run"
STATE_VERSION = 1
ENV_STATE_DIR = "ROLLOUT_LAB_DIR"


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


def resolve_dir(state_dir: Path | None) -> Path:
    return (Path(state_dir) if state_dir is not None else default_state_dir()).resolve()


def publish_endpoints(state: LabState, minute_seconds: float) -> Path:
    """Write where each device of the lab answers (rollout.endpoints), for rollout to read.

    Devices of platforms rollout does not manage (test simulators) are left out.
    """
    platforms = {p.value for p in Platform}
    return write_endpoints(
        state.state_dir,
        [
            Endpoint(
                d.name,
                Platform(d.platform),
                d.host,
                d.port,
                state.known_hosts,
                Where.LAB,
                minute_seconds=minute_seconds,
            )
            for d in state.devices.values()
            if d.platform in platforms
        ],
    )
