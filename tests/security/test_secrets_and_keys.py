"""Planted vault values never reach any byte the tool writes; host keys are never assumed.

A test vault with distinctive values (encrypted with its own password file) drives a lab
twin through validate, render, plan, backup, a full `rollout site` (Ansible), drift, a
failure and the audit log; then every byte of stdout, stderr, var/ (logs, runner artifacts),
the backups and the audit log is searched for the planted values.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from faultlab import BIN, FaultLab, start

pytestmark = [pytest.mark.lab, pytest.mark.ansible]

PLANTED = {
    "vault_admin_password": "Zq7-PLANTED-admin-Xk29v",
    "vault_enable_secret": "Zq7-PLANTED-enable-Rw81m",
    "vault_snmp_auth_key": "Zq7PLANTEDauthKey4471",
    "vault_snmp_priv_key": "Zq7PLANTEDprivKey9032",
    "vault_codec_admin_password": "Zq7-PLANTED-codec-Hb55t",
    "vault_codec_admin_password_previous": "Zq7-PLANTED-codec-old-Jw72r",
    "vault_codec_sip_password": "Zq7-PLANTED-sip-Tc40w",
    "vault_hash_seed": "Zq7-PLANTED-seed-Lm07q-0000",
}


def plant(repo: Path, tmp: Path) -> Path:
    from ansible.parsing.vault import VaultLib, VaultSecret

    password = tmp / "planted-vault-password"
    password.write_text("planted-vault-pass-7781\n")
    blob = VaultLib([("default", VaultSecret(b"planted-vault-pass-7781"))]).encrypt(
        yaml.safe_dump(PLANTED)
    )
    (repo / "inventory/group_vars/all/vault.yml").write_bytes(blob)
    cfg = repo / "ansible.cfg"
    cfg.write_text(cfg.read_text().replace("inventory/lab-vault-password.txt", str(password)))
    return password


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultLab]:
    root = tmp_path_factory.mktemp("secrets")
    from repocopy import copy_repo

    repo = copy_repo(root / "repo")
    password = plant(repo, root)
    os.environ["ROLLOUT_VAULT_PASSWORD_FILE"] = str(password)
    try:
        handle = start(root, ["bao-thang"], 12, repo=repo)
        handle.env["ROLLOUT_VAULT_PASSWORD_FILE"] = str(password)
        yield handle
    finally:
        os.environ.pop("ROLLOUT_VAULT_PASSWORD_FILE", None)
        subprocess.run(
            [str(BIN / "rollout"), "lab", "down"],
            cwd=repo,
            env={**os.environ, "ROLLOUT_LAB_DIR": str(root / "lab")},
            capture_output=True,
            check=False,
        )


def test_planted_secrets_are_found_nowhere(lab: FaultLab, tmp_path: Path) -> None:
    outputs: list[str] = []
    # The codec still holds the previous admin password: the rollout rotates it (setpassword).
    codec_pw, previous = (
        PLANTED["vault_codec_admin_password"],
        PLANTED["vault_codec_admin_password_previous"],
    )
    lab.run(
        "lab",
        "send",
        "bao-thang-codec01",
        f'setpassword admin room "{codec_pw}" "{previous}"',
        check=0,
    )
    for args, code in [
        (("validate",), 0),
        (("lint", "bao-thang"), 0),
        (("render", "bao-thang", "--out", str(tmp_path / "build")), 0),
        (("plan", "bao-thang", "--lab"), 2),
        (("plan", "bao-thang", "--lab", "--format", "json"), 2),
        (("site", "bao-thang", "--lab", "--yes"), 0),
        (("site", "bao-thang", "--lab", "--yes", "--format", "json"), 0),
        (("drift", "bao-thang", "--lab", "--format", "json"), 0),
        (("backup", "bao-thang", "--lab"), 0),
        (("audit", "--format", "json"), 0),
    ]:
        proc = lab.run(*args, check=code)
        outputs += [proc.stdout, proc.stderr]
    # A failure whose message could carry a value: the router rejects the SNMP user line.
    lab.run("lab", "send", "bao-thang-sw01", "--config", "snmp-server community public RO")
    with lab.faulted("bao-thang-sw01", {"kind": "reject_command", "pattern": "snmp-server user.*"}):
        proc = lab.run("site", "bao-thang", "--lab", "--yes", check=1)
    outputs += [proc.stdout, proc.stderr]
    assert "<redacted>" in "".join(outputs)
    assert 'setpassword admin room "<redacted>" "<redacted>"' in "".join(outputs)
    written: dict[str, bytes] = {f"output {n}": o.encode() for n, o in enumerate(outputs)}
    for folder in (lab.repo / "var", lab.backups, tmp_path / "build"):
        for path in folder.rglob("*"):
            if path.is_file():
                written[str(path)] = path.read_bytes()
    assert any("var/runner/artifacts" in p for p in written), "runner artifacts were searched"
    assert any(p.endswith("audit.log") for p in written)
    found = [
        (where, name)
        for where, data in written.items()
        for name, value in PLANTED.items()
        if value.encode() in data
    ]
    assert found == [], f"secrets found in output: {found}"


def test_unknown_and_changed_host_keys_stop_the_connection(lab: FaultLab) -> None:
    known = lab.lab_dir / "known_hosts"
    saved = known.read_text()
    lines = saved.splitlines()
    name = "bao-thang-rtr01"
    port = str(lab.json_state()[name])
    mine = [x for x in lines if x.split()[0].endswith(f":{port}")]
    others = [x for x in lines if x not in mine]
    try:
        known.write_text("\n".join(others) + "\n")
        proc = lab.run("plan", "bao-thang", "--lab")
        assert proc.returncode == 1, proc.stdout
        assert f"{name}: connect: the host key" in proc.stdout, proc.stdout
        assert "is unknown" in proc.stdout and "SHA256:" in proc.stdout
        assert f"rollout trust {name} --lab" in proc.stdout
        # A changed key: another device's key recorded under this device's address.
        forged = f"{mine[0].split()[0]} {others[0].split()[1]} {others[0].split()[2]}"
        known.write_text("\n".join([*others, forged]) + "\n")
        proc = lab.run("drift", "bao-thang", "--lab", "--format", "json")
        assert proc.returncode == 1 and "CHANGED" in proc.stdout, proc.stdout
        # Trusting explicitly: the fingerprint is shown, recorded, and audited.
        proc = lab.run("trust", name, "--lab", "--yes", check=0)
        assert "SHA256:" in proc.stdout and "DIFFERENT" in proc.stdout
        assert lab.run("plan", "bao-thang", "--lab").returncode in (0, 2)
        audit = lab.run("audit", "--action", "trust", "--format", "json", check=0)
        assert name in audit.stdout and "SHA256:" in audit.stdout
    finally:
        known.write_text(saved)
