"""Where a device is: the one record production reads to reach a device, whoever runs it.

A live device is reached at its inventory address. A lab (the lab twin, ``rollout lab up``; the
network lab, ``rollout netlab up``) writes the endpoints of the devices it runs into one file in
its state folder, ``endpoints.json``; ``rollout.targets`` reads that file and nothing else of
the lab. An endpoint says which platform answers for the device name (the network lab runs a
``linux_router`` in place of a site's WAN router: ``rollout.standin``) and how long a device
"minute" lasts for revert timers (60 s live, the lab's scale in a lab).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from rollout.errors import RolloutError
from rollout.inventory.model import Platform

ENDPOINTS_FILE = "endpoints.json"
VERSION = 1
LIVE_MINUTE_SECONDS = 60.0


class Where(StrEnum):
    """Who runs the device: the real network, the lab twin, or the network lab."""

    LIVE = "live"
    LAB = "lab"
    NETLAB = "netlab"


@dataclass(frozen=True)
class Endpoint:
    """How to reach one device (by its inventory name) and what answers there.

    user: a login of the lab's own (key-only), when not the province's admin; folder: where a
    device that keeps its configuration as files has them ("" = the platform's default); site:
    the site the device belongs to (its slug), when the lab knows it.
    """

    name: str
    platform: Platform
    host: str
    port: int
    known_hosts: Path | None
    where: Where = Where.LIVE
    folder: str = ""
    minute_seconds: float = LIVE_MINUTE_SECONDS
    user: str = ""
    site: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "platform": self.platform.value,
            "host": self.host,
            "port": self.port,
            "known_hosts": None if self.known_hosts is None else str(self.known_hosts),
            "where": self.where.value,
            "folder": self.folder,
            "minute_seconds": self.minute_seconds,
            "user": self.user,
            "site": self.site,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Endpoint:
        known = data.get("known_hosts")
        minute = float(data.get("minute_seconds", LIVE_MINUTE_SECONDS))
        if not minute > 0:
            raise ValueError(f"minute_seconds must be above 0, not {minute}")
        return cls(
            name=str(data["name"]),
            platform=Platform(data["platform"]),
            host=str(data["host"]),
            port=int(data["port"]),
            known_hosts=None if known is None else Path(str(known)),
            where=Where(data.get("where", Where.LIVE.value)),
            folder=str(data.get("folder", "")),
            minute_seconds=minute,
            user=str(data.get("user", "")),
            site=str(data.get("site", "")),
        )


def live_endpoint(name: str, platform: Platform, host: str, known_hosts: Path) -> Endpoint:
    """A device of the real network: SSH on port 22 at its address, 60-second minutes."""
    return Endpoint(name, platform, host, 22, known_hosts, Where.LIVE)


def write_endpoints(folder: Path, endpoints: Iterable[Endpoint]) -> Path:
    """Write the endpoints into ``folder/endpoints.json`` at once (readers never see half)."""
    path = Path(folder) / ENDPOINTS_FILE
    data = {"version": VERSION, "endpoints": [e.to_json() for e in endpoints]}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def read_endpoints(folder: Path, fix: str = "") -> dict[str, Endpoint]:
    """The endpoints a lab wrote into ``folder``, by device name.

    A missing or unreadable file is a RolloutError naming the file and ``fix`` (what starts
    the lab again); the default fix names both labs.
    """
    path = Path(folder) / ENDPOINTS_FILE
    fix = fix or "start the lab again: rollout lab down; rollout lab up (or rollout netlab up)"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RolloutError(f"{path}: no such file: no lab wrote its devices there", fix) from None
    except OSError as exc:
        raise RolloutError(f"{path}: cannot read: {exc.strerror or exc}", fix) from None
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != VERSION:
            version = data.get("version") if isinstance(data, dict) else None
            raise ValueError(f"version {version!r}, expected {VERSION}")
        found = [Endpoint.from_json(item) for item in data["endpoints"]]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        what = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        raise RolloutError(f"{path}: not a lab's endpoints file ({what})", fix) from None
    return {e.name: e for e in found}
