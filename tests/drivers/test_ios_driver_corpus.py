"""The IOS driver's plan turns any real config into any other, on the simulator.

For every ordered pair of the corpus (26 real IOS 15.2 configs): load A into a simulated
device, plan A -> B with the driver (the code `rollout plan` and `rollout site` use), type the
plan into the device's CLI as Netmiko would, and check that the driver then plans nothing.
A few pairs also go over real SSH through the driver's Netmiko session.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from rollout.drivers.base import Target
from rollout.drivers.cisco_ios import CiscoIosDriver, ios_plan
from rollout.inventory.model import Platform
from rollout.lab.ios.device import IosDevice
from rollout.lab.ios.rules import physical_defaults
from rollout.lab.platforms import IosLabDevice
from rollout.lab.server import ServerThread

CORPUS = Path(__file__).resolve().parents[1] / "data" / "ios-corpus"
FILES = sorted(CORPUS.glob("*/*.cfg"))
NAMES = [f"{p.parent.name}/{p.stem}" for p in FILES]
TEXTS = {n: p.read_text(encoding="utf-8") for n, p in zip(NAMES, FILES, strict=True)}
PAIRS = list(itertools.permutations(NAMES, 2))
PHYSICAL = re.compile(r"^interface ((?:Gigabit|Fast)?Ethernet\S+)$", re.M)


def same_hardware(source: str, target: str) -> str:
    """Target B on A's hardware: A's ports that B lacks stay, unconfigured.

    (The files also hold one self-contradiction, ``no aaa new-model`` and ``aaa new-model``;
    a device keeps the last, and so does the target.)
    """
    lines = target.splitlines()
    if "aaa new-model" in lines and "no aaa new-model" in lines:
        lines.remove("no aaa new-model")
    for name in sorted(set(PHYSICAL.findall(source)) - set(PHYSICAL.findall(target))):
        lines[-1:-1] = [f"interface {name}", *(f" {x}" for x in physical_defaults(name)), "!"]
    return "\n".join(lines) + "\n"


def apply(device: IosDevice, commands: tuple[str, ...]) -> list[str]:
    session = device.session()
    errors = []
    session.handle("configure terminal")
    for line in (*commands, "end"):
        out = session.handle(line).output
        if out.strip():
            errors.append(f"{line!r}: {out.strip()}")
    return errors


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_driver_plan_converges(source: str, target: str) -> None:
    intended = same_hardware(TEXTS[source], TEXTS[target])
    device = IosDevice.from_config(TEXTS[source])
    plan = ios_plan("dut", device.running_config(), intended)
    assert apply(device, plan.commands) == []
    left = ios_plan("dut", device.running_config(), intended)
    assert left.commands == (), left.commands


def test_plan_is_empty_for_the_same_config() -> None:
    for name in NAMES:
        device = IosDevice.from_config(TEXTS[name])
        intended = same_hardware(TEXTS[name], TEXTS[name])
        assert ios_plan("dut", device.running_config(), intended).commands == ()


@pytest.fixture(scope="module")
def ssh_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    server = ServerThread(tmp_path_factory.mktemp("lab"))
    yield server
    server.close()


@pytest.mark.lab
@pytest.mark.parametrize("name", [n for n in NAMES if n.startswith("live/")][:4])
def test_over_ssh_plan_commit_and_back(ssh_lab: ServerThread, name: str, tmp_path: Path) -> None:
    """live -> candidate -> live through the driver's real Netmiko session."""
    candidate = name.replace("live/", "candidate/")
    user = "username noc privilege 15 secret 0 lab-pass\n"
    start = user + TEXTS[name]
    device = IosDevice.from_config(start)
    info = ssh_lab.add_device(name.replace("/", "-"), IosLabDevice(device), platform="cisco_ios")
    known = tmp_path / "known_hosts"
    known.write_text(info.known_hosts_line() + "\n", encoding="utf-8")
    target = Target(info.name, Platform.CISCO_IOS, info.host, info.port, "noc", "lab-pass", known)
    driver = CiscoIosDriver(target)
    try:
        for want in (TEXTS[candidate], TEXTS[name]):
            intended = user + same_hardware(start, want)
            plan = driver.plan(driver.running_config(), intended)
            driver._configure("push", list(plan.commands), "configure terminal")
            assert driver.plan(driver.running_config(), intended).commands == ()
    finally:
        driver.close()
