"""Secrets from the ansible-vault file: loaded once, never printed, redacted everywhere.

The vault is ``inventory/group_vars/all/vault.yml`` (what Ansible loads too). Its password
comes from ``$ROLLOUT_VAULT_PASSWORD_FILE``, ``$ANSIBLE_VAULT_PASSWORD_FILE`` or the
``vault_password_file`` of ``ansible.cfg``; never from the command line.
"""

from __future__ import annotations

import base64
import configparser
import hashlib
import hmac
import os
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path

import yaml

from rollout.errors import RolloutError

VAULT_FILE = Path("inventory/group_vars/all/vault.yml")
REDACTED = "<redacted>"


class SecretsError(RolloutError):
    pass


class Secrets(Mapping[str, str]):
    """A read-only mapping of vault_* names to values whose repr never shows a value."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)
        self._needles: list[str] | None = None

    def __getitem__(self, key: str) -> str:
        try:
            return self._values[key]
        except KeyError:
            raise SecretsError(
                f"the vault has no '{key}'",
                f"add {key} to {VAULT_FILE} with `ansible-vault edit {VAULT_FILE}`",
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Secrets({', '.join(sorted(self._values))})"

    def needles(self) -> list[str]:
        """What redaction looks for, longest first: every value, and every line of a
        multi-line value (a key), which may show up split or escaped (JSON, logs)."""
        if self._needles is None:
            found = set(self._values.values())
            for value in self._values.values():
                if "\n" in value.strip():  # not the PEM markers: they are no secret
                    found |= {x.strip() for x in value.splitlines() if not x.startswith("-----")}
            self._needles = sorted(
                (n for n in found if len(n) >= MIN_SECRET), key=len, reverse=True
            )
        return self._needles

    def redact(self, text: str) -> str:
        """Replace every secret value (longest first) in text."""
        for value in self.needles():
            text = text.replace(value, REDACTED)
        return text


# The one redaction layer: every Secrets loaded in this process is remembered here, and every
# output path (CLI messages, JSON, tables, audit log, runner artifacts) goes through redact().
MIN_SECRET = 4
_KNOWN: list[Secrets] = []


def remember(secrets: Secrets) -> Secrets:
    """Make these values part of the process-wide redaction layer; returns them."""
    if all(s is not secrets for s in _KNOWN):
        _KNOWN.append(secrets)
    return secrets


def redact(text: str) -> str:
    """Every secret value this process has loaded, replaced in text."""
    for secrets in _KNOWN:
        text = secrets.redact(text)
    return text


def redact_bytes(data: bytes) -> bytes:
    """redact() for bytes (files written by other programs, e.g. Ansible's artifacts)."""
    for secrets in _KNOWN:
        for value in secrets.needles():
            data = data.replace(value.encode("utf-8"), REDACTED.encode())
    return data


PASSWORD_ENV = ("ROLLOUT_VAULT_PASSWORD_FILE", "ANSIBLE_VAULT_PASSWORD_FILE")
LAB_PASSWORD_FILE = Path("inventory/lab-vault-password.txt")


def env_password_file(environ: Mapping[str, str] | None = None) -> tuple[str, Path] | None:
    """The vault password file the environment names, with its variable; None when neither is
    set (the vault then opens with ansible.cfg's file: the committed lab password, which a live
    run refuses, see rollout.preflight)."""
    env = os.environ if environ is None else environ
    for var in PASSWORD_ENV:
        if env.get(var):
            return var, Path(env[var])
    return None


def password_file(root: Path) -> Path:
    named = env_password_file()
    if named is not None:
        return named[1]
    cfg = configparser.ConfigParser()
    cfg.read(root / "ansible.cfg", encoding="utf-8")
    name = cfg.get("defaults", "vault_password_file", fallback="")
    if not name:
        raise SecretsError(
            "no vault password file is configured",
            "set ROLLOUT_VAULT_PASSWORD_FILE or vault_password_file in ansible.cfg",
        )
    return root / name


def load_secrets(root: Path) -> Secrets:
    from ansible.errors import AnsibleError
    from ansible.parsing.vault import VaultLib, VaultSecret

    vault_path = root / VAULT_FILE
    pw_path = password_file(root)
    try:
        password = pw_path.read_bytes().strip()
    except OSError as exc:
        raise SecretsError(
            f"cannot read the vault password file {pw_path} ({exc.strerror})",
            "point ROLLOUT_VAULT_PASSWORD_FILE at the vault's password file",
        ) from None
    try:
        blob = vault_path.read_bytes()
    except OSError as exc:
        raise SecretsError(
            f"cannot read the vault {VAULT_FILE} ({exc.strerror})",
            f"create it with `ansible-vault create {VAULT_FILE}`",
        ) from None
    if not blob.startswith(b"$ANSIBLE_VAULT"):
        raise SecretsError(
            f"{VAULT_FILE} is not encrypted",
            f"encrypt it now: `ansible-vault encrypt {VAULT_FILE}`, and rotate its secrets",
        )
    try:
        plain = VaultLib([("default", VaultSecret(password))]).decrypt(blob)
    except AnsibleError:
        raise SecretsError(
            f"the vault {VAULT_FILE} cannot be decrypted with the password in {pw_path}",
            "use the vault's password file (ROLLOUT_VAULT_PASSWORD_FILE)",
        ) from None
    try:
        data = yaml.safe_load(plain)
    except yaml.YAMLError:
        raise SecretsError(
            f"the decrypted vault {VAULT_FILE} is not valid YAML",
            f"fix it with `ansible-vault edit {VAULT_FILE}`",
        ) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and k.startswith("vault_") for k in data
    ):
        raise SecretsError(
            f"the vault {VAULT_FILE} must be a mapping of vault_* names to values",
            f"fix it with `ansible-vault edit {VAULT_FILE}`",
        )
    return remember(Secrets({k: str(v) for k, v in data.items()}))


_CISCO_B64 = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
)


def _cisco_b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=").translate(_CISCO_B64)


@lru_cache(maxsize=64)
def cisco_type9(password: str, salt_key: str) -> str:
    """Cisco type 9 (scrypt, N=16384 r=1 p=1) hash with a deterministic salt.

    Rendering must be deterministic, so the salt cannot be random. It is an HMAC of the
    password keyed with a separate vault secret (``vault_hash_seed``): the published salt
    reveals nothing about the password without that key, and the scrypt work factor stands.
    """
    digest = hmac.new(salt_key.encode(), password.encode(), hashlib.sha256).digest()
    salt = _cisco_b64(digest)[:14]
    key = hashlib.scrypt(password.encode(), salt=salt.encode(), n=16384, r=1, p=1, dklen=32)
    return f"$9${salt}${_cisco_b64(key)}"
