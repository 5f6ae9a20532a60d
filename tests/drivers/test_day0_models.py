"""From each supported model's factory day-0 to the site's intent in one run, platform untouched.

For every model of ``rollout.hardware.MODELS`` the pilot's router or switch is given that model
(and ports of that model), its lab twin starts from the model's day-0 (the factory lines of a
public ``show running-config`` plus the provider's staging, ``rollout.lab.day0``), the driver
plans the way to the rendered intent, the plan is typed into the twin, and a second plan must be
empty. The plan must leave every factory platform line alone: it reports them as unmanaged and
sends no line that negates, defaults or changes them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rollout.drivers.cisco_ios import ios_plan
from rollout.drivers.ios_rules import IDENTITY, clean
from rollout.drivers.ios_scope import key as scope_key
from rollout.drivers.ios_sections import Node, parse
from rollout.hardware import MODELS, HardwareModel
from rollout.inventory.loader import Inventory, load_inventory
from rollout.inventory.model import Device, Role, Router, Switch
from rollout.lab.day0 import ios_day0
from rollout.lab.ios.device import IosDevice
from rollout.render import render_device
from rollout.secrets import Secrets, load_secrets

REPO = Path(__file__).resolve().parents[2]
PILOT = "bao-thang"


@pytest.fixture(scope="module")
def world() -> tuple[Inventory, Secrets]:
    return load_inventory(REPO), load_secrets(REPO)


def on_model(device: Device, hw: HardwareModel) -> Device:
    """The pilot's device as one of ``hw``: its model and ports of that model."""
    ports = hw.data_ports
    if isinstance(device, Router):
        update = {"wan_interface": ports[0], "lan_interface": ports[1]}
    else:
        assert isinstance(device, Switch)
        update = {"codec_port": ports[0], "room_client_port": ports[1], "uplink": ports[-1]}
    return device.model_copy(update={"model": hw.name, **update})


def typed(device: IosDevice, commands: tuple[str, ...]) -> list[str]:
    """The plan typed line by line into a privileged session, as a live session sends it."""
    session = device.session(privilege=15)
    errors: list[str] = []
    session.handle("configure terminal")
    for command in (*commands, "end"):
        for line in command.splitlines():
            out = session.handle(line).output
            if "% " in out:
                errors.append(f"{line!r}: {out.strip()}")
    return errors


def head(line: str) -> str:
    """A line's command family: its first two words, without a leading ``no``."""
    return " ".join(line.removeprefix("no ").split()[:2])


def platform_lines(hw: HardwareModel, intended: str) -> set[str]:
    """The factory's own top-level lines of a family the site's intent never mentions (not the
    ports, which the intent may own)."""
    rendered = {head(line) for line in intended.splitlines() if line and not line[0].isspace()}
    return {
        line
        for line in hw.day0_lines
        if line.strip()
        and not line.startswith((" ", "!", "interface ", "version ", "hostname ", "boot-"))
        and line != "end"
        and head(line) not in rendered
    }


@pytest.mark.parametrize("name", sorted(MODELS))
def test_day0_to_intent_in_one_run_platform_untouched(
    world: tuple[Inventory, Secrets], name: str
) -> None:
    inv, secrets = world
    hw = MODELS[name]
    site = inv.sites[PILOT]
    role = Role.WAN_ROUTER if hw.role == "wan_router" else Role.LAN_SWITCH
    pilot_device = site.device(role)
    assert pilot_device is not None
    device = on_model(pilot_device, hw)
    site = site.model_copy(
        update={"devices": [device if d.role == role else d for d in site.devices]}
    )
    intended = render_device(inv, site, device, secrets).text
    twin = IosDevice.from_config(ios_day0(inv, device, secrets), model=hw.name)
    before = twin.running_config()
    platform = {line for line in platform_lines(hw, intended) if line in before.splitlines()}
    assert platform, f"{name}: the twin shows none of its factory lines"

    plan = ios_plan(device.hostname, before, intended)
    assert plan.commands, f"{name}: a day-0 device needs the site's configuration"
    assert outside_scope(plan.commands, intended) == [], f"{name}: plan outside the scope"
    touched = [
        c
        for c in plan.commands
        for line in platform
        if c.strip() in (f"no {line}", f"default {line}", line.removeprefix("no "))
    ]
    assert touched == [], f"{name}: the plan touches factory lines: {touched}"
    assert set(plan.unmanaged) >= {line for line in platform if not line.startswith("no ")}, (
        f"{name}: factory lines not reported as unmanaged: {sorted(platform - set(plan.unmanaged))}"
    )

    assert typed(twin, plan.commands) == [], f"{name}: the twin refused part of the plan"
    after = twin.running_config()
    assert platform <= set(after.splitlines()), f"{name}: a factory line was lost"
    again = ios_plan(device.hostname, after, intended)
    assert again.commands == (), f"{name}: not converged in one run: {again.commands}"


