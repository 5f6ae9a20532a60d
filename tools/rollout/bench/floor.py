"""The floor of a drift run: bare Netmiko sessions that read each configuration, no diff.

Same devices, same pool size, same host-key checking as `rollout drift`; nothing rendered,
parsed or compared. Run as its own process (``python -m rollout.bench.floor``) so that its
CPU time and peak memory are measured the same way as ours. Prints one JSON object.
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    import argparse

    from rollout.drivers import polycom_api as api
    from rollout.drivers.polycom import PolycomDriver, managed_keys
    from rollout.drivers.session import open_session
    from rollout.inventory.loader import load_inventory
    from rollout.inventory.model import Platform
    from rollout.ops import preload
    from rollout.secrets import load_secrets
    from rollout.targets import managed_devices

    parser = argparse.ArgumentParser(prog="python -m rollout.bench.floor")
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--lab-dir", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args(argv)

    inv = load_inventory(args.repo)
    secrets = load_secrets(args.repo)
    devices = managed_devices(
        inv, list(inv.sites), secrets, lab=args.lab_dir, timeout=args.timeout, lab_only=True
    )
    preload()
    commands = api.read_commands(managed_keys())

    def read(target: object) -> int:
        from rollout.drivers.base import Target

        assert isinstance(target, Target)
        if target.platform is Platform.POLYCOM:
            driver = PolycomDriver(target)  # one write of every `get`, read to the last prompt
            try:
                return len(driver._read("read", commands))
            finally:
                driver.close()
        conn = open_session(target, "cisco_ios")
        try:
            return len(conn.send_command("show running-config", read_timeout=3 * target.timeout))
        finally:
            conn.disconnect()

    errors = 0
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        futures = [pool.submit(read, m.target) for m in devices]
        for future in futures:
            try:
                future.result()
            except Exception:
                errors += 1
    wall = time.monotonic() - start
    json.dump({"devices": len(devices), "errors": errors, "seconds": wall}, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
