"""Live preflight: a run against real devices is refused before any connection when it would
use the lab vault, a documentation prefix or a placeholder unit code; the lab is not."""

from __future__ import annotations

import secrets as pysecrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rollout.errors import RolloutError
from rollout.preflight import documentation_net, live_problems
from rollout.secrets import VAULT_FILE

PROVINCE = Path("inventory/province.yml")
LAB_PASSWORD = Path("inventory/lab-vault-password.txt")
REAL_CLOUD = "100.64.10.0/24"  # not a documentation prefix, overlaps nothing of the province


class Contacted(RolloutError):
    """Raised by the spy in place of any device work."""


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records (and stops at) the first step that would reach a device or start Ansible."""
    calls: list[str] = []

    def managed(*_a: Any, **_k: Any) -> Any:
        calls.append("managed_devices")
        raise Contacted("spy: device work would start here")

    def playbook(*_a: Any, **_k: Any) -> Any:
        calls.append("run_playbook")
        raise Contacted("spy: ansible would start here")

    def driver(*_a: Any, **_k: Any) -> Any:
        calls.append("driver_for")
        raise Contacted("spy: a session would open here")

    monkeypatch.setattr("rollout.targets.managed_devices", managed)
    monkeypatch.setattr("rollout.targets.driver_for", driver)
    monkeypatch.setattr("rollout.engine.audited.driver_for", driver)
    monkeypatch.setattr("rollout.runner.run_playbook", playbook)
    for var in ("ROLLOUT_VAULT_PASSWORD_FILE", "ANSIBLE_VAULT_PASSWORD_FILE", "ROLLOUT_LAB"):
        monkeypatch.delenv(var, raising=False)
    return calls


@pytest.fixture
def own_vault(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spy: list[str]) -> Path:
    """Re-key the copy's vault with a fresh password kept outside the repository (after the
    spy has cleared the caller's vault variables)."""
    from ansible.parsing.vault import VaultLib, VaultSecret

    vault = repo / VAULT_FILE
    old = VaultLib([("default", VaultSecret((repo / LAB_PASSWORD).read_bytes().strip()))])
    password = pysecrets.token_hex(16).encode()
    plain = old.decrypt(vault.read_bytes())
    vault.write_bytes(VaultLib([("default", VaultSecret(password))]).encrypt(plain))
    pw = tmp_path / "production-vault-password"
    pw.write_bytes(password + b"\n")
    monkeypatch.setenv("ROLLOUT_VAULT_PASSWORD_FILE", str(pw))
    return pw


def _real_cloud(repo: Path) -> None:
    path = repo / PROVINCE
    path.write_text(
        path.read_text(encoding="utf-8").replace("203.0.113.0/24", REAL_CLOUD), encoding="utf-8"
    )


@pytest.mark.parametrize("argv", [["plan", "bao-thang"], ["site", "bao-thang", "--yes"]])
def test_live_run_on_the_lab_vault_is_refused_before_any_connection(
    rollout: Callable[..., Any], spy: list[str], argv: list[str]
) -> None:
    result = rollout(*argv)
    assert result.exit_code == 1, result.output
    assert "ansible.cfg: vault_password_file" in result.output
    assert "inventory/lab-vault-password.txt" in result.output
    assert "Traceback" not in result.output
    assert spy == []


