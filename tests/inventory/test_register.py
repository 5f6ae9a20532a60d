"""The official register (rollout.register) and every site checked against it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rollout import register
from rollout.errors import Problem

SiteEdit = Callable[[str, Callable[[dict[str, Any]], None]], Path]
Problems = Callable[[Path], list[Problem]]


def _find(problems: list[Problem], fragment: str) -> Problem:
    for problem in problems:
        if fragment in problem.message:
            return problem
    raise AssertionError(f"no problem says {fragment!r}; got:\n" + "\n".join(map(str, problems)))


# --- the register ----------------------------------------------------------------------------


def test_lao_cai_since_july_2025() -> None:
    assert register.province("15") == register.ProvinceUnit("15", "Lào Cai")
    assert register.province("10") is None  # the old Lào Cai code is gone
    units = register.units("15")
    assert len(units) == 99
    kinds = [u.kind for u in units]
    assert (kinds.count("xã"), kinds.count("phường")) == (89, 10)
    assert len({u.slug for u in units}) == 99
    assert len({u.code for u in units}) == 99
    assert all(len(u.code) == 5 for u in units)


@pytest.mark.parametrize(
    ("code", "name", "slug"),
    [
        ("02701", "Xã Y Tý", "y-ty"),
        ("02905", "Xã Bảo Thắng", "bao-thang"),
        ("02746", "Xã Cốc San", "coc-san"),
        ("02647", "Phường Lào Cai", "lao-cai"),
        ("03006", "Phường Sa Pa", "sa-pa"),
    ],
)
def test_units_as_the_register_states_them(code: str, name: str, slug: str) -> None:
    unit = register.find_unit(code, register.units("15"))
    assert (unit.code, unit.name, unit.slug) == (code, name, slug)


@pytest.mark.parametrize("query", ["Y Ty", "y-ty", "02701", "2701", "xã y tý", "XA_Y_TY"])
def test_a_unit_by_name_without_diacritics_code_or_slug(query: str) -> None:
    assert register.find_unit(query, register.units("15")).name == "Xã Y Tý"


def test_an_unknown_unit_names_the_closest() -> None:
    with pytest.raises(register.RegisterError) as info:
        register.find_unit("Coc Sann", register.units("15"))
    assert "did you mean: Xã Cốc San (02746)" in info.value.fix


def test_a_register_that_cannot_be_loaded_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    register._load.cache_clear()
    monkeypatch.setitem(sys.modules, "vietnam_provinces", None)  # import fails
    try:
        with pytest.raises(register.RegisterError) as info:
            register.units("15")
        assert "package vietnam-provinces" in info.value.message
        assert "./dev setup" in info.value.fix
    finally:
        monkeypatch.undo()
        register._load.cache_clear()


# --- validate against the register -----------------------------------------------------------


def test_every_site_matches_the_register(repo: Path, problems_of: Problems) -> None:
    assert problems_of(repo) == []


def test_the_province_by_its_old_code(
    repo: Path, edit_province: Callable[..., Path], problems_of: Problems
) -> None:
    edit_province(lambda d: d.update(code="10"))
    problem = _find(problems_of(repo), "code '10' is not a province of the official register")
    assert problem.file == "inventory/province.yml"
    assert problem.path == "code"
    assert problem.fix == 'set code: "15" (Lào Cai in the register)'


def test_the_province_by_another_name(
    repo: Path, edit_province: Callable[..., Path], problems_of: Problems
) -> None:
    edit_province(lambda d: d.update(name="Yên Bái"))
    problem = _find(problems_of(repo), "name 'Yên Bái' is not the register's name of province 15")
    assert problem.fix == "set name: Lào Cai"


def test_a_wrong_code(repo: Path, edit_site: SiteEdit, problems_of: Problems) -> None:
    edit_site("coc-san", lambda d: d.update(code="02747"))
    problem = _find(problems_of(repo), "code '02747' is no unit of the register")
    assert problem.file == "inventory/sites/coc-san.yml"
    assert problem.path == "code"
    assert problem.line is not None
    assert problem.fix == 'set code: "02746" (the register\'s code of Xã Cốc San)'


def test_a_code_that_names_another_unit(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    (repo / "inventory" / "sites" / "y-ty.yml").unlink()
    edit_site("coc-san", lambda d: d.update(code="02701"))
    problem = _find(problems_of(repo), "name 'Xã Cốc San' does not match code 02701")
    assert "which is 'Xã Y Tý' in the register" in problem.message
    assert problem.path == "name"
    assert problem.fix == 'set name: Xã Y Tý, or, if the site is Xã Cốc San, set code: "02746"'


def test_a_code_without_its_leading_zero(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    edit_site("coc-san", lambda d: d.update(code="2746"))
    problem = _find(problems_of(repo), "without the register's leading zeros")
    assert problem.fix == 'set code: "02746"'


def test_a_unit_of_another_province(repo: Path, edit_site: SiteEdit, problems_of: Problems) -> None:
    hanoi = register.units("01")[0]
    edit_site("coc-san", lambda d: d.update(code=hanoi.code, name=hanoi.name))
    problem = _find(problems_of(repo), f"is {hanoi.name} of another province (01)")
    assert problem.path == "code"


def test_a_retired_district(repo: Path, edit_site: SiteEdit, problems_of: Problems) -> None:
    def district(data: dict[str, Any]) -> None:
        data.update(name="Bát Xát", code="082", level="district")

    edit_site("bat-xat", district)
    problem = _find(problems_of(repo), "the district level is gone since 1 July 2025")
    assert problem.file == "inventory/sites/bat-xat.yml"
    assert problem.path == "level"
    assert "re-code the site to Xã Bát Xát (02683)" in problem.fix
    assert "retire the site (docs/province.md)" in problem.fix


def test_a_unit_with_two_sites(repo: Path, edit_site: SiteEdit, problems_of: Problems) -> None:
    edit_site("coc-san", lambda d: d.update(code="02701", name="Xã Y Tý"))
    problem = _find(problems_of(repo), "code '02701' is already used in")
    assert "one site per unit" in problem.fix


def test_the_hub_carries_the_province_code(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    edit_site("ubnd-tinh", lambda d: d.update(code="10"))
    problem = _find(problems_of(repo), "the hub carries the province's code, not '10'")
    assert problem.fix == 'set code: "15"'


def test_a_synthetic_province_is_not_checked(
    repo: Path,
    edit_site: SiteEdit,
    edit_province: Callable[..., Path],
    problems_of: Problems,
) -> None:
    edit_site("coc-san", lambda d: d.update(code="20001", name="Xã Thử"))
    assert problems_of(repo) != []
    edit_province(lambda d: d.update(units="synthetic"))
    assert problems_of(repo) == []


def test_only_the_register_module_imports_the_package() -> None:
    """One door to vietnam-provinces: every other module reads the register through it."""
    import ast

    root = Path(__file__).resolve().parents[2]
    importers = []
    for path in sorted([*(root / "tools").rglob("*.py"), *(root / "plugins").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(n.split(".")[0] == "vietnam_provinces" for n in names):
                importers.append(str(path.relative_to(root)))
    assert sorted(set(importers)) == ["tools/rollout/register.py"]
