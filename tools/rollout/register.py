"""The official register of Vietnam's administrative units: the one door to `vietnam-provinces`.

Since 1 July 2025 local government has two levels, province and commune (Resolution
202/2025/QH15 on the arrangement of provinces). The `vietnam-provinces` package (2025.10.1,
https://github.com/sunshine-tech/VietnamProvinces) carries the 34 provinces and their
commune-level units "with the name and code as defined by National Statistics Office of Viet
Nam": official name ("Xã Y Tý"), numeric code (2701, written 02701) and an ASCII code name
("xa_y_ty"). Nothing else in rollout imports that package; everything reads it through here.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from rollout.errors import RolloutError
from rollout.text import ascii_name

UNIT_CODE_WIDTH = 5
"""Commune-level codes are written with 5 digits (02905); provinces with 2 (15)."""
PROVINCE_CODE_WIDTH = 2
KIND_PREFIXES = ("xa_", "phuong_", "dac_khu_")


class RegisterError(RolloutError):
    """The register cannot be read, or does not hold what was asked for."""


@dataclass(frozen=True, slots=True)
class Unit:
    """A commune-level unit (xã, phường, đặc khu) as the register states it."""

    code: str  # 5 digits, leading zeros kept: "02701"
    name: str  # official, with diacritics: "Xã Y Tý"
    codename: str  # the register's ASCII code name: "xa_y_ty"
    kind: str  # "xã", "phường", "đặc khu"
    province_code: str  # 2 digits: "15"

    @property
    def slug(self) -> str:
        """The site slug: the code name without its kind, dashes for underscores ('y-ty')."""
        name = self.codename
        for prefix in KIND_PREFIXES:
            if name.startswith(prefix):
                name = name[len(prefix) :]
                break
        return name.replace("_", "-")

    @property
    def short_name(self) -> str:
        """The name without its kind: 'Y Tý'."""
        prefix = self.kind + " "
        if self.name.lower().startswith(prefix.lower()) and len(self.name) > len(prefix):
            return self.name[len(prefix) :]
        return self.name


@dataclass(frozen=True, slots=True)
class ProvinceUnit:
    code: str  # "15"
    name: str  # "Lào Cai"


def _fold(text: str) -> str:
    """Case, diacritics, dashes and underscores folded: 'Xã Y Tý', 'xa-y-ty' -> 'xa y ty'."""
    plain = ascii_name(unicodedata.normalize("NFC", text)).lower()
    return " ".join(re.split(r"[\s_\-]+", plain.strip()))


@cache
def _load() -> tuple[tuple[ProvinceUnit, ...], tuple[Unit, ...]]:
    try:
        from vietnam_provinces import Province, Ward
    except ImportError as exc:  # pragma: no cover - the package is a dependency
        raise RegisterError(
            f"the official register (package vietnam-provinces) cannot be loaded: {exc}",
            "install the project again (./dev setup, or pip install -e .)",
        ) from None
    try:
        provinces = tuple(
            ProvinceUnit(f"{int(p.code):0{PROVINCE_CODE_WIDTH}d}", p.name)
            for p in Province.iter_all()
        )
        units = tuple(
            Unit(
                f"{int(w.code):0{UNIT_CODE_WIDTH}d}",
                unicodedata.normalize("NFC", w.name),
                w.codename,
                str(w.division_type.value),
                f"{int(w.province_code):0{PROVINCE_CODE_WIDTH}d}",
            )
            for w in Ward.iter_all()
        )
    except (AttributeError, TypeError, ValueError) as exc:
        raise RegisterError(
            f"the official register (package vietnam-provinces) is not in the expected form: {exc}",
            "install the version pyproject.toml pins (>=2025.10.1,<2026.0)",
        ) from None
    return provinces, units


def province(code: str) -> ProvinceUnit | None:
    """The province with this official code ('15' or '015'), or None."""
    if not code.isdigit():
        return None
    return next((p for p in _load()[0] if int(p.code) == int(code)), None)


def provinces_named(name: str) -> list[ProvinceUnit]:
    """Provinces whose name matches (diacritics and case ignored): the fix for a wrong code."""
    bare = _fold(name).removeprefix("tinh ").removeprefix("thanh pho ")
    return [p for p in _load()[0] if _fold(p.name).removeprefix("thanh pho ") == bare and bare]


def units(province_code: str) -> tuple[Unit, ...]:
    """Every commune-level unit of the province, by code."""
    want = f"{int(province_code):0{PROVINCE_CODE_WIDTH}d}" if province_code.isdigit() else ""
    return tuple(sorted((u for u in _load()[1] if u.province_code == want), key=lambda u: u.code))


def unit_by_code(code: str) -> Unit | None:
    """Any province's unit with this code ('02701' or '2701'), or None."""
    if not code.isdigit():
        return None
    return next((u for u in _load()[1] if int(u.code) == int(code)), None)


def find_unit(query: str, among: tuple[Unit, ...]) -> Unit:
    """The one unit the query names: its code ('02701', '2701'), its slug or code name
    ('y-ty', 'xa_y_ty') or its name with or without its kind and diacritics ('Xã Y Tý', 'Y Ty').

    Raises RegisterError naming the candidates when the query is ambiguous or names nothing.
    """
    text = query.strip()
    if not text:
        raise RegisterError("no unit named", "give the unit's name, code or slug (e.g. 'Y Tý')")
    if text.isdigit():
        found = [u for u in among if int(u.code) == int(text)]
        if found:
            return found[0]
        raise RegisterError(
            f"no unit of the province has the code {text}",
            "give the unit's official 5-digit code (e.g. 02701), its name or its slug",
        )
    folded = _fold(text)
    exact = [
        u
        for u in among
        if folded in (_fold(u.name), _fold(u.short_name), _fold(u.codename), _fold(u.slug))
    ]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        listed = ", ".join(f"{u.name} ({u.code}, {u.slug})" for u in exact)
        raise RegisterError(
            f"'{query}' names {len(exact)} units: {listed}",
            "give the unit's code or its full name with its kind (xã/phường)",
        )
    names = {_fold(u.name): u for u in among} | {_fold(u.short_name): u for u in among}
    close = difflib.get_close_matches(folded, list(names), n=3, cutoff=0.75)
    hint = ", ".join(f"{names[c].name} ({names[c].code})" for c in close)
    raise RegisterError(
        f"no unit of the province is named '{query}'",
        f"did you mean: {hint}?"
        if hint
        else "give the unit's official name, code or slug "
        "(rollout sync-register --check lists the units)",
    )