def test_a_password_file_holding_the_lab_password_is_the_lab_vault(
    rollout: Callable[..., Any],
    spy: list[str],
    repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    copy = tmp_path / "renamed-password"
    copy.write_bytes((repo / LAB_PASSWORD).read_bytes())
    monkeypatch.setenv("ANSIBLE_VAULT_PASSWORD_FILE", str(copy))
    result = rollout("drift", "bao-thang")
    assert result.exit_code == 1, result.output
    assert "$ANSIBLE_VAULT_PASSWORD_FILE: ANSIBLE_VAULT_PASSWORD_FILE" in result.output
    assert spy == []


@pytest.mark.usefixtures("own_vault")
@pytest.mark.parametrize("argv", [["plan", "bao-thang"], ["site", "bao-thang", "--yes"]])
def test_documentation_prefix_is_refused_and_named(
    rollout: Callable[..., Any], spy: list[str], repo: Path, argv: list[str]
) -> None:
    result = rollout(*argv)
    assert result.exit_code == 1, result.output
    assert "inventory/province.yml: cloud.prefixes[0]: 203.0.113.0/24" in result.output
    assert "RFC 5737" in result.output
    assert "vault_password_file" not in result.output  # the re-keyed vault passes
    assert spy == []
    # the control: with a real prefix, the same command goes on to the devices
    _real_cloud(repo)
    again = rollout(*argv)
    assert again.exit_code == 1 and "spy:" in again.output, again.output
    # (a plan reads the devices; a site run's first device work is the play, whose site task
    # takes each site's lock on its router: rollout.engine.transaction)
    assert spy == [{"plan": "managed_devices", "site": "run_playbook"}[argv[0]]]


@pytest.mark.usefixtures("own_vault")
def test_documentation_address_in_a_site_is_named(
    rollout: Callable[..., Any], spy: list[str], repo: Path
) -> None:
    _real_cloud(repo)
    site = repo / "inventory/sites/bao-thang.yml"
    text = site.read_text(encoding="utf-8")
    site.write_text(text.replace("provider: VNPT Lào Cai", "provider: 192.0.2.7"), "utf-8")
    result = rollout("backup", "bao-thang")
    assert result.exit_code == 1, result.output
    assert "inventory/sites/bao-thang.yml: wan.provider: 192.0.2.7" in result.output
    assert spy == []


@pytest.mark.usefixtures("own_vault")
def test_a_site_marked_with_a_placeholder_is_refused_until_set(
    rollout: Callable[..., Any], spy: list[str], repo: Path
) -> None:
    # `rollout new-site` writes the register's code and no placeholder; a file edited by hand
    # may still mark a field as a stand-in, and a live run refuses it until the mark is gone
    _real_cloud(repo)
    path = repo / "inventory/sites/coc-san.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "placeholders:\n- code\n", encoding="utf-8")
    warned = rollout("validate", "coc-san")
    assert warned.exit_code == 0, warned.output
    assert "inventory/sites/coc-san.yml: code" in warned.stderr
    refused = rollout("plan", "coc-san")
    assert refused.exit_code == 1, refused.output
    assert "inventory/sites/coc-san.yml: code" in refused.output
    assert "placeholder" in refused.output
    assert spy == []
    # drop the marker: the preflight lets the run through
    path.write_text(text, encoding="utf-8")
    assert rollout("plan", "coc-san").exit_code == 1
    assert spy == ["managed_devices"]


def test_new_site_writes_the_official_code_and_no_placeholder(
    rollout: Callable[..., Any], repo: Path
) -> None:
    (repo / "inventory/sites/y-ty.yml").unlink()
    made = rollout("new-site", "Y Tý", "--from", "bao-thang")
    assert made.exit_code == 0, made.output
    text = (repo / "inventory/sites/y-ty.yml").read_text(encoding="utf-8")
    assert 'code: "02701"' in text
    assert "placeholders" not in text


def test_the_lab_skips_the_preflight(
    rollout: Callable[..., Any], spy: list[str], tmp_path: Path
) -> None:
    # lab vault, documentation prefix: the lab goes on to its devices (here: no lab is up)
    result = rollout("plan", "bao-thang", "--lab", "--lab-dir", str(tmp_path / "no-lab"))
    assert result.exit_code == 1
    assert "refused a run against real devices" not in result.output
    assert spy == ["managed_devices"]


def test_validate_lists_live_findings_as_warnings(
    rollout: Callable[..., Any], spy: list[str]
) -> None:
    import json

    result = rollout("validate", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] and data["problems"] == []
    fields = {(w["file"], w["field"]) for w in data["warnings"]}
    assert ("ansible.cfg", "vault_password_file") in fields
    assert ("inventory/province.yml", "cloud.prefixes[0]") in fields


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("203.0.113.0/24", True),
        ("203.0.113.9", True),
        ("198.51.100.0/25", True),
        ("192.0.2.1", True),
        ("2001:db8::1", True),
        ("203.0.112.0/23", False),  # wider than TEST-NET-3: not inside it
        ("10.16.0.0/12", False),
        ("VNPT", False),
    ],
)
def test_documentation_ranges(text: str, hit: bool) -> None:
    assert (documentation_net(text) is not None) is hit


def test_live_problems_is_pure_over_its_inputs(repo: Path, spy: list[str]) -> None:
    from rollout.inventory.loader import load_inventory

    inv = load_inventory(repo)
    problems = live_problems(repo, inv, ["bao-thang"])
    assert [p.path for p in problems] == ["vault_password_file", "cloud.prefixes[0]"]
    assert all(p.fix for p in problems)


def test_live_verify_places_no_test_call_on_the_lab_vault(
    rollout: Callable[..., Any], spy: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def verify_site(*_a: Any, **_k: Any) -> Any:
        spy.append("verify_site")
        raise Contacted("spy: the test call would start here")

    monkeypatch.setattr("rollout.sla.site.verify_site", verify_site)
    result = rollout("verify", "bao-thang")
    assert result.exit_code == 1, result.output
    assert "ansible.cfg: vault_password_file" in result.output
    assert spy == []
