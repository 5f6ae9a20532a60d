"""Faults before anything is pushed: unreachable, wrong credentials, slow replies, full disk.

Each fault is injected into one device of a lab twin over real SSH; the command must fail
with exit 1 and a message naming the device, what happened and what to do, while every
device stays in its old configuration and no backup is lost or overwritten.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from faultlab import FaultLab, start

pytestmark = pytest.mark.lab
SITE = "bao-thang"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultLab]:
    handle = start(tmp_path_factory.mktemp("connect"), [SITE], 12)
    try:
        yield handle
    finally:
        handle.run("lab", "down")


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ({"kind": "unreachable"}, "no answer from"),
        ({"kind": "unreachable", "mode": "blackhole"}, "no answer from"),
        ({"kind": "auth_fail"}, "authentication failed"),
        ({"kind": "slow", "seconds": 30}, "bao-thang-sw01"),
    ],
    ids=["refused", "blackhole", "auth", "slow"],
)
def test_connect_fault_fails_that_device_only(
    lab: FaultLab, fault: dict[str, object], said: str
) -> None:
    before = lab.backup_files()
    with lab.faulted("bao-thang-sw01", fault):
        proc = lab.run("backup", SITE, "--lab", check=1, timeout=60)
    out = proc.stdout + proc.stderr
    assert "bao-thang-sw01" in out and said in out, out
    assert all(lab.backup_files()[p] == data for p, data in before.items()), "backup changed"
    assert set(lab.states(SITE).values()) == {"old"}


def test_full_disk_while_writing_a_backup(lab: FaultLab, tmp_path: Path) -> None:
    """A real ENOSPC: the backup store on a tiny tmpfs (root), else RLIMIT_FSIZE (EFBIG)."""
    store = tmp_path / "store"
    store.mkdir()
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(store)],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    if not mounted:
        pytest.skip("cannot mount a tmpfs here")
    try:
        old = store / SITE / "20250101T000000Z" / "bao-thang-sw01.txt"
        old.parent.mkdir(parents=True)
        old.write_text("hostname kept\n")
        fd = os.open(store / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while os.write(fd, b"x" * 512):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        env = {**lab.env, "ROLLOUT_BACKUP_DIR": str(store)}
        proc = subprocess.run(
            [str(Path(lab.env["PATH"].split(":")[0]) / "rollout"), "site", SITE, "--lab", "--yes"],
            cwd=lab.repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        assert proc.returncode == 1, proc.stdout + proc.stderr
        out = proc.stdout + proc.stderr
        assert "No space left on device" in out and "nothing was pushed" in out, out
        assert "Traceback" not in out
        assert old.read_text() == "hostname kept\n", "an older backup was lost"
        assert not list(store.rglob(".*.tmp")), "a partial backup was left behind"
    finally:
        subprocess.run(["umount", str(store)], check=False)
    assert set(lab.states(SITE).values()) == {"old"}


def test_a_login_refused_ahead_of_the_backup_fails_that_backup(lab: FaultLab) -> None:
    """The site's other devices log in while its lock is taken: a refused login is that
    device's backup failure (audited as such), and nothing is sent to the site."""
    import json

    log = lab.repo / "var" / "audit.log"
    seen = len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0
    with lab.faulted("bao-thang-sw01", {"kind": "auth_fail"}):
        proc = lab.run("site", SITE, "--lab", "--yes", check=1, timeout=120)
    out = proc.stdout + proc.stderr
    assert "bao-thang-sw01" in out and "authentication failed" in out, out
    entries = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()[seen:]]
    failed = [e for e in entries if e["result"] == "failed"]
    assert [(e["action"], e["devices"]) for e in failed] == [("backup", ["bao-thang-sw01"])]
    assert "authentication failed" in failed[0]["detail"]
    assert not [e for e in entries if e["action"] == "push"]
    assert set(lab.states(SITE).values()) == {"old"}
