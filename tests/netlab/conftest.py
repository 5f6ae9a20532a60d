"""The network lab's tests: unit tests run anywhere; `netlab` tests need root and the packages
in .ci/debian-packages.txt, and make (and remove) their own namespaces, named for a fresh lab id
per lab (rl<id>-hub ...), so that other labs on the machine (a developer's, another run's) stay
out of their way and they out of others'."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from netlabkit import netlab_skip_reason, new_lab_id
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

    root = copy_repo(tmp_path_factory.mktemp("netlab") / "repo")
    inv = load_inventory(root)
    folder = root / ".netlab"
    secrets = load_secrets(root)
    lab.up(inv, ["bao-thang"], folder, secrets=secrets, lab_id=new_lab_id())
    try:
        router.push(inv, folder, "bao-thang", secrets)
        yield root
    finally:
        lab.down(folder)
