"""Lab factory hooks: turn a LabDeviceSpec into a simulated device the SSH server can host."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rollout.lab.ios.device import IosDevice
from rollout.lab.ios.session import IosSession
from rollout.lab.manager import LabDeviceSpec, LabOptions
from rollout.lab.polycom import DeviceEvent, PolycomDevice, PolycomSession


class PolycomLabDevice:
    """A PolycomDevice as the SSH server sees it (sessions, passwords, events by name)."""

    def __init__(self, device: PolycomDevice) -> None:
        self.device = device

    def new_session(self) -> PolycomSession:
        return self.device.new_session()

    def check_password(self, username: str, password: str) -> bool:
        return self.device.check_password(username, password)

    def add_listener(self, callback: Callable[..., Any]) -> None:
        def forward(event: DeviceEvent) -> None:
            callback(event.kind, event)

        self.device.add_listener(forward)


def polycom_factory(spec: LabDeviceSpec, options: LabOptions) -> PolycomLabDevice:
    settings = dict(spec.config) if not isinstance(spec.config, str) else {}
    name = settings.pop("systemname", spec.name)
    device = PolycomDevice(name, password=spec.password, settings=settings or None)
    if spec.registrars:
        device.set_registrars(spec.registrars)
    return PolycomLabDevice(device)


class IosLabDevice:
    """An IosDevice as the SSH server sees it; sessions start as the logged-in user."""

    def __init__(self, device: IosDevice) -> None:
        self.device = device

    def new_session(self, username: str = "") -> IosSession:
        return self.device.session(username=username)

    def check_password(self, username: str, password: str) -> bool:
        return self.device.check_password(username, password)

    def add_listener(self, callback: Callable[..., Any]) -> None:
        self.device.add_listener(callback)


def ios_factory(spec: LabDeviceSpec, options: LabOptions) -> IosLabDevice:
    text = spec.config if isinstance(spec.config, str) else ""
    minute = float(options.settings.get("minute_seconds", 60.0))
    device = IosDevice.from_config(
        text, model=spec.model or "ISR4321", lab_password=spec.password, minute_seconds=minute
    )
    if spec.cabled:
        device.network.cabled = frozenset(spec.cabled)
    return IosLabDevice(device)
