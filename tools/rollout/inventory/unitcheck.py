"""Every site against the official register: its unit exists, its name matches its code.

The province file names its province by official code; the hub carries that code; every other
site is one commune-level unit of the province (code and official name as the register states
them, rollout.register). The district level is gone since 1 July 2025: a district site fails
with the fix (re-code it to the commune that took over its building, or retire it).
"""

from __future__ import annotations

from pathlib import Path

from rollout import register
from rollout.errors import Problem
from rollout.inventory.inventory import Inventory
from rollout.inventory.model import Level, Site
from rollout.inventory.yamlfile import line_of

PROVINCE = "inventory/province.yml"
HOW = "`rollout sync-register --check` lists the units and the sites whose unit is gone"


class _Problems:
    def __init__(self, inv: Inventory) -> None:
        self.inv = inv
        self.found: list[Problem] = []
        self._texts: dict[str, str] = {}

    def add(self, file: str, field: str, message: str, fix: str) -> None:
        if file not in self._texts:
            path = Path(self.inv.root / file)
            self._texts[file] = path.read_text(encoding="utf-8") if path.is_file() else ""
        line = line_of(self._texts[file], (field,)) if self._texts[file] else None
        self.found.append(Problem(file, field, message, fix, line))


def register_problems(inv: Inventory) -> list[Problem]:
    """What the register says is wrong with the inventory ([] when every unit matches)."""
    if inv.province.units != "official":
        return []
    out = _Problems(inv)
    try:
        official = register.province(inv.province.code)
    except register.RegisterError as exc:
        out.add(PROVINCE, "code", exc.message, exc.fix)
        return out.found
    if official is None:
        named = register.provinces_named(inv.province.name)
        fix = (
            f'set code: "{named[0].code}" ({named[0].name} in the register)'
            if named
            else "set the province's official code (the register has 34 provinces since "
            "1 July 2025)"
        )
        out.add(
            PROVINCE,
            "code",
            f"code '{inv.province.code}' is not a province of the official register (the map "
            "of 1 July 2025)",
            fix,
        )
        return out.found
    if register.provinces_named(inv.province.name) != [official]:
        out.add(
            PROVINCE,
            "name",
            f"name '{inv.province.name}' is not the register's name of province "
            f"{official.code} ('{official.name}')",
            f"set name: {official.name}",
        )
    units = {u.code: u for u in register.units(official.code)}
    for slug, site in inv.sites.items():
        display = inv.display(slug)
        if site.level is not Level.HUB:
            _check_unit(out, site, display, units, official)
        elif site.code != official.code:
            out.add(
                display,
                "code",
                f"the hub carries the province's code, not '{site.code}'",
                f'set code: "{official.code}"',
            )
    return out.found


def _check_unit(
    out: _Problems,
    site: Site,
    display: str,
    units: dict[str, register.Unit],
    official: register.ProvinceUnit,
) -> None:
    unit = units.get(site.code)
    if site.level is Level.COMMUNE and unit is not None and site.name == unit.name:
        return  # the usual case: nothing to look up
    by_name = _by_name(site.name, units)
    if site.level is not Level.COMMUNE:
        target = f"{by_name.name} ({by_name.code})" if by_name else "the commune that took over"
        out.add(
            display,
            "level",
            f"level '{site.level}': the district level is gone since 1 July 2025 (two-level "
            "local government)",
            f"re-code the site to {target} (rollout new-site finds a unit by name, code or "
            "slug) and set level: commune, or retire the site (docs/province.md)",
        )
        return
    if unit is None and site.code.isdigit():
        unit = next((u for u in units.values() if int(u.code) == int(site.code)), None)
        if unit is not None:
            out.add(
                display,
                "code",
                f"code '{site.code}' is written without the register's leading zeros",
                f'set code: "{unit.code}"',
            )
            return
    if unit is None:
        elsewhere = register.unit_by_code(site.code)
        where = (
            f"is {elsewhere.name} of another province ({elsewhere.province_code})"
            if elsewhere
            else "is no unit of the register: the unit no longer exists or the code is wrong"
        )
        fix = (
            f'set code: "{by_name.code}" (the register\'s code of {by_name.name})'
            if by_name
            else f"re-code the site to the unit that took over, or retire it; {HOW}"
        )
        out.add(display, "code", f"code '{site.code}' {where} (province {official.code})", fix)
        return
    if site.name != unit.name:
        other = (
            f', or, if the site is {by_name.name}, set code: "{by_name.code}"'
            if by_name and by_name.code != unit.code
            else ""
        )
        out.add(
            display,
            "name",
            f"name '{site.name}' does not match code {unit.code}, which is '{unit.name}' in "
            "the register",
            f"set name: {unit.name}{other}",
        )


def _by_name(name: str, units: dict[str, register.Unit]) -> register.Unit | None:
    """The unit this name means, if exactly one does."""
    try:
        return register.find_unit(name, tuple(units.values()))
    except register.RegisterError:
        return None
