"""Helpers for the IOS simulator tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rollout.lab.ios.device import IosDevice
from rollout.lab.ios.session import IosSession

CORPUS = Path(__file__).resolve().parents[2] / "data" / "ios-corpus"

BASE = """\
version 15.2
service timestamps debug datetime msec
hostname bt-rtr01
!
interface GigabitEthernet0/0
 ip address 10.0.0.1 255.255.255.0
 duplex auto
 speed auto
!
interface GigabitEthernet0/1
 no ip address
 shutdown
!
line vty 0 4
 login local
!
end
"""


class Console:
    """Types lines into a session and keeps the transcript, like a terminal would."""

    def __init__(self, session: IosSession) -> None:
        self.session = session
        self.transcript: list[str] = []

    def __call__(self, line: str) -> str:
        prompt = self.session.prompt()
        reply = self.session.handle(line)
        self.transcript.append(prompt + line)
        if reply.output:
            self.transcript.append(reply.output)
        return reply.output

    def many(self, *lines: str) -> list[str]:
        return [self(line) for line in lines]

    def config(self, *lines: str) -> list[str]:
        """``configure terminal``, the lines, ``end``: what Netmiko's send_config_set does."""
        return self.many("configure terminal", *lines, "end")[1:-1]

    @property
    def prompt(self) -> str:
        return self.session.prompt()


@pytest.fixture
def device() -> Iterator[IosDevice]:
    dev = IosDevice.from_config(BASE)
    yield dev
    dev.close()


@pytest.fixture
def cli(device: IosDevice) -> Console:
    return Console(device.session())


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*/*.cfg"))


@pytest.fixture
def make_cli() -> type[Console]:
    return Console
