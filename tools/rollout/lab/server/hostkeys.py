"""Persistent ed25519 host keys, one per device, and how clients see them.

A device's key lives at ``<state_dir>/hostkeys/<name>.key``; it is created once (mode 0600)
and reused, so ``known_hosts`` entries stay valid across restarts.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from rollout.lab.server.errors import DeviceSetupError

log = logging.getLogger("rollout.lab.server")


@dataclass(frozen=True, slots=True)
class HostKey:
    """A device's SSH host key, as clients see it."""

    public_key: str
    """OpenSSH public key line without comment: ``ssh-ed25519 AAAA...``."""
    fingerprint: str
    """``SHA256:...`` as printed by ``ssh-keygen -l``."""


def host_key_path(state_dir: Path, name: str) -> Path:
    """Where the host key of device ``name`` lives under ``state_dir``."""
    return state_dir / "hostkeys" / f"{name}.key"


def load_or_create_host_key(path: Path) -> asyncssh.SSHKey:
    """Read the ed25519 host key at ``path``, creating it (mode 0600) when missing."""
    if path.exists():
        try:
            return asyncssh.read_private_key(path)
        except (OSError, asyncssh.KeyImportError) as exc:
            raise DeviceSetupError(
                f"cannot read the host key {path}: {exc}. Delete the file to get a new key "
                "(clients will then see a changed host key)."
            ) from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    key = asyncssh.generate_private_key("ssh-ed25519")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.export_private_key())
    tmp.replace(path)
    log.info("created host key %s", path)
    return key


def describe_host_key(key: asyncssh.SSHKey) -> HostKey:
    """The public key line and SHA256 fingerprint of a host key."""
    line = key.export_public_key("openssh").decode("ascii").split()
    return HostKey(public_key=" ".join(line[:2]), fingerprint=key.get_fingerprint("sha256"))
