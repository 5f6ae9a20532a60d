"""linux_router's lock marker (LinuxRouterDriver.take_lock ...) over a local shell: the same
command lines the driver sends over SSH, run by /bin/sh in a temporary folder."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path, PurePosixPath

from rollout.drivers.base import DeviceError, DeviceLocking, Target
from rollout.drivers.linux_router import LinuxRouterDriver
from rollout.engine import devlock
from rollout.inventory.model import Platform


class LocalShell:
    """The router's shell, here: the driver's command lines through /bin/sh."""

    def run(self, step: str, command: str, *, check: bool = True, timeout: float = 0) -> str:
        done = subprocess.run(
            ["/bin/sh", "-c", command], capture_output=True, text=True, timeout=30, check=False
        )
        if check and done.returncode != 0:
            raise DeviceError("rtr", step, done.stderr)
        return done.stdout

    def read(self, path: PurePosixPath) -> str | None:
        p = Path(str(path))
        return p.read_text() if p.exists() else None

    def write(self, path: PurePosixPath, text: str) -> None:
        Path(str(path)).write_text(text)

    def close(self) -> None:
        pass


def _driver(folder: Path) -> LinuxRouterDriver:
    target = Target("rtr", Platform.LINUX_ROUTER, "127.0.0.1", 22, "root", "", folder=str(folder))
    return LinuxRouterDriver(target, LocalShell())


def test_marker_taken_once_read_and_released(tmp_path: Path) -> None:
    drivers = [_driver(tmp_path) for _ in range(8)]
    assert all(isinstance(d, DeviceLocking) for d in drivers)
    line = devlock.me("bao-thang", "rollout site bao-thang", "t0k3n").encode()
    won: list[bool] = []
    threads = [threading.Thread(target=lambda d=d: won.append(d.take_lock(line))) for d in drivers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(won) == [False] * 7 + [True]  # mkdir: exactly one makes it
    assert drivers[0].lock_holder() == line
    assert not drivers[0].revert_pending()
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        (tmp_path / "revert.pid").write_text(f"{sleeper.pid}\n")
        assert drivers[0].revert_pending()
    finally:
        sleeper.kill()
        sleeper.wait()
    assert not drivers[0].revert_pending()
    drivers[1].release_lock()
    assert drivers[0].lock_holder() is None
    (tmp_path / "rollout.lock").mkdir()
    assert drivers[0].lock_holder() == ""  # made, its line not written yet
