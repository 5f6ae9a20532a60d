"""When the network lab can run here; in CI (CI=true) a missing part is a failure, not a skip.
Each test lab has a fresh random lab id, so that two runs on one machine share no name."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from rollout.netlab.names import new_id
from rollout.netlab.state import NetlabState

NEEDED = ("ip", "tc", "nft", "vtysh", "kamailio", "sipp", "/usr/sbin/sshd")


def netlab_skip_reason() -> str | None:
    if os.geteuid() != 0:
        reason = "the network lab needs root (namespaces, tc, nftables)"
    else:
        missing = [b for b in NEEDED if shutil.which(b) is None]
        if not Path("/usr/lib/frr/zebra").exists():
            missing.append("/usr/lib/frr/zebra")
        if not missing:
            return None
        reason = f"missing {', '.join(missing)}: install .ci/debian-packages.txt"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the network lab, but {reason}")
    return reason


def new_lab_id() -> str:
    """A fresh lab id for one test lab (never the default, empty one)."""
    return new_id()


def lab_state(folder: Path) -> NetlabState:
    """The lab state in folder; fails the test if there is none."""
    state = NetlabState.read(folder)
    assert state is not None, f"no network lab state in {folder}"
    return state
