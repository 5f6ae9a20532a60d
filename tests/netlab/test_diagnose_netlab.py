"""`rollout diagnose SITE --netlab`: each fault the network lab imposes with real packets is
named in the right segment first, and a healthy site is healthy (exit 0).

One lab for the file (the pilot, router pushed); each fault is imposed through
`rollout.netlab.faults`, diagnosed through the command as an engineer runs it, then cleared.
The network lab holds the site's router (a linux_router) and the hub's monitor (its view of the
site: DSCP arriving, the registrar's and the MCU's SIP answers); the switch and the codec are
not in it, which the command reports as left out, not as a fault.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rollout.cli.main import cli
from rollout.inventory.loader import load_inventory
from rollout.netlab import faults, lab
from rollout.netlab import hubview as hv

pytestmark = pytest.mark.netlab
SITE = "bao-thang"


@pytest.fixture(scope="module")
def netlab_root(lab_repo: Path) -> Iterator[Path]:
    state = lab.NetlabState.read(lab_repo / ".netlab")
    assert state is not None
    yield lab_repo
    faults.clear(state)


def _fresh_hub_view() -> None:
    """Wait until the hub's monitor has a window wholly after the fault was imposed."""
    time.sleep(hv.PERIOD_S * (hv.WINDOW + 1))


def diagnose(root: Path) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(
        cli, ["diagnose", SITE, "--netlab", "--repo", str(root), "--format", "json"]
    )
    data = json.loads(result.stdout)
    return result.exit_code, data, result.stderr


@pytest.mark.parametrize(
    ("kind", "severity", "segment"),
    [
        ("loss", 20.0, "wan"),
        ("jitter", 60.0, "wan"),
        ("qos-removed", None, "config"),
        ("provider-drops", None, "wan"),
        ("dscp-bleach", None, "wan"),
        ("registrar-down", None, "hub"),
        ("mcu-unreachable", None, "hub"),
        ("media-blocked", None, "config"),
        ("cloud-unreachable", None, "cloud"),
    ],
)
def test_each_fault_is_found_in_its_segment(
    netlab_root: Path, kind: str, severity: float | None, segment: str
) -> None:
    inv = load_inventory(netlab_root)
    state = lab.NetlabState.read(netlab_root / ".netlab")
    assert state is not None
    faults.impose(inv, state, SITE, kind, severity)
    try:
        _fresh_hub_view()
        code, data, err = diagnose(netlab_root)
        assert data["verdict"] == "fault", (kind, data, err)
        assert data["causes"][0]["segment"] == segment, (kind, data["causes"])
        assert code == 2, (kind, code, err)
    finally:
        faults.clear(state, SITE)


def test_a_healthy_site_is_healthy(netlab_root: Path) -> None:
    _fresh_hub_view()
    code, data, err = diagnose(netlab_root)
    assert data["verdict"] == "healthy", (data, err)
    assert code == 0, err


def test_link_flaps_last(netlab_root: Path) -> None:
    """Last of the file: the router's link counters remember flaps (FRR's "Link ups/downs"),
    and diagnose reports them for the log's window, as it should."""
    inv = load_inventory(netlab_root)
    state = lab.NetlabState.read(netlab_root / ".netlab")
    assert state is not None
    faults.impose(inv, state, SITE, "link-flaps", 3)
    try:
        code, data, err = diagnose(netlab_root)
        assert data["causes"] and data["causes"][0]["code"] == "wan.link_flaps", data
        assert code == 2, err
    finally:
        faults.clear(state, SITE)
