"""Two network labs on one machine at once, for the same site: each has its own names and
management block, both routers answer over their own sshd, and taking one lab down (also with
--force) leaves the other one whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rollout.inventory.loader import Inventory, load_inventory
from rollout.netlab import lab, ns, router
from rollout.secrets import Secrets, load_secrets

pytestmark = pytest.mark.netlab
SITE = "bao-thang"


@pytest.fixture(scope="module")
def two_labs(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Inventory, Secrets, Path, Path]]:
    from netlabkit import netlab_skip_reason, new_lab_id
    from repocopy import copy_repo

    reason = netlab_skip_reason()
    if reason:
        pytest.skip(reason)
    root = copy_repo(tmp_path_factory.mktemp("two-labs") / "repo")
    inv, secrets = load_inventory(root), load_secrets(root)
    first, second = root / ".netlab-a", root / ".netlab-b"
    ids = [new_lab_id()]
    ids.append(next(i for i in iter(new_lab_id, None) if i != ids[0]))
    try:
        lab.up(inv, [SITE], first, secrets=secrets, lab_id=ids[0])
        lab.up(inv, [SITE], second, secrets=secrets, lab_id=ids[1])
        yield inv, secrets, first, second
    finally:
        lab.down(first)
        lab.down(second)


def _answers(inv: Inventory, folder: Path, secrets: Secrets) -> bool:
    """A real login to the lab's router over its sshd (vault key, host key checked)."""
    drv = router.ssh_driver(inv, folder, SITE, secrets)
    try:
        return bool(drv.running_config())
    finally:
        drv.close()


def test_two_labs_of_one_site_run_side_by_side_and_one_down_leaves_the_other(
    two_labs: tuple[Inventory, Secrets, Path, Path],
) -> None:
    inv, secrets, first, second = two_labs
    a, b = lab.NetlabState.read(first), lab.NetlabState.read(second)
    assert a is not None and b is not None
    assert a.lab_id != b.lab_id
    assert not set(a.namespaces) & set(b.namespaces)
    assert not set(a.links) & set(b.links)
    assert not set(a.paths) & set(b.paths)
    assert a.mgmt_block != b.mgmt_block
    assert a.sites[SITE].mgmt != b.sites[SITE].mgmt
    present = set(ns.namespaces())
    assert set(a.namespaces) <= present and set(b.namespaces) <= present
    assert _answers(inv, first, secrets) and _answers(inv, second, secrets)

    done = lab.down(first, force=True)
    assert done
    assert not set(a.namespaces) & set(ns.namespaces())
    assert not [n for n in ns.links() if a.names.owns(n)]
    # the other lab is whole: namespaces, links, processes, files, its router's sshd
    assert set(b.namespaces) <= set(ns.namespaces())
    assert set(b.links) <= set(ns.links())
    assert all(ns.alive(p.pid) for p in b.processes), b.processes
    assert all(Path(p).exists() for p in b.paths)
    assert _answers(inv, second, secrets)
