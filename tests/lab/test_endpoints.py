"""The one seam between the labs and production: a lab writes where its devices are
(rollout.endpoints), rollout.targets reads that and nothing else of the lab."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from rollout.endpoints import (
    ENDPOINTS_FILE,
    Endpoint,
    Where,
    live_endpoint,
    read_endpoints,
    write_endpoints,
)
from rollout.errors import RolloutError
from rollout.inventory.loader import Inventory, load_inventory
from rollout.inventory.model import Platform, Role
from rollout.secrets import Secrets, load_secrets
from rollout.targets import managed_devices

REPO = Path(__file__).resolve().parents[2]
SITE = "bao-thang"


@pytest.fixture(scope="module")
def inv() -> Inventory:
    return load_inventory(REPO)


@pytest.fixture(scope="module")
def secrets() -> Secrets:
    return load_secrets(REPO)


def _both(folder: Path) -> list[Endpoint]:
    return [
        Endpoint("sw1", Platform.CISCO_IOS, "127.0.0.1", 22001, folder / "known_hosts", Where.LAB),
        Endpoint(
            "rtr1",
            Platform.LINUX_ROUTER,
            "198.18.0.1",
            22,
            folder / "known_hosts",
            Where.NETLAB,
            folder="/run/rollout/rl-rtr-x",
            minute_seconds=0.5,
            user="root",
            site="x",
        ),
    ]


def test_endpoints_round_trip(tmp_path: Path) -> None:
    written = _both(tmp_path)
    path = write_endpoints(tmp_path, written)
    assert path == tmp_path / ENDPOINTS_FILE
    assert read_endpoints(tmp_path) == {e.name: e for e in written}
    assert [p.name for p in tmp_path.iterdir()] == [ENDPOINTS_FILE]  # no temporary file left
    live = live_endpoint("r", Platform.CISCO_IOS, "192.0.2.1", tmp_path / "k")
    assert (live.where, live.port, live.minute_seconds) == (Where.LIVE, 22, 60.0)


def test_a_missing_endpoints_file_names_the_file_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(RolloutError) as caught:
        read_endpoints(tmp_path, "start it: rollout lab up")
    assert str(tmp_path / ENDPOINTS_FILE) in str(caught.value)
    assert caught.value.fix == "start it: rollout lab up"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("{not json", "not a lab's endpoints file"),
        ('{"version": 99, "endpoints": []}', "version 99"),
        ('{"version": 1, "endpoints": [{"name": "x"}]}', "missing field 'platform'"),
        ('["endpoints"]', "not a lab's endpoints file"),
        (
            '{"version": 1, "endpoints": [{"name": "x", "platform": "junos", "host": "h",'
            ' "port": 1}]}',
            "junos",
        ),
        (
            '{"version": 1, "endpoints": [{"name": "x", "platform": "polycom", "host": "h",'
            ' "port": 1, "where": "moon"}]}',
            "moon",
        ),
        (
            '{"version": 1, "endpoints": [{"name": "x", "platform": "polycom", "host": "h",'
            ' "port": 1, "minute_seconds": 0}]}',
            "minute_seconds",
        ),
    ],
)
def test_a_bad_endpoints_file_names_the_file_and_the_fix(
    tmp_path: Path, text: str, said: str
) -> None:
    (tmp_path / ENDPOINTS_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(RolloutError) as caught:
        read_endpoints(tmp_path)
    assert str(tmp_path / ENDPOINTS_FILE) in str(caught.value)
    assert said in str(caught.value)
    assert "rollout lab up" in caught.value.fix


def test_live_devices_are_live_with_real_minutes(inv: Inventory, secrets: Secrets) -> None:
    found = managed_devices(inv, [SITE], secrets, timeout=5)
    assert found
    for m in found:
        assert m.target.where is Where.LIVE
        assert m.target.minute_seconds == 60.0
        assert (m.target.host, m.target.port) == (m.device.mgmt_address, 22)
        assert m.target.known_hosts == inv.root / "inventory/known_hosts"


def test_targets_refuse_a_lab_folder_without_endpoints(
    inv: Inventory, secrets: Secrets, tmp_path: Path
) -> None:
    with pytest.raises(RolloutError, match="no lab is running") as caught:
        managed_devices(inv, [SITE], secrets, lab=tmp_path)
    assert "rollout lab up" in caught.value.fix
    with pytest.raises(RolloutError, match="no network lab is up") as caught:
        managed_devices(inv, [SITE], secrets, netlab=tmp_path)
    assert "rollout netlab up" in caught.value.fix


def test_a_netlab_endpoint_stands_a_linux_router_in_for_the_wan_router(
    inv: Inventory, secrets: Secrets, tmp_path: Path
) -> None:
    router = inv.sites[SITE].device(Role.WAN_ROUTER)
    assert router is not None and router.platform is Platform.CISCO_IOS
    folder = "/run/rollout/rl-rtr-" + SITE
    net = Endpoint(
        router.hostname,
        Platform.LINUX_ROUTER,
        "198.18.0.1",
        22,
        tmp_path / "known_hosts",
        Where.NETLAB,
        folder=folder,
        minute_seconds=0.25,
        user="root",
        site=SITE,
    )
    write_endpoints(tmp_path, [net])
    (m,) = managed_devices(inv, [SITE], secrets, netlab=tmp_path)
    assert m.device.platform is Platform.LINUX_ROUTER
    assert m.device.hostname == router.hostname
    assert (m.device.wan_interface, m.device.lan_interface) == ("wan0", "lan0")
    t = m.target
    assert (t.platform, t.host, t.port, t.username, t.password) == (
        Platform.LINUX_ROUTER,
        "198.18.0.1",
        22,
        "root",
        "",
    )
    assert t.key.startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    assert (t.where, t.minute_seconds, t.folder) == (Where.NETLAB, 0.25, folder)
    others = [s for s in inv.sites if s != SITE]
    with pytest.raises(RolloutError, match=f"site {others[0]} is not in the network lab"):
        managed_devices(inv, [others[0]], secrets, netlab=tmp_path)
    assert managed_devices(inv, [others[0]], secrets, netlab=tmp_path, lab_only=True) == []


@pytest.fixture(scope="module")
def lab_twin(tmp_path_factory: pytest.TempPathFactory, inv: Inventory) -> Iterator[Path]:
    """The lab twin of the pilot site, up with half-second minutes."""
    from rollout.lab import manager
    from rollout.lab.day0 import lab_specs

    state_dir = tmp_path_factory.mktemp("lab")
    specs = lab_specs(inv, [SITE], load_secrets(REPO))
    options = manager.LabOptions(workers=1, settings={"minute_seconds": 0.5})
    manager.up(specs, state_dir, options)
    try:
        yield state_dir
    finally:
        manager.down(state_dir)


@pytest.mark.lab
def test_the_lab_twin_writes_what_targets_read(
    lab_twin: Path, inv: Inventory, secrets: Secrets
) -> None:
    from rollout.lab.manager import LabState

    state = LabState.read(lab_twin)
    assert state is not None
    data = json.loads((lab_twin / ENDPOINTS_FILE).read_text(encoding="utf-8"))
    assert sorted(e["name"] for e in data["endpoints"]) == sorted(state.devices)
    found = managed_devices(inv, [SITE], secrets, lab=lab_twin, timeout=5)
    assert sorted(m.device.hostname for m in found) == sorted(state.devices)
    for m in found:
        where = state.devices[m.device.hostname]
        assert (m.target.host, m.target.port) == (where.host, where.port)
        assert m.target.known_hosts == state.known_hosts
        assert (m.target.where, m.target.minute_seconds) == (Where.LAB, 0.5)
        assert m.target.platform.value == where.platform


@pytest.mark.lab
def test_lab_down_removes_the_endpoints(tmp_path: Path, inv: Inventory, secrets: Secrets) -> None:
    from rollout.lab import manager
    from rollout.lab.day0 import lab_specs

    specs = lab_specs(inv, [SITE], secrets)[:1]
    manager.up(specs, tmp_path, manager.LabOptions(workers=1))
    try:
        assert (tmp_path / ENDPOINTS_FILE).is_file()
        (ep,) = read_endpoints(tmp_path).values()
        assert ep.minute_seconds == 60.0
    finally:
        manager.down(tmp_path)
    assert not (tmp_path / ENDPOINTS_FILE).exists()
