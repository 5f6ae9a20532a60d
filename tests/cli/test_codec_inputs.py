"""Codec inputs the API cannot take: exit 1 naming the file, the field and the fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

PROVINCE = "inventory/province.yml"
VAULT = "inventory/group_vars/all/vault.yml"


def _no_crash(result: Any) -> None:
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_fixed_port_base_outside_the_codec_range(
    rollout: Callable[..., Any], repo: Path, tmp_path: Path
) -> None:
    path = repo / PROVINCE
    data = yaml.safe_load(path.read_text("utf-8"))
    data["media"] = {"codec_tcp": {"first": 80, "last": 100}}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = rollout("render", "bao-thang", "--out", str(tmp_path / "out"))
    _no_crash(result)
    assert result.exit_code == 1
    out = result.stdout + result.stderr
    assert "inventory/province.yml: media.codec_tcp.first is 80" in out
    assert "1024..49150" in out


def test_sip_password_the_api_cannot_carry(
    rollout: Callable[..., Any], repo: Path, tmp_path: Path
) -> None:
    from ansible.parsing.vault import VaultLib, VaultSecret

    password = (repo / "inventory/lab-vault-password.txt").read_text("utf-8").strip().encode()
    vault = VaultLib([("default", VaultSecret(password))])
    values = yaml.safe_load(vault.decrypt((repo / VAULT).read_bytes()))
    values["vault_codec_sip_password"] = 'say "hi"'
    (repo / VAULT).write_bytes(vault.encrypt(yaml.safe_dump(values)))
    result = rollout("render", "bao-thang", "--out", str(tmp_path / "out"))
    _no_crash(result)
    assert result.exit_code == 1
    out = result.stdout + result.stderr
    assert "vault_codec_sip_password cannot be sent through the codec's API" in out
    assert "ansible-vault edit inventory/group_vars/all/vault.yml" in out
    assert 'say "hi"' not in out
