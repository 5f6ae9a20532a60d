"""Fixtures of the flow tests: the pilot's and the hub's routers rendered from a repository."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from repocopy import REPO
from rollout.acl import Ace, extended_acls
from rollout.inventory.loader import Inventory, load_inventory
from rollout.inventory.model import Role
from rollout.render import render_device
from rollout.secrets import load_secrets

Acls = dict[str, list[Ace]]


def router_acls(root: Path, slug: str) -> Acls:
    """The extended lists of the site's rendered router configuration, in order."""
    inv = load_inventory(root)
    site = inv.sites[slug]
    router = site.device(Role.WAN_ROUTER)
    assert router is not None
    return extended_acls(render_device(inv, site, router, load_secrets(root)).text)


@pytest.fixture(scope="module")
def inv() -> Inventory:
    return load_inventory(REPO)


@pytest.fixture(scope="module")
def pilot() -> Acls:
    return router_acls(REPO, "bao-thang")


@pytest.fixture(scope="module")
def hub() -> Acls:
    return router_acls(REPO, "ubnd-tinh")


@pytest.fixture
def acls_of() -> Callable[[Path, str], Acls]:
    return router_acls
