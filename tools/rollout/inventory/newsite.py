"""Clone a site: same design as the source, new identities and addresses, validated first."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from rollout import register
from rollout.errors import InvalidInventory, Problem, RolloutError
from rollout.inventory.allocate import SiteAddresses, UsedRanges, allocate_site
from rollout.inventory.checks import check_inventory
from rollout.inventory.loader import SITES_DIR, Inventory, validation_problems
from rollout.inventory.model import SLUG_RE, Level, Role, Site
from rollout.text import ascii_name

UNIT_WORDS = {Level.DISTRICT: "huyện", Level.COMMUNE: "xã", Level.HUB: "tỉnh"}
UNIT_PREFIXES = ("thành phố", "thị xã", "thị trấn", "phường", "xã", "huyện")
RATE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)(?:bit/s|bps|b)?\s*$")


@dataclass(frozen=True)
class NewSiteRequest:
    slug: str
    source: str
    name: str
    code: str | None = None
    wan_rate_kbps: int | None = None
    level: Level | None = None
    video_calls: int | None = None


@dataclass(frozen=True)
class NewSite:
    site: Site
    path: Path
    addresses: SiteAddresses
    text: str


def parse_rate(text: str) -> int:
    """'10M', '2048k', '2048' (kbit/s), '1.5G' -> kbit/s."""
    match = RATE_RE.match(text)
    if not match:
        raise RolloutError(
            f"--wan-rate {text!r} is not a rate",
            "give kbit/s as a number or with a unit: 2048, 2048k, 10M, 1G",
        )
    value, unit = Decimal(match.group(1)), match.group(2).lower()
    kbps = int(value * {"": 1, "k": 1, "m": 1000, "g": 1_000_000}[unit])
    if kbps <= 0:
        raise RolloutError(f"--wan-rate {text!r} must be above zero", "give a positive rate")
    return kbps


def unit_title(name: str, level: Level) -> str:
    """'Bát Xát' -> 'UBND huyện Bát Xát'; 'Thành phố Lào Cai' -> 'UBND thành phố Lào Cai'."""
    name = unicodedata.normalize("NFC", name)
    lowered = name.lower()
    for prefix in UNIT_PREFIXES:
        if lowered.startswith(prefix + " "):
            return f"UBND {prefix} {name[len(prefix) + 1 :]}"
    return f"UBND {UNIT_WORDS[level]} {name}"


def _suffix(hostname: str, source: str, role: Role) -> str:
    if hostname.startswith(source + "-"):
        return hostname[len(source) :]
    return {"wan_router": "-rtr01", "lan_switch": "-sw01", "codec": "-codec01"}.get(
        role.value, "-vmeet01"
    )


def request_for_unit(
    inv: Inventory,
    unit_query: str,
    source: str,
    *,
    name: str | None = None,
    code: str | None = None,
    wan_rate_kbps: int | None = None,
    video_calls: int | None = None,
) -> NewSiteRequest:
    """The request for the site of an official unit (name with or without diacritics, code or
    slug): slug, official name and code come from the register; --name and --code, when given,
    must agree with it."""
    unit = register.find_unit(unit_query, register.units(inv.province.code))
    if name is not None and name.strip():
        try:
            register.find_unit(name, (unit,))
        except register.RegisterError:
            raise RolloutError(
                f"--name {name!r} is not the name of {unit.name} ({unit.code}), which "
                f"'{unit_query}' names in the register",
                f"leave --name out (the official name is filled in) or give {unit.name!r}",
            ) from None
    if code is not None and (not code.isdigit() or int(code) != int(unit.code)):
        raise RolloutError(
            f"--code {code} is not the code of {unit.name}: the register gives {unit.code}",
            f"leave --code out (the register's code is filled in) or give {unit.code}",
        )
    return NewSiteRequest(
        slug=unit.slug,
        source=source,
        name=unit.name,
        code=unit.code,
        level=Level.COMMUNE,
        wan_rate_kbps=wan_rate_kbps,
        video_calls=video_calls,
    )


def build_site(
    inv: Inventory, req: NewSiteRequest, *, used: UsedRanges | None = None
) -> tuple[dict[str, Any], SiteAddresses]:
    """The new site's file content (not validated) and its addresses.

    ``used``: the allocator's index of used ranges, for a caller that adds many sites in a row
    and keeps it (marking each site it adds); without it, the allocator builds it from inv.
    """
    src = inv.sites[req.source]
    level = req.level or (src.level if src.level is not Level.HUB else Level.COMMUNE)
    if req.code is None:
        raise RolloutError(
            f"no code for the new site '{req.slug}'",
            "take the unit from the register: rollout new-site UNIT (name, code or slug)",
        )
    code = req.code
    addr = allocate_site(inv, used)
    hosts = inv.province.pools.hosts
    data = src.model_dump(mode="json", exclude_defaults=False)
    title = unit_title(req.name, level)
    data.update(
        slug=req.slug,
        name=req.name,
        code=code,
        level=level.value,
        block=addr.block,
        loopback=addr.loopback,
        vlans=[{"id": vid, "name": name, "subnet": net} for name, (vid, net) in addr.vlans.items()],
    )
    data.pop("placeholders", None)  # the code is the register's: nothing stands in for it
    data["wan"] = {**data["wan"], "link": addr.wan_link}
    if req.wan_rate_kbps is not None:
        data["wan"]["rate_kbps"] = req.wan_rate_kbps
        data["wan"]["port_kbps"] = max(data["wan"]["port_kbps"], req.wan_rate_kbps)
    if req.video_calls is not None:
        data["conference"] = {**data["conference"], "simultaneous_video_calls": req.video_calls}
    e164 = inv.province.code + code
    for dev in data["devices"]:
        role = Role(dev["role"])
        dev["hostname"] = req.slug + _suffix(dev["hostname"], src.slug, role)
        if role is Role.WAN_ROUTER:
            dev["mgmt_address"] = addr.loopback.split("/")[0]
        elif role is Role.LAN_SWITCH:
            dev["mgmt_address"] = addr.host("management", hosts.switch)
        elif role is Role.CODEC:
            dev["mgmt_address"] = addr.host("conference", hosts.codec)
            dev["display_name"] = ascii_name(title)[:64]
            dev["e164"] = e164
        elif role is Role.ROOM_CLIENT:
            dev["mgmt_address"] = addr.host("conference", hosts.room_client)
            prefix = str(dev["room_id"]).split("-")[0]
            dev["room_id"] = f"{prefix}-{code}-{req.slug}"[:41]
            dev["display_name"] = title[:64]
    return data, addr


class _Quoted(str):
    """A string YAML must keep quoted: digit strings such as GSO codes ('01234')."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Quoted, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, '"')
)
DEVICE_KEY_ORDER = ("hostname", "role", "platform", "model", "mgmt_address")


