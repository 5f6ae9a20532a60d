"""Hostile input: random inventories, argv and device output never crash or hang the tool."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rollout.cli.main import cli
from rollout.drivers import polycom_api
from rollout.drivers.cisco_ios import ios_plan
from rollout.drivers.polycom import polycom_plan
from rollout.errors import RolloutError
from rollout.inventory.loader import load_inventory
from rollout.lock import acquire, release

FAST = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)


@FAST
@given(doc=documents, raw=st.binary(max_size=200), as_bytes=st.booleans())
def test_inventory_loader_only_raises_rollout_errors(
    repo: Path, doc: object, raw: bytes, as_bytes: bool
) -> None:
    target = repo / "inventory/sites/bao-thang.yml"
    if as_bytes:
        target.write_bytes(raw)
    else:
        target.write_text(yaml.safe_dump(doc, allow_unicode=True))
    with contextlib.suppress(RolloutError):
        load_inventory(repo)


words = st.sampled_from(
    [
        "plan",
        "site",
        "lint",
        "audit",
        "trust",
        "validate",
        "render",
        "backup",
        "rollback",
        "drift",
        "lab",
        "fault",
        "--all",
        "--lab",
        "--format",
        "json",
        "--since",
        "7d",
        "--to",
        "bao-thang",
        "nowhere",
        "--yes",
        "--dry-run",
        "--revert-minutes",
        "0",
        "-h",
        "--repo",
    ]
)


@FAST
@given(argv=st.lists(st.one_of(words, st.text(max_size=12)), max_size=5))
def test_random_argv_exits_0_1_2_without_traceback(repo: Path, argv: list[str]) -> None:
    if any(a in {"site", "backup", "rollback", "trust", "lab"} for a in argv) and "--lab" in argv:
        argv = [a for a in argv if a != "--yes"]  # never confirm a rollout into nowhere
    env = {
        "ROLLOUT_REPO": str(repo),
        "ROLLOUT_LAB_DIR": str(repo / "no-lab"),
        "ROLLOUT_AUDIT_LOG": str(repo / "var/audit.log"),
        "ROLLOUT_DEVICE_TIMEOUT": "1",
    }
    result = CliRunner().invoke(cli, argv, env=env, input="n\n", prog_name="rollout")
    assert result.exit_code in (0, 1, 2), (argv, result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), (argv, repr(result.exception))


@FAST
@given(text=st.text(max_size=400))
def test_device_output_parsers_on_garbage(text: str) -> None:
    polycom_api.parse_settings(text)
    polycom_plan("codec", text, 'h323name set "x"\n')
    ios_plan("rtr", text, "hostname rtr\n")


def test_huge_running_config_plans() -> None:
    big = "".join(f"interface Loopback{n}\n description x{n}\n" for n in range(3000))
    assert ios_plan("rtr", big, "hostname rtr\n").changed


def test_stale_lock_of_a_dead_pid_is_taken_over(tmp_path: Path) -> None:
    import json
    import socket

    folder = tmp_path / "var/locks"
    folder.mkdir(parents=True)
    dead = 2**22 + 7
    (folder / "bao-thang.lock").write_text(
        json.dumps(
            {
                "site": "bao-thang",
                "pid": dead,
                "user": "x",
                "host": socket.gethostname(),
                "start": "2026-01-01T00:00:00Z",
                "command": "rollout site bao-thang",
            }
        )
    )
    lock = acquire(tmp_path, ["bao-thang"])
    assert [h.pid for h in lock.stale] == [dead]
    assert json.loads((folder / "bao-thang.lock").read_text())["pid"] == os.getpid()
    release(lock)
    assert not (folder / "bao-thang.lock").exists()


@pytest.mark.lab
def test_device_that_never_shows_a_prompt_fails_within_its_timeout(tmp_path: Path) -> None:
    """An SSH server that accepts the login and then answers only garbage, forever."""
    import asyncio
    import threading
    import time

    import asyncssh

    from rollout.drivers.base import DeviceError, Target
    from rollout.drivers.cisco_ios import CiscoIosDriver
    from rollout.inventory.model import Platform
    from rollout.trust import HostKey, record

    key = asyncssh.generate_private_key("ssh-ed25519")
    loop = asyncio.new_event_loop()

    async def garbage(process: asyncssh.SSHServerProcess[str]) -> None:
        for _ in range(2000):
            process.stdout.write("\x1b[2J%%%%garbage without a prompt " * 20 + "\r\n")
            await asyncio.sleep(0.005)
        await asyncio.sleep(60)

    class Server(asyncssh.SSHServer):
        def password_auth_supported(self) -> bool:
            return True

        def validate_password(self, username: str, password: str) -> bool:
            return True

    async def serve() -> asyncssh.SSHAcceptor:
        return await asyncssh.create_server(
            Server, "127.0.0.1", 0, server_host_keys=[key], process_factory=garbage
        )

    server = loop.run_until_complete(serve())
    port = server.sockets[0].getsockname()[1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        known = tmp_path / "known_hosts"
        kind, blob = key.export_public_key("openssh").decode().split()[:2]
        record(known, "127.0.0.1", port, HostKey(kind, blob))
        target = Target("junk", Platform.CISCO_IOS, "127.0.0.1", port, "u", "p", known, 2.0)
        start = time.monotonic()
        with pytest.raises(DeviceError):
            CiscoIosDriver(target).running_config()
        assert time.monotonic() - start < 30
    finally:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
