"""Private keys from the vault as paramiko key objects: parsed in memory, never written to disk."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from rollout.drivers.base import DeviceError, Target

if TYPE_CHECKING:
    import paramiko


def private_key(target: Target) -> paramiko.PKey:
    """The target's key (OpenSSH ed25519 text), or a DeviceError that never quotes it."""
    import paramiko

    try:
        return paramiko.Ed25519Key.from_private_key(io.StringIO(target.key))
    except (paramiko.SSHException, ValueError, IndexError):
        raise DeviceError(
            target.name,
            "connect",
            "the admin key from the vault is not an unencrypted OpenSSH ed25519 private key",
            "put the whole key (ssh-keygen -t ed25519 -N '') in the vault variable named by "
            "credentials: linux_router_admin_key in inventory/province.yml",
        ) from None


def public_line(key_text: str, comment: str) -> str:
    """The authorized_keys/known_hosts form (type, base64, comment) of a private key's half."""
    import paramiko

    key = paramiko.Ed25519Key.from_private_key(io.StringIO(key_text))
    return f"{key.get_name()} {key.get_base64()} {comment}"
