"""Fixtures for the lab SSH server tests: an in-process server on its own loop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lab_server_helpers import PASSWORD, USER
from rollout.lab.echo import EchoDevice
from rollout.lab.server import DeviceInfo, ServerThread


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[ServerThread]:
    """A lab server in a background thread, state (host keys) under ``tmp_path``."""
    with ServerThread(tmp_path / "lab") as server:
        yield server


@pytest.fixture
def echo_device() -> EchoDevice:
    return EchoDevice("lab1", username=USER, password=PASSWORD)


@pytest.fixture
def device(lab: ServerThread, echo_device: EchoDevice) -> DeviceInfo:
    """The echo device ``lab1`` served by ``lab``."""
    return lab.add_device("lab1", echo_device, platform="echo")
