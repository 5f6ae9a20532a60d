"""The network lab's state folder: ``state.json`` (every namespace, process, path and link the
lab made, written before it is made or right after it starts), the weather files."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rollout.inventory.loader import Inventory
from rollout.inventory.model import WeatherProfile
from rollout.netlab.names import LabNames
from rollout.netlab.ns import NetlabError

STATE = "state.json"
ROUTER_RUN = Path("/run/rollout")
KNOWN_HOSTS = "known_hosts"
SSHD_DIR = "sshd"
ENV_MINUTE = "ROLLOUT_MINUTE_SECONDS"


def lab_minute_seconds() -> float:
    """The lab's device minute: $ROLLOUT_MINUTE_SECONDS (the lab twin's scale), else 60 s."""
    try:
        return max(0.05, float(os.environ.get(ENV_MINUTE, "") or 60))
    except ValueError:
        raise NetlabError(
            f"{ENV_MINUTE} must be a number of seconds", f"e.g. {ENV_MINUTE}=0.5"
        ) from None


def authorized_dir(names: LabNames) -> Path:
    """The lab's authorized_keys folder (sshd's StrictModes: root-owned folders all the way
    up), one per lab so that one lab's down leaves another's logins alone."""
    return ROUTER_RUN / (f"sshd-{names.lab_id}" if names.lab_id else "sshd")


@dataclass
class Proc:
    name: str
    pid: int
    ns: str


@dataclass
class SiteLab:
    slug: str
    index: int
    codec: str
    room_client: str
    conference_gw: str
    wan_ifname: str
    rate_kbps: int
    weather: str = "clear"
    mgmt: str = ""  # the router's management address (its sshd)
    switch: str = ""  # the switch's management address, on the management VLAN
    e164: str = ""  # the codec's number: its SIP user name (inventory, devices[codec].e164)


@dataclass
class NetlabState:
    """The content of the network lab's ``state.json``: every name and pid it made."""

    folder: str
    namespaces: list[str] = field(default_factory=list)
    processes: list[Proc] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    sites: dict[str, SiteLab] = field(default_factory=dict)
    hub: dict[str, str] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)  # veth ends in this machine's namespace
    hosts: dict[str, str] = field(default_factory=dict)  # address -> namespace it lives in
    lab_id: str = ""  # every name derives from it (rollout.netlab.names)
    mgmt_block: str = "198.18.0.0/24"  # the lab's management /24
    minute_seconds: float = 60.0  # a device minute in this lab (its routers' revert timers)

    @property
    def names(self) -> LabNames:
        return LabNames(self.lab_id)

    @property
    def known_hosts(self) -> Path:
        return Path(self.folder) / KNOWN_HOSTS

    def save(self) -> None:
        path = Path(self.folder) / STATE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def read(cls, folder: Path) -> NetlabState | None:
        path = folder / STATE
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            folder=data["folder"],
            namespaces=data["namespaces"],
            processes=[Proc(**p) for p in data["processes"]],
            paths=data["paths"],
            sites={k: SiteLab(**v) for k, v in data["sites"].items()},
            hub=data["hub"],
            links=data.get("links", []),
            hosts=data.get("hosts", {}),
            lab_id=data.get("lab_id", ""),
            mgmt_block=data.get("mgmt_block", "198.18.0.0/24"),
            minute_seconds=float(data.get("minute_seconds", 60.0)),
        )


def weather_file(state: NetlabState, slug: str) -> Path:
    return Path(state.folder) / f"weather-{slug}.json"


def set_weather(inv: Inventory, state: NetlabState, slug: str, name: str) -> WeatherProfile:
    profiles = inv.province.weather
    if name not in profiles:
        raise NetlabError(
            f"no weather profile {name!r} in inventory/province.yml",
            f"use one of: {', '.join(profiles) or '(none defined: add weather: profiles)'}",
        )
    profile = profiles[name]
    site = state.sites[slug]
    data = {
        "name": name,
        "delay_ms": profile.delay_ms,
        "jitter_ms": profile.jitter_ms,
        "loss_percent": profile.loss_percent,
        "rate_kbps": site.rate_kbps * profile.rate_percent // 100,
        "flap_period_s": profile.flap_period_s,
        "flap_down_s": profile.flap_down_s,
    }
    path = weather_file(state, slug)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(path)
    site.weather = name
    state.save()
    return profile
