"""The one engine against a lab twin over real SSH: every caller reads a device through the same
step function, the network lab's push runs the steps in COMMIT_ORDER with audit lines, and
real connection failures carry their ErrorKind (set where they happen, never read from text)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from repocopy import copy_repo
from rollout import drift
from rollout.drivers.base import DeviceError, Driver, ErrorKind, Plan
from rollout.engine import steps
from rollout.engine.audited import session
from rollout.inventory.loader import Inventory
from rollout.secrets import Secrets
from rollout.targets import Managed

pytestmark = pytest.mark.lab
SITE = "bao-thang"
ROUTER = f"{SITE}-rtr01"
SWITCH = f"{SITE}-sw01"


@dataclass
class Twin:
    repo: Path
    lab_dir: Path
    inv: Inventory
    secrets: Secrets
    devices: list[Managed]

    def device(self, name: str) -> Managed:
        return next(m for m in self.devices if m.device.hostname == name)

    def audit(self) -> list[dict[str, Any]]:
        log = self.repo / "var/audit.log"
        lines = log.read_text(encoding="utf-8").splitlines() if log.is_file() else []
        return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Twin]:
    from rollout.bench.lab import converged_specs
    from rollout.inventory.loader import load_inventory
    from rollout.lab import manager
    from rollout.secrets import load_secrets
    from rollout.targets import managed_devices

    root = tmp_path_factory.mktemp("engine")
    repo = copy_repo(root / "repo")
    lab_dir = root / "lab"
    inv = load_inventory(repo)
    secrets = load_secrets(repo)
    options = manager.LabOptions(log_level="WARNING")
    manager.up(converged_specs(inv, [SITE], secrets), lab_dir, options)
    try:
        devices = managed_devices(inv, [SITE], secrets, lab=lab_dir, timeout=8)
        yield Twin(repo, lab_dir, inv, secrets, devices)
    finally:
        manager.down(lab_dir)


def test_cli_plan_drift_and_the_netlab_path_read_through_one_step(
    twin: Twin, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from rollout.cli.plan import plan
    from rollout.netlab import router

    seen: list[str] = []
    real = steps.read_plan

    def spy(driver: Driver, text: str) -> tuple[str, Plan]:
        seen.append(driver.target.name)
        return real(driver, text)

    monkeypatch.setattr(steps, "read_plan", spy)
    managed = [m.device.hostname for m in twin.devices]

    got = CliRunner().invoke(
        plan, [SITE, "--lab-dir", str(twin.lab_dir), "--repo", str(twin.repo), "--format", "json"]
    )
    assert got.exit_code == 0, got.output
    assert sorted(seen) == sorted(managed), "CLI plan"

    seen.clear()
    report = drift.check(twin.inv, twin.secrets, twin.devices, workers=4)
    assert report.exit_code == 0, report.to_json()
    assert sorted(seen) == sorted(managed), "drift"

    seen.clear()
    monkeypatch.setattr("rollout.targets.managed_devices", lambda *_a, **_k: [twin.device(ROUTER)])
    assert not router.plan(twin.inv, tmp_path, SITE, twin.secrets).changed
    assert seen == [ROUTER], "netlab plan"


def test_the_netlab_push_runs_commit_order_with_audit_lines(
    twin: Twin, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from rollout.netlab import router

    m = twin.device(ROUTER)
    with session(m) as driver:  # an out-of-band change the push must undo
        driver.conn.send_config_set(["snmp-server location Elsewhere"])  # type: ignore[attr-defined]
    before = len(twin.audit())
    monkeypatch.setattr("rollout.targets.managed_devices", lambda *_a, **_k: [m])

    pushed = router.push(twin.inv, tmp_path, SITE, twin.secrets, revert_minutes=5)

    assert any("snmp-server location" in c for c in pushed.commands), pushed.commands
    actions = [e["action"] for e in twin.audit()[before:] if e["devices"] == [ROUTER]]
    assert actions == ["plan", *steps.COMMIT_ORDER], actions
    assert all(e["result"] == "ok" for e in twin.audit()[before:])
    assert not steps.plan_one(twin.inv, twin.secrets, m).changed
    backups = list((twin.repo / "var/backups" / SITE).glob(f"*/{ROUTER}.txt"))
    assert backups and "snmp-server location Elsewhere" in backups[-1].read_text()


def _fails(twin: Twin, m: Managed) -> DeviceError:
    with pytest.raises(DeviceError) as caught:
        steps.plan_device(twin.inv, twin.secrets, m)
    return caught.value


def test_a_wrong_password_is_auth(twin: Twin) -> None:
    m = twin.device(SWITCH)
    bad = replace(m, target=replace(m.target, password="not-the-password"))
    error = _fails(twin, bad)
    assert (error.kind, error.step) == (ErrorKind.AUTH, "connect"), error
    found = drift.check_one(twin.inv, twin.secrets, bad, drift.AllowList(), retries=2)
    assert (found.kind, found.attempts) == (ErrorKind.AUTH, 1), "auth is never retried"


def test_a_closed_port_is_unreachable(twin: Twin) -> None:
    with socket.socket() as probe:  # a port that was just free: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    m = twin.device(SWITCH)
    closed = replace(m, target=replace(m.target, host="127.0.0.1", port=port))
    error = _fails(twin, closed)
    assert error.kind is ErrorKind.UNREACHABLE, error
    found = drift.check_one(twin.inv, twin.secrets, closed, drift.AllowList(), retries=1)
    assert (found.kind, found.attempts) == (ErrorKind.UNREACHABLE, 2), "unreachable is retried"


def test_a_changed_host_key_is_host_key(twin: Twin, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    m = twin.device(SWITCH)
    assert m.target.known_hosts is not None
    field = f"[{m.target.host}]:{m.target.port}"
    lines = m.target.known_hosts.read_text(encoding="utf-8").splitlines()
    kind = next(line.split()[1] for line in lines if line.split()[0] == field)
    other: Any
    if kind == "ssh-ed25519":
        other = ed25519.Ed25519PrivateKey.generate()
    elif kind == "ssh-rsa":
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        other = ec.generate_private_key(ec.SECP256R1())
    public = other.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    known = tmp_path / "known_hosts"
    known.write_text(
        "".join(f"{line}\n" for line in lines if line.split()[0] != field)
        + f"{field} {public.decode()}\n",
        encoding="utf-8",
    )
    changed = replace(m, target=replace(m.target, known_hosts=known))
    error = _fails(twin, changed)
    assert error.kind is ErrorKind.HOST_KEY and "CHANGED" in error.message, error