def dump_site(data: dict[str, Any], source: str, by: str = "rollout new-site") -> str:
    """A site file's text (YAML, with the header the command ``by`` writes)."""
    data = {**data, "code": _Quoted(data["code"])}
    devices = []
    for dev in data["devices"]:
        ordered = {k: dev[k] for k in DEVICE_KEY_ORDER if k in dev}
        ordered.update((k, _Quoted(v) if k == "e164" else v) for k, v in dev.items())
        devices.append(ordered)
    data["devices"] = devices
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    header = f"---\n# {data['name']}: cloned from {source} by `{by}`.\n"
    return header + body


def new_site(inv: Inventory, req: NewSiteRequest) -> NewSite:
    """Build, validate against the whole province, and return the new site (not yet written)."""
    display = str(SITES_DIR / f"{req.slug}.yml")
    if not SLUG_RE.match(req.slug) or len(req.slug) > 40:
        raise RolloutError(
            f"'{req.slug}' is not a valid site slug",
            "use lower-case ASCII letters, digits and single dashes, at most 40 characters "
            "(e.g. 'bat-xat', 'xa-coc-san')",
        )
    path = inv.root / display
    if req.slug in inv.sites or path.exists():
        raise RolloutError(
            f"site '{req.slug}' already exists ({display})",
            "choose another slug, or edit the existing file",
        )
    if req.source not in inv.sites:
        raise RolloutError(
            f"there is no site '{req.source}' to clone from",
            f"use one of: {', '.join(inv.sites)}",
        )
    if req.code is None or not re.fullmatch(r"\d{2,5}", req.code):
        raise RolloutError(f"--code {req.code!r} is not a unit code", "give 2 to 5 digits")
    data, addr = build_site(inv, req)
    text = dump_site(data, req.source)
    try:
        site = Site.model_validate(data)
    except ValidationError as exc:
        raise InvalidInventory(validation_problems(Site, exc, display, text)) from None
    candidate = Inventory(
        inv.root,
        inv.province,
        dict(sorted({**inv.sites, site.slug: site}.items())),
        {**inv.files, site.slug: path},
    )
    problems: list[Problem] = [p for p in check_inventory(candidate) if p.file == display]
    if problems:
        raise InvalidInventory(problems)
    return NewSite(site, path, addr, text)


def write_site(new: NewSite) -> None:
    """Write the file; never overwrite (O_EXCL), even if another process raced us."""
    try:
        fd = os.open(new.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise RolloutError(
            f"{new.path.name} appeared while the site was being built", "run the command again"
        ) from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(new.text)
