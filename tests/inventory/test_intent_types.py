"""Every template reads only its device's typed intent; a name the intent lacks fails the render."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jinja2
import pytest
from jinja2 import meta

from rollout.intent import (
    DeviceIntent,
    IosRouterIntent,
    IosSwitchIntent,
    LinuxRouterIntent,
    PolycomCodecIntent,
    RoomClientIntent,
    device_context,
    device_intent,
    template_context,
)
from rollout.inventory.loader import load_inventory
from rollout.inventory.model import Platform, Role, Router
from rollout.render import RenderError, environment, render_device, template_name
from rollout.secrets import load_secrets

REPO = Path(__file__).resolve().parents[2]

TEMPLATES: dict[str, type[DeviceIntent]] = {
    "cisco_ios/wan_router.j2": IosRouterIntent,
    "cisco_ios/lan_switch.j2": IosSwitchIntent,
    "linux_router/wan_router.j2": LinuxRouterIntent,
    "polycom/codec.j2": PolycomCodecIntent,
    "vmeeting/room_client.j2": RoomClientIntent,
}


def _names(env: jinja2.Environment, name: str) -> set[str]:
    """The variables a template and the templates it includes read from their context."""
    assert env.loader is not None
    source = env.loader.get_source(env, name)[0]
    tree = env.parse(source)
    names = set(meta.find_undeclared_variables(tree))
    for included in meta.find_referenced_templates(tree):
        assert included is not None, f"{name} includes a computed name"
        names |= _names(env, included)
    return names


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_a_template_reads_only_fields_of_its_intent(name: str) -> None:
    fields = {f.name for f in dataclasses.fields(TEMPLATES[name])}
    read = _names(environment(REPO), name)
    assert read, name
    assert read <= fields, f"{name} reads {sorted(read - fields)}, not in its intent"
    assert not read & {"site", "device", "province", "inv"}


def test_every_device_gets_the_intent_of_its_template() -> None:
    inv = load_inventory(REPO)
    secrets = load_secrets(REPO)
    seen = set()
    for site in inv.sites.values():
        for device in site.devices:
            intent = device_intent(inv, site, device, secrets)
            assert type(intent) is TEMPLATES[template_name(device)], device.hostname
            assert intent.hostname == device.hostname
            seen.add(type(intent))
    assert seen == set(TEMPLATES.values()) - {LinuxRouterIntent}


def test_a_linux_router_gets_the_linux_intent() -> None:
    inv = load_inventory(REPO)
    site = inv.sites["bao-thang"]
    router = site.device(Role.WAN_ROUTER)
    assert isinstance(router, Router)
    linux = router.model_copy(
        update={
            "platform": Platform.LINUX_ROUTER,
            "wan_interface": "eth0",
            "lan_interface": "eth1",
        }
    )
    intent = device_intent(inv, site, linux, load_secrets(REPO))
    assert isinstance(intent, LinuxRouterIntent)
    assert (intent.wan_ifname, intent.lan_ifname) == ("eth0", "eth1")
    assert intent.htb[-1].name == "class-default"
    assert intent.htb[-1]["classid"] == intent.htb_default


def test_an_intent_is_frozen_and_its_context_is_a_copy() -> None:
    inv = load_inventory(REPO)
    site = inv.sites["bao-thang"]
    router = site.device(Role.WAN_ROUTER)
    assert router is not None
    intent = device_intent(inv, site, router, load_secrets(REPO))
    assert isinstance(intent, IosRouterIntent)
    with pytest.raises(dataclasses.FrozenInstanceError):
        intent.wan_peer = "192.0.2.1"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        intent.qos[0].kbps = 1  # type: ignore[misc]
    context = template_context(intent)
    assert set(context) == {f.name for f in dataclasses.fields(intent)}
    context["routes"].clear()
    assert intent.routes
    assert device_context(inv, site, router, load_secrets(REPO))["wan_peer"] == intent.wan_peer
    with pytest.raises(KeyError):
        intent.qos[0]["no_such_field"]


def test_a_template_reading_a_name_the_intent_lacks_fails_loudly(repo: Path) -> None:
    template = repo / "templates" / "vmeeting" / "room_client.j2"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("{{ room_id }}", "{{ device.room_id }}"), encoding="utf-8")
    inv = load_inventory(repo)
    site = inv.sites["bao-thang"]
    client = site.device(Role.ROOM_CLIENT)
    assert client is not None
    with pytest.raises(RenderError, match=r"undefined value.*'device' is undefined"):
        render_device(inv, site, client, load_secrets(repo))


def test_a_record_field_the_intent_lacks_fails_loudly(repo: Path) -> None:
    template = repo / "templates" / "cisco_ios" / "wan_router.j2"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("{{ s.vlan_id }}", "{{ s.vlan.id }}", 1), encoding="utf-8")
    inv = load_inventory(repo)
    site = inv.sites["bao-thang"]
    router = site.device(Role.WAN_ROUTER)
    assert router is not None
    with pytest.raises(RenderError, match="has no attribute 'vlan'"):
        render_device(inv, site, router, load_secrets(repo))
