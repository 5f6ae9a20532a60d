"""The codec's push over real SSH: commands written a window at a time, replies checked, and
the push stopped at the first window that holds a refused command."""

from __future__ import annotations

from pathlib import Path

import pytest
from codec_twin import served_codec

from rollout.drivers.base import DeviceError, ErrorKind, Plan
from rollout.drivers.polycom import PUSH_WINDOW, PolycomDriver
from rollout.inventory.model import Platform

pytestmark = pytest.mark.lab

PASSWORD = "Codec-Admin-1"
FIRST_WINDOW = [
    'h323name set "Win One"',
    'systemsetting sippassword "a b c"',  # refused: the simulator takes no spaces in it
    "diffservvideo set 30",
    "diffservfecc set 20",
    "maxtimeincall set 100",
    "tcpports set 3300",
    "udpports set 3300",
    "ntpserver set 10.9.0.11",
]


def _plan(commands: list[str]) -> Plan:
    return Plan(device="bao-thang-codec01", platform=Platform.POLYCOM, commands=tuple(commands))


def test_every_window_is_applied(tmp_path: Path) -> None:
    commands = [c for c in FIRST_WINDOW if "sippassword" not in c] + [
        "diffservaudio set 40",
        'systemname set "win-two"',
    ]
    assert len(commands) > PUSH_WINDOW
    with served_codec(tmp_path, PASSWORD) as codec:
        driver = PolycomDriver(codec.target(PASSWORD))
        try:
            driver.commit(_plan(commands), 5)
            running = driver.running_config()
        finally:
            driver.close()
    for command in commands:
        assert command in running.splitlines()


def test_a_refused_command_stops_the_push_at_its_window(tmp_path: Path) -> None:
    assert len(FIRST_WINDOW) == PUSH_WINDOW
    with served_codec(tmp_path, PASSWORD) as codec:
        driver = PolycomDriver(codec.target(PASSWORD))
        try:
            with pytest.raises(DeviceError) as caught:
                driver.commit(_plan([*FIRST_WINDOW, "diffservaudio set 40"]), 5)
        finally:
            driver.close()
        settings = codec.device.settings
    assert caught.value.kind is ErrorKind.REFUSED
    assert "systemsetting sippassword ********" in caught.value.message
    assert "a b c" not in str(caught.value)
    assert settings["h323name"] == "Win One"  # before the refused one, in its window
    assert settings["diffservaudio"] != "40"  # the next window was never sent