# Public `show running-config` outputs of the supported models (tests/data/ios-public, origins
# in its SOURCE.md): other trains and other factory lines than the model's own day-0 (IOS-XE
# 17.6 call-home block and SLA-TrustPoint on a C9200L, `mgcp` / `wsma agent` lines on an
# ISR4331 16.6, `voice-card` / `license boot suite` on an ISR4321 16.6).
PUBLIC_UNITS: dict[str, tuple[str, ...]] = {
    "C9200-24P": ("cat9200/epoka-SwitchL3EPOKA.cfg", "cat9200/cubcal-SwitchLv3.cfg"),
    "ISR4331": ("isr4331/khaleel-Router-B.cfg",),
    "ISR4321": ("isr4321/techbridge-R1.cfg", "isr4321/vnet-R1.cfg"),
    "WS-C2960X-24PS-L": ("cat2960x/dkfun-DK-P1-SW01.cfg",),
}
PUBLIC = REPO / "tests" / "data" / "ios-public"
PLATFORM_HEADS = ("platform ", "license ", "switch ", "redundancy", "control-plane", "vrf ")


@pytest.mark.parametrize(
    ("name", "path"),
    [(m, p) for m, paths in sorted(PUBLIC_UNITS.items()) for p in paths],
)
def test_public_unit_to_intent_platform_untouched(
    world: tuple[Inventory, Secrets], name: str, path: str
) -> None:
    """A unit running a published config of its model reaches the intent in one run; the
    platform's lines are neither negated nor lost, every line rollout does not own is reported
    unmanaged."""
    inv, secrets = world
    hw = MODELS[name]
    site = inv.sites[PILOT]
    role = Role.WAN_ROUTER if hw.role == "wan_router" else Role.LAN_SWITCH
    pilot_device = site.device(role)
    assert pilot_device is not None
    device = on_model(pilot_device, hw)
    site = site.model_copy(
        update={"devices": [device if d.role == role else d for d in site.devices]}
    )
    intended = render_device(inv, site, device, secrets).text
    text = (PUBLIC / path).read_text(encoding="utf-8")
    twin = IosDevice.from_config(text, model=hw.name)
    before = twin.running_config()
    platform = {
        line
        for line in before.splitlines()
        if line.startswith(PLATFORM_HEADS)
        and head(line) not in _heads(intended)
        and not IDENTITY.match(line)
    }
    assert platform, f"{path}: no platform line"

    plan = ios_plan(device.hostname, before, intended)
    assert outside_scope(plan.commands, intended) == [], f"{path}: plan outside the scope"
    sent = {c.strip() for c in plan.commands}
    negated = sorted(line for line in platform if f"no {line}" in sent or f"default {line}" in sent)
    assert negated == [], f"{path}: the plan negates platform lines {negated}"
    unmanaged = set(plan.unmanaged)
    wanted = {scope_key(n)[0] for n in parse(clean(intended))}
    for node in parse(clean(before)):
        k, family = scope_key(node)
        owned = (family is not None and family.always) or k in wanted
        assert owned or node.text in unmanaged, f"{path}: {node.text!r} neither owned nor reported"
        assert not (owned and node.text in unmanaged), f"{path}: {node.text!r} owned and reported"

    assert typed(twin, plan.commands) == [], f"{path}: the twin refused part of the plan"
    after = twin.running_config()
    assert platform <= set(after.splitlines()), f"{path}: a platform line was lost"
    again = ios_plan(device.hostname, after, intended)
    assert again.commands == (), f"{path}: not converged in one run: {again.commands}"


def outside_scope(commands: tuple[str, ...], intended: str) -> list[str]:
    """The plan's top-level commands whose family rollout does not own (ios_scope)."""
    wanted = {scope_key(n)[0] for n in parse(clean(intended))}
    wanted |= {n.text for n in parse(clean(intended))}
    out = []
    for i, command in enumerate(commands):
        if command.startswith(" ") or "\n" in command:
            continue
        body = command.removeprefix("no ").removeprefix("default ")
        section = i + 1 < len(commands) and commands[i + 1].startswith(" ")
        k, family = scope_key(Node(body, [Node("")] if section else []))
        if not ((family is not None and family.always) or k in wanted):
            out.append(command)
    return out


def _heads(text: str) -> set[str]:
    return {head(line) for line in text.splitlines() if line and not line[0].isspace()}
