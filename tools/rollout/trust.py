"""Host keys: fetch a device's key, show its fingerprint, record it in a known-hosts file.

Real devices are checked against ``inventory/known_hosts`` (in the repository, reviewed like
any other change); the lab twin against its own ``known_hosts``. Nothing is ever trusted on
first use: ``rollout trust DEVICE`` is the only way a key gets in, and it is audited.
"""

from __future__ import annotations

import base64
import hashlib
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rollout.errors import RolloutError


@dataclass(frozen=True)
class HostKey:
    kind: str  # ssh-ed25519, ssh-rsa, ...
    base64: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(base64.b64decode(self.base64))

    def line(self, host: str, port: int) -> str:
        return f"{known_name(host, port)} {self.kind} {self.base64}"


def fingerprint(blob: bytes) -> str:
    """OpenSSH's SHA256 fingerprint of a public key blob."""
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def key_fingerprint(key: Any) -> str:
    """Fingerprint of a paramiko PKey."""
    return fingerprint(key.asbytes())


def known_name(host: str, port: int) -> str:
    return host if port == 22 else f"[{host}]:{port}"


def fetch(host: str, port: int, timeout: float = 10.0) -> HostKey:
    """The host key the server at host:port offers (no login is attempted)."""
    import paramiko

    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        raise RolloutError(
            f"cannot reach {host}:{port} to read its host key ({exc.strerror or exc})",
            "check that the device is up and reachable from here",
        ) from None
    transport = paramiko.Transport(sock)
    try:
        transport.banner_timeout = timeout
        transport.start_client(timeout=timeout)
        key = transport.get_remote_server_key()
        return HostKey(key.get_name(), key.get_base64())
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise RolloutError(
            f"{host}:{port} did not offer an SSH host key ({exc})",
            "check that SSH is enabled on the device",
        ) from None
    finally:
        transport.close()


def recorded(path: Path, host: str, port: int) -> list[HostKey]:
    name = known_name(host, port)
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    for line in lines:
        parts = line.split()
        if len(parts) >= 3 and name in parts[0].split(","):
            out.append(HostKey(parts[1], parts[2]))
    return out


def record(path: Path, host: str, port: int, key: HostKey, comment: str = "") -> None:
    """Replace every key recorded for host:port by this one (written to a temporary file and
    renamed, so the file is never half-written)."""
    name = known_name(host, port)
    try:
        old = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        old = []
    kept = [x for x in old if not (x.split() and name in x.split()[0].split(","))]
    line = key.line(host, port) + (f" {comment}" if comment else "")
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text("\n".join([*kept, line]) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise RolloutError(
            f"cannot write {path} ({exc.strerror})", "make the file writable, then trust again"
        ) from None
