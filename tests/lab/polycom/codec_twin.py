"""One simulated codec served over real SSH on 127.0.0.1 (a random port, its own host key),
with a known-hosts file and the `Target` a driver reaches it with."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncssh
from test_polycom_netmiko import _PolycomSSHD

from rollout.drivers.base import Target
from rollout.inventory.model import Platform
from rollout.lab.polycom import PolycomDevice

HOST = "127.0.0.1"


@dataclass
class ServedCodec:
    device: PolycomDevice
    port: int
    known_hosts: Path

    def target(self, password: str, previous: str = "", timeout: float = 10.0) -> Target:
        return Target(
            "bao-thang-codec01",
            Platform.POLYCOM,
            HOST,
            self.port,
            "admin",
            password,
            self.known_hosts,
            timeout,
            previous_password=previous,
        )


@contextmanager
def served_codec(
    folder: Path, password: str, settings: Mapping[str, str] | None = None
) -> Iterator[ServedCodec]:
    """A codec holding ``password`` and ``settings`` (else factory ones), until the block ends."""
    device = PolycomDevice("bao-thang-codec01", password=password, settings=settings)
    key = asyncssh.generate_private_key("ssh-ed25519")
    server = _PolycomSSHD(device, HOST, 0, key)
    port = server.start()
    known = folder / "known_hosts"
    known.write_text(f"[{HOST}]:{port} {key.export_public_key().decode().strip()}\n")
    try:
        yield ServedCodec(device, port, known)
    finally:
        server.stop()
