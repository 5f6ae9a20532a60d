"""The network lab's tests: unit tests run anywhere; `netlab` tests need root and the packages
in .ci/debian-packages.txt, and make (and remove) their own rl-* namespaces."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from netlabkit import netlab_skip_reason

from repocopy import copy_repo


@pytest.fixture(scope="module")
def lab_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A repository copy with the pilot's network lab up (router pushed over its sshd), removed
    afterwards."""
    reason = netlab_skip_reason()
    if reason:
        pytest.skip(reason)
    from rollout.inventory.loader import load_inventory
    from rollout.netlab import lab, router
    from rollout.secrets import load_secrets

    if "rl-hub" in lab.namespaces_in_use():
        pytest.skip("another network lab is up on this machine (rl-hub exists)")
    root = copy_repo(tmp_path_factory.mktemp("netlab") / "repo")
    inv = load_inventory(root)
    folder = root / ".netlab"
    secrets = load_secrets(root)
    lab.up(inv, ["bao-thang"], folder, secrets=secrets)
    try:
        router.push(inv, folder, "bao-thang", secrets)
        yield root
    finally:
        lab.down(folder)
