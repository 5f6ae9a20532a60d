"""What the lab is asked to start: its devices (``LabDeviceSpec``), its options
(``LabOptions``) and the errors of a lab that cannot start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from rollout.lab.server import LabError


class LabConfigError(LabError):
    """The device list or the options cannot be used to start a lab."""


class LabAlreadyRunningError(LabError):
    """A lab is already running with this state directory."""


class LabStartError(LabError):
    """The lab processes did not come up."""


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
    cabled: tuple[str, ...] = ()
    """Ports with a cable in the lab (the site's WAN, LAN, uplink, codec and room client
    ports): they come up whatever the config says; empty: the device decides."""
    registrars: tuple[str, ...] = ()
    """Codec: the addresses where the lab's registrar and gatekeeper answer; a codec pointed
    at another address stays unregistered, as a real one would. Empty: any address."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["config"] = self.config if isinstance(self.config, str) else dict(self.config)
        data["authorized_keys"] = list(self.authorized_keys)
        data["cabled"] = list(self.cabled)
        data["registrars"] = list(self.registrars)
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
            cabled=tuple(data.get("cabled", ())),
            registrars=tuple(data.get("registrars", ())),
        )


@dataclass(frozen=True, slots=True)
class LabOptions:
    """How to run the lab. Factories receive these too."""

    base_port: int | None = None
    """None: every device listens on a port the kernel picks (bind to port 0), so that labs
    started at the same time never race for a port; the ports are published in state.json and
    endpoints.json. A number: the first TCP port tried, devices get the next free ports in list
    order (a hint: another program may still take a port between the check and the bind)."""
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
