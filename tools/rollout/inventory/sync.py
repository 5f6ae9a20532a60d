"""The inventory against the register: the units without a site, the sites whose unit is gone,
and the missing sites made by cloning a site (the pilot), all validated before any is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from rollout import register
from rollout.errors import InvalidInventory, Problem, RolloutError
from rollout.inventory.allocate import UsedRanges, used_networks
from rollout.inventory.checks import check_inventory
from rollout.inventory.inventory import Inventory
from rollout.inventory.loader import SITES_DIR, validation_problems
from rollout.inventory.model import Level, Site
from rollout.inventory.newsite import NewSite, build_site, dump_site, request_for_unit


@dataclass(frozen=True)
class GoneSite:
    """A site whose unit is not (or no longer) a commune-level unit of the province."""

    slug: str
    file: str
    code: str
    name: str
    reason: str


@dataclass(frozen=True)
class RegisterDiff:
    province: register.ProvinceUnit
    units: tuple[register.Unit, ...]
    missing: tuple[register.Unit, ...]
    gone: tuple[GoneSite, ...]

    @property
    def in_sync(self) -> bool:
        return not self.missing and not self.gone


def official_province(inv: Inventory) -> register.ProvinceUnit:
    found = register.province(inv.province.code)
    if found is None:
        named = register.provinces_named(inv.province.name)
        hint = f'set code: "{named[0].code}" ({named[0].name})' if named else "set its code"
        raise RolloutError(
            f"inventory/province.yml: code '{inv.province.code}' is not a province of the "
            "official register",
            hint,
        )
    return found


def register_diff(inv: Inventory) -> RegisterDiff:
    """Which units have no site, and which sites have no unit (the hub is the province's)."""
    province = official_province(inv)
    units = register.units(province.code)
    by_code = {u.code: u for u in units}
    have: set[str] = set()
    gone: list[GoneSite] = []
    for slug, site in inv.sites.items():
        if site.level is Level.HUB:
            continue
        unit = by_code.get(site.code)
        if site.level is not Level.COMMUNE:
            reason = f"level {site.level}: the district level is gone since 1 July 2025"
        elif unit is None:
            reason = f"code {site.code} is no unit of province {province.code} in the register"
        else:
            have.add(unit.code)
            continue
        gone.append(GoneSite(slug, inv.display(slug), site.code, site.name, reason))
    missing = tuple(u for u in units if u.code not in have)
    return RegisterDiff(province, units, missing, tuple(gone))


def _key(problem: Problem) -> tuple[str, str, str]:
    return (problem.file, problem.path, problem.message)


def create_missing(
    inv: Inventory,
    missing: tuple[register.Unit, ...],
    source: str,
    *,
    wan_rate_kbps: int | None = None,
    video_calls: int | None = None,
) -> list[NewSite]:
    """One new site per missing unit, cloned from source, addresses allocated in a row.

    The province with all of them is checked once; any problem they bring (in their files, or
    on the hub and the MCU: capacity) is raised and nothing is to be written.
    """
    if source not in inv.sites:
        raise RolloutError(
            f"there is no site '{source}' to clone from", f"use one of: {', '.join(inv.sites)}"
        )
    folder = inv.root / SITES_DIR
    clash = [u for u in missing if u.slug in inv.sites or (folder / f"{u.slug}.yml").exists()]
    if clash:
        listed = ", ".join(f"{u.name} ({u.code}) -> {u.slug}.yml" for u in clash)
        raise RolloutError(
            f"the file of a missing unit is taken by another site: {listed}",
            "re-code that site to its unit or retire it (docs/province.md), then run again",
        )
    before = {_key(p) for p in check_inventory(inv)}
    used = UsedRanges(used_networks(inv))
    sites = dict(inv.sites)
    files = dict(inv.files)
    made: list[NewSite] = []
    for unit in missing:
        req = request_for_unit(
            inv, unit.code, source, wan_rate_kbps=wan_rate_kbps, video_calls=video_calls
        )
        view = Inventory(inv.root, inv.province, sites, files)
        data, addr = build_site(view, req, used=used)
        used.mark_site(addr)
        text = dump_site(data, source, "rollout sync-register")
        path = inv.root / SITES_DIR / f"{req.slug}.yml"
        try:
            site = Site.model_validate(data)
        except ValidationError as exc:
            raise InvalidInventory(
                validation_problems(Site, exc, str(SITES_DIR / path.name), text)
            ) from None
        sites[site.slug] = site
        files[site.slug] = path
        made.append(NewSite(site, path, addr, text))
    candidate = Inventory(inv.root, inv.province, dict(sorted(sites.items())), files)
    problems = [p for p in check_inventory(candidate) if _key(p) not in before]
    if problems:
        raise InvalidInventory(problems)
    return made
