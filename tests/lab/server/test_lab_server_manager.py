"""``up`` / ``status`` / ``down`` with real background lab processes."""

from __future__ import annotations

import json
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest
from netmiko import NetmikoAuthenticationException, NetmikoTimeoutException

from lab_server_helpers import PASSWORD, USER, netmiko_connect, wait_for
from rollout.lab import manager
from rollout.lab.control import ControlClient
from rollout.lab.faults import AuthFail, Unreachable
from rollout.lab.manager import (
    LabAlreadyRunningError,
    LabConfigError,
    LabDeviceSpec,
    LabOptions,
    LabStartError,
    LabState,
)
from rollout.lab.server import DeviceInfo, HostKey

pytestmark = pytest.mark.lab

ECHO = "rollout.lab.echo:make_factory"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def specs(count: int, prefix: str = "dev") -> list[LabDeviceSpec]:
    return [
        LabDeviceSpec(f"{prefix}{i}", "echo", USER, PASSWORD, config="hostname x\n", model="M")
        for i in range(count)
    ]


def as_info(state: LabState, name: str) -> DeviceInfo:
    dev = state.devices[name]
    return DeviceInfo(
        name,
        dev.host,
        dev.port,
        dev.platform,
        HostKey(dev.host_key, dev.host_key_fingerprint),
        (),
        True,
        0,
    )


@pytest.fixture(scope="module")
def echo_platform() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(manager.FACTORIES, "echo", manager.FactoryRef(ECHO))
        yield


@pytest.fixture(scope="module")
def running(
    echo_platform: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, LabState, int]]:
    state_dir = tmp_path_factory.mktemp("mgr")
    base = free_port()
    with socket.socket() as busy:  # the base port is taken: the lab must skip it
        busy.bind(("127.0.0.1", base))
        busy.listen()
        state = manager.up(specs(4), state_dir, LabOptions(base_port=base, workers=2))
    yield state_dir, state, base
    manager.down(state_dir)


def test_state_json_and_known_hosts(running: tuple[Path, LabState, int]) -> None:
    state_dir, state, base = running
    data = json.loads((state_dir / "state.json").read_text())
    assert data["version"] == 1
    assert set(data["devices"]) == {"dev0", "dev1", "dev2", "dev3"}
    dev0 = data["devices"]["dev0"]
    assert set(dev0) == {
        "host",
        "port",
        "platform",
        "model",
        "username",
        "pid",
        "worker",
        "host_key_fingerprint",
        "host_key",
    }
    assert dev0["host"] == "127.0.0.1" and dev0["platform"] == "echo" and dev0["model"] == "M"
    assert "password" not in (state_dir / "state.json").read_text()
    ports = [state.devices[f"dev{i}"].port for i in range(4)]
    assert base not in ports and ports == sorted(ports)
    assert len(state.workers) == 2 and len({d.pid for d in state.devices.values()}) == 2
    key = asyncssh.read_private_key(state_dir / "hostkeys" / "dev0.key")
    assert dev0["host_key_fingerprint"] == key.get_fingerprint("sha256")
    lines = (state_dir / "known_hosts").read_text().splitlines()
    assert f"[127.0.0.1]:{dev0['port']} {dev0['host_key']}" in lines
    assert len(lines) == 4 and all(line.split()[1] == "ssh-ed25519" for line in lines)
    assert LabState.read(state_dir) == state


def test_netmiko_with_strict_host_keys(running: tuple[Path, LabState, int]) -> None:
    state_dir, state, _ = running
    for name in state.devices:
        conn = netmiko_connect(
            as_info(state, name),
            ssh_strict=True,
            system_host_keys=False,
            alt_host_keys=True,
            alt_key_file=str(state_dir / "known_hosts"),
        )
        try:
            assert str(conn.send_command("show running-config")).splitlines()[:2] == [
                f"hostname {name}",
                "hostname x",  # the day-0 config given in the spec
            ]
        finally:
            conn.disconnect()


def test_faults_are_routed_to_the_right_worker(running: tuple[Path, LabState, int]) -> None:
    state_dir, state, _ = running
    client = ControlClient(state_dir)
    assert state.devices["dev3"].worker == 1
    client.set_fault("dev3", AuthFail())
    try:
        with pytest.raises(NetmikoAuthenticationException):
            netmiko_connect(as_info(state, "dev3"))
        netmiko_connect(as_info(state, "dev0")).disconnect()
        listed = {d["name"]: d for d in client.request({"op": "list"})["devices"]}
        assert listed["dev3"]["faults"] == [{"kind": "auth_fail"}]
        assert listed["dev3"]["pid"] == state.devices["dev3"].pid
    finally:
        client.clear_fault("dev3")
    netmiko_connect(as_info(state, "dev3")).disconnect()


