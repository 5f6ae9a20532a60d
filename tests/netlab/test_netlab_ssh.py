"""A linux_router site managed like the others, over its sshd: plan, `rollout site` (Ansible),
drift after a hand edit, rollback; host keys verified; the vault's key never leaks."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rollout.netlab import lab, ns

pytestmark = pytest.mark.netlab
SITE = "bao-thang"
ROUTER = "bao-thang-rtr01"
OUTPUTS: list[str] = []


@pytest.fixture(scope="module")
def day0_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A repository copy with the pilot's network lab up and its router unconfigured."""
    from netlabkit import netlab_skip_reason, new_lab_id
    from repocopy import copy_repo

    reason = netlab_skip_reason()
    if reason:
        pytest.skip(reason)
    root = copy_repo(tmp_path_factory.mktemp("netlab-ssh") / "repo")
    result = _rollout(root, "netlab", "up", SITE, "--day0", "--lab-id", new_lab_id())
    try:
        assert result.returncode == 0, result.stderr
        yield root
    finally:
        lab.down(root / ".netlab")


def _rollout(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("rollout")
    result = subprocess.run(
        [str(exe), *args, "--repo", str(root)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "ROLLOUT_NETLAB_DIR": str(root / ".netlab")},
        timeout=300,
    )
    OUTPUTS.extend((result.stdout, result.stderr))
    return result


def test_the_router_is_reached_over_its_own_sshd_only(day0_repo: Path) -> None:
    state = lab.NetlabState.read(day0_repo / ".netlab")
    assert state is not None
    mgmt = state.sites[SITE].mgmt
    assert mgmt.startswith("198.1")  # the benchmarking range, nothing routable
    assert any(p.name == f"sshd-{SITE}" and ns.alive(p.pid) for p in state.processes)
    assert state.known_hosts.read_text().startswith(f"{mgmt} ssh-ed25519 ")
    config = (day0_repo / ".netlab/sshd" / SITE / "sshd_config").read_text()
    for line in (
        f"ListenAddress {mgmt}",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "UsePAM no",
    ):
        assert line in config
    # the router does not forward into the management link
    rtr = state.names.rtr(SITE)
    assert ns.run(["sysctl", "-n", "net.ipv4.conf.mgmt0.forwarding"], ns=rtr).strip() == "0"
    assert mgmt not in ns.run(["ip", "route", "show", "table", "main"], ns=rtr)


def test_plan_site_drift_rollback_over_ssh(day0_repo: Path) -> None:
    plan = _rollout(day0_repo, "plan", SITE, "--netlab")
    assert plan.returncode == 2, plan.stderr
    assert "+qdisc add dev wan0 root handle 1: htb" in plan.stdout
    assert "bao-thang-sw01" not in plan.stdout  # the network lab holds only the router

    site = _rollout(day0_repo, "site", SITE, "--netlab", "--yes", "--format", "json")
    assert site.returncode == 0, site.stdout[-2000:] + site.stderr[-2000:]
    again = _rollout(day0_repo, "plan", SITE, "--netlab")
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{ROUTER}: no changes" in again.stdout

    assert _rollout(day0_repo, "backup", SITE, "--netlab").returncode == 0
    state = lab.NetlabState.read(day0_repo / ".netlab")
    assert state is not None
    rtr = state.names.rtr(SITE)
    ns.run(["tc", "qdisc", "del", "dev", "wan0", "root"], ns=rtr)
    run = f"/run/rollout/{rtr}"
    route = ["-c", "configure terminal", "-c", "ip route 192.0.2.0/24 10.254.0.5"]
    ns.run(["vtysh", "--vty_socket", run, "--config_dir", run, *route], ns=rtr)
    drift = _rollout(day0_repo, "drift", SITE, "--netlab", "--format", "json")
    assert drift.returncode == 2, drift.stdout + drift.stderr
    assert "QoS: no HTB shaper on wan0" in drift.stdout
    assert "FRR runs 'ip route 192.0.2.0/24 10.254.0.5'" in drift.stdout

    back = _rollout(day0_repo, "rollback", SITE, "--netlab")
    assert back.returncode == 0, back.stdout + back.stderr
    clean = _rollout(day0_repo, "drift", SITE, "--netlab")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "192.0.2.0/24" not in ns.run(["ip", "route", "show"], ns=rtr)


def test_the_lab_publishes_the_endpoint_targets_read(day0_repo: Path) -> None:
    """The network lab says where its router is (endpoints.json); rollout reads only that."""
    from rollout.endpoints import Where, read_endpoints
    from rollout.inventory.loader import load_inventory
    from rollout.inventory.model import Platform
    from rollout.secrets import load_secrets
    from rollout.targets import managed_devices

    state = lab.NetlabState.read(day0_repo / ".netlab")
    assert state is not None
    (endpoint,) = read_endpoints(day0_repo / ".netlab").values()
    assert (endpoint.name, endpoint.site, endpoint.where) == (ROUTER, SITE, Where.NETLAB)
    inv = load_inventory(day0_repo)
    (m,) = managed_devices(inv, [SITE], load_secrets(day0_repo), netlab=day0_repo / ".netlab")
    assert m.device.platform is Platform.LINUX_ROUTER
    assert (m.target.host, m.target.port) == (state.sites[SITE].mgmt, 22)
    assert m.target.known_hosts == state.known_hosts
    assert (m.target.where, m.target.minute_seconds) == (Where.NETLAB, state.minute_seconds)
    assert m.target.folder == f"/run/rollout/{state.names.rtr(SITE)}"


def test_a_wrong_host_key_is_refused(day0_repo: Path, tmp_path: Path) -> None:
    from rollout.drivers.base import DeviceError
    from rollout.inventory.loader import load_inventory
    from rollout.secrets import load_secrets
    from rollout.targets import driver_for, managed_devices

    inv = load_inventory(day0_repo)
    (m,) = managed_devices(inv, [SITE], load_secrets(day0_repo), netlab=day0_repo / ".netlab")
    other = tmp_path / "other"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    known = tmp_path / "known_hosts"
    known.write_text(f"{m.target.host} {' '.join(Path(f'{other}.pub').read_text().split()[:2])}\n")
    driver = driver_for(dataclasses.replace(m.target, known_hosts=known))
    with pytest.raises(DeviceError, match="CHANGED"):
        driver.running_config()
    driver.close()


def test_a_changed_router_key_names_the_fix_and_trust_records_it(
    day0_repo: Path, tmp_path: Path
) -> None:
    known = day0_repo / ".netlab" / "known_hosts"
    original = known.read_text()
    other = tmp_path / "other"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    host = original.split()[0]
    try:
        known.write_text(f"{host} {' '.join(Path(f'{other}.pub').read_text().split()[:2])}\n")
        refused = _rollout(day0_repo, "plan", SITE, "--netlab")
        assert refused.returncode == 1
        assert f"rollout trust {ROUTER} --netlab" in refused.stdout + refused.stderr
        assert "Traceback" not in refused.stderr
        trusted = _rollout(day0_repo, "trust", ROUTER, "--netlab", "--yes")
        assert trusted.returncode == 0, trusted.stderr
        assert known.read_text().split()[1:3] == original.split()[1:3]
        assert _rollout(day0_repo, "plan", SITE, "--netlab").returncode in (0, 2)
    finally:
        known.write_text(original)


def test_the_private_key_never_leaves_the_vault(day0_repo: Path) -> None:
    from rollout.secrets import load_secrets

    key = load_secrets(day0_repo)["vault_linux_router_admin_key"]
    needle = key.splitlines()[2]  # a line of the key's base64 body
    assert len(needle) > 40
    assert not [text for text in OUTPUTS if needle in text]
    places = [day0_repo / "var", day0_repo / ".netlab", Path("/run/rollout")]
    found = subprocess.run(
        ["grep", "-rlF", needle, *map(str, places)], capture_output=True, text=True, check=False
    )
    assert found.stdout == "", f"the key is in {found.stdout}"
    assert (day0_repo / "var/audit.log").is_file()
