"""When the network lab can run here; in CI (CI=true) a missing part is a failure, not a skip."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

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