def test_status(running: tuple[Path, LabState, int]) -> None:
    state_dir, state, _ = running
    report = manager.status(state_dir)
    assert report.healthy, report.problems
    assert [d.name for d in report.devices] == ["dev0", "dev1", "dev2", "dev3"]
    ControlClient(state_dir).set_fault("dev1", Unreachable())
    try:
        report = manager.status(state_dir)
        dev1 = next(d for d in report.devices if d.name == "dev1")
        assert report.healthy and not dev1.port_open and dev1.faults == (Unreachable(),)
        with pytest.raises(NetmikoTimeoutException):
            netmiko_connect(as_info(state, "dev1"))
    finally:
        ControlClient(state_dir).clear_fault("dev1")


def test_up_twice_refuses(running: tuple[Path, LabState, int]) -> None:
    state_dir, state, _ = running
    with pytest.raises(LabAlreadyRunningError, match=r"already running.*lab down"):
        manager.up(specs(1), state_dir)
    assert LabState.read(state_dir) == state


def test_crash_recovery_and_host_key_reuse(echo_platform: None, tmp_path: Path) -> None:
    options = LabOptions(workers=1)
    first = manager.up(specs(2, "c"), tmp_path, options)
    for pid in first.pids():
        os.kill(pid, signal.SIGKILL)
    assert wait_for(lambda: not any(d.process_alive for d in manager.status(tmp_path).devices))
    report = manager.status(tmp_path)
    assert not report.running
    assert not report.healthy and any("not running" in p for p in report.problems)

    second = manager.up(specs(2, "c"), tmp_path, options)  # stale state is cleaned up
    try:
        for name in ("c0", "c1"):
            assert second.devices[name].host_key == first.devices[name].host_key
        netmiko_connect(as_info(second, "c1")).disconnect()
    finally:
        result = manager.down(tmp_path)
    assert result.was_running and set(result.terminated) == set(second.pids())
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["lab.log"]
    again = manager.down(tmp_path)
    assert not again.was_running and again.terminated == again.killed == ()
    assert manager.status(tmp_path).running is False


def test_start_failure_reports_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(manager.FACTORIES, "broken", manager.FactoryRef("rollout.lab.echo:nope"))
    spec = LabDeviceSpec("b0", "broken", USER, PASSWORD)
    with pytest.raises(LabStartError, match="has no callable 'nope'"):
        manager.up([spec], tmp_path, LabOptions())
    assert not (tmp_path / "state.json").exists()
    assert not manager.status(tmp_path).running


def test_config_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(LabConfigError, match="no lab simulator for platform 'juniper'"):
        manager.up([LabDeviceSpec("j", "juniper", USER, PASSWORD)], tmp_path)
    monkeypatch.setitem(manager.FACTORIES, "echo", manager.FactoryRef(ECHO))
    with pytest.raises(LabConfigError, match="appears twice"):
        manager.up(specs(1) + specs(1), tmp_path)
    monkeypatch.setitem(manager.FACTORIES, "echo", lambda spec, options: None)
    with pytest.raises(LabConfigError, match="cannot be imported by a lab process"):
        manager.up(specs(1), tmp_path)
    with pytest.raises(LabConfigError, match="no devices"):
        manager.up([], tmp_path)


def test_registry_and_state_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert manager.factory_path(manager.FACTORIES["cisco_ios"]) == (
        "rollout.lab.platforms:ios_factory"
    )
    assert manager.factory_path(manager.FACTORIES["polycom"]) == (
        "rollout.lab.platforms:polycom_factory"
    )
    from rollout.lab import echo

    assert manager.factory_path(echo.make_factory) == ECHO
    monkeypatch.setenv("ROLLOUT_LAB_DIR", str(tmp_path / "x"))
    assert manager.default_state_dir() == tmp_path / "x"
    monkeypatch.delenv("ROLLOUT_LAB_DIR")
    assert manager.default_state_dir().name == ".lab"


def test_two_labs_started_at_once_get_distinct_free_ports(
    echo_platform: None, tmp_path: Path
) -> None:
    """No base port: every device binds port 0 and the kernel picks; the real ports are
    published in state.json and endpoints.json, and two labs starting together never race."""
    from concurrent.futures import ThreadPoolExecutor

    dirs = [tmp_path / "a", tmp_path / "b"]
    with ThreadPoolExecutor(2) as pool:
        states = list(
            pool.map(lambda d: manager.up(specs(3, d.name), d, LabOptions(workers=1)), dirs)
        )
    try:
        ports = [dev.port for state in states for dev in state.devices.values()]
        assert len(set(ports)) == 6 and 0 not in ports
        for state_dir, state in zip(dirs, states, strict=True):
            written = json.loads((state_dir / "state.json").read_text())["devices"]
            assert {n: d["port"] for n, d in written.items()} == {
                n: d.port for n, d in state.devices.items()
            }
            for name in state.devices:
                netmiko_connect(as_info(state, name)).disconnect()
    finally:
        for state_dir in dirs:
            manager.down(state_dir)
