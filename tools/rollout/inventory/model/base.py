"""The building blocks of the inventory model: names, enums, checked field types, rates.

Every model is frozen and rejects unknown keys (``Model``).
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
HOSTNAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
IFNAME_RE = re.compile(r"^[A-Za-z][A-Za-z-]*\d+(?:/\d+)*(?:\.\d+)?$")
DSCP_NAMES: dict[str, int] = {
    "default": 0,
    "cs1": 8,
    "af11": 10,
    "af12": 12,
    "af13": 14,
    "cs2": 16,
    "af21": 18,
    "af22": 20,
    "af23": 22,
    "cs3": 24,
    "af31": 26,
    "af32": 28,
    "af33": 30,
    "cs4": 32,
    "af41": 34,
    "af42": 36,
    "af43": 38,
    "cs5": 40,
    "ef": 46,
    "cs6": 48,
    "cs7": 56,
}


class Platform(StrEnum):
    """How a device is managed; platform differences are data keyed by this."""

    CISCO_IOS = "cisco_ios"
    POLYCOM = "polycom"
    VMEETING = "vmeeting"
    LINUX_ROUTER = "linux_router"


class Role(StrEnum):
    WAN_ROUTER = "wan_router"
    LAN_SWITCH = "lan_switch"
    CODEC = "codec"
    ROOM_CLIENT = "room_client"


class Level(StrEnum):
    HUB = "hub"
    DISTRICT = "district"
    COMMUNE = "commune"


ROLE_PLATFORMS: dict[Role, frozenset[Platform]] = {
    Role.WAN_ROUTER: frozenset({Platform.CISCO_IOS, Platform.LINUX_ROUTER}),
    Role.LAN_SWITCH: frozenset({Platform.CISCO_IOS}),
    Role.CODEC: frozenset({Platform.POLYCOM}),
    Role.ROOM_CLIENT: frozenset({Platform.VMEETING}),
}


def _slug(value: str) -> str:
    if not SLUG_RE.match(value):
        raise ValueError(
            f"{value!r} is not a slug: use lower-case ASCII letters, digits and single dashes "
            "(e.g. 'bat-xat')"
        )
    return value


def _hostname(value: str) -> str:
    if not HOSTNAME_RE.match(value):
        raise ValueError(
            f"{value!r} is not a hostname: lower-case letters, digits and dashes, "
            "starting with a letter, at most 63 characters"
        )
    return value


def _ifname(value: str) -> str:
    if not IFNAME_RE.match(value):
        raise ValueError(f"{value!r} is not an interface name (e.g. 'GigabitEthernet0/0/1')")
    return value


def _dscp(value: str) -> str:
    if value.lower() not in DSCP_NAMES:
        raise ValueError(f"{value!r} is not a DSCP name; use one of {', '.join(DSCP_NAMES)}")
    return value.lower()


def _host_network(value: str) -> str:
    """A network written in canonical form (no host bits set)."""
    net = ipaddress.ip_network(value, strict=False)
    if str(net) != value:
        raise ValueError(f"{value!r} has host bits set; write the network as {net}")
    if net.version != 4:
        raise ValueError(f"{value!r}: only IPv4 networks are supported")
    return value


def _address(value: str) -> str:
    addr = ipaddress.ip_address(value)
    if addr.version != 4:
        raise ValueError(f"{value!r}: only IPv4 addresses are supported")
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Hostname = Annotated[str, AfterValidator(_hostname)]
IfName = Annotated[str, AfterValidator(_ifname)]
Dscp = Annotated[str, AfterValidator(_dscp)]
Network = Annotated[str, AfterValidator(_host_network)]
Address = Annotated[str, AfterValidator(_address)]
Kbps = Annotated[int, Field(gt=0, le=100_000_000)]
Percent = Annotated[int, Field(ge=0, le=100)]
VlanId = Annotated[int, Field(ge=2, le=4094)]
Code = Annotated[str, Field(pattern=r"^\d{2,5}$")]


def shaped_rate_kbps(rate_kbps: int, shape_percent: int) -> int:
    """The rate the WAN shaper sends at: shape_percent of the contracted rate (the one formula
    the templates, the HTB classes and the budget checks share)."""
    return rate_kbps * shape_percent // 100


def contract_for_kbps(need_kbps: int, class_percent: int, shape_percent: int) -> int:
    """The least contracted rate whose shaped rate gives a class of ``class_percent`` at least
    ``need_kbps`` (the inverse of shaped_rate_kbps and the class share, rounding included)."""
    rate = -(-need_kbps * 100 // class_percent) * 100 // shape_percent
    while shaped_rate_kbps(rate, shape_percent) * class_percent // 100 < need_kbps:
        rate += 1
    return rate


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
