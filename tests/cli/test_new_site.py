"""`rollout new-site` and `rollout sync-register`: sites of official units, from the register."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

Rollout = Callable[..., Any]


def _sites(repo: Path) -> Path:
    return repo / "inventory" / "sites"


def _site_files(repo: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in _sites(repo).iterdir()}


def _free(repo: Path, slug: str) -> dict[str, Any]:
    """Remove a unit's site from the copy (as if it had never been made); its old content."""
    path = _sites(repo) / f"{slug}.yml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.unlink()
    return data


def _no_crash(result: Any) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


# --- new-site --------------------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["Xã Y Tý", "Y Tý", "Y Ty", "y ty", "y-ty", "xa_y_ty", "02701"])
def test_new_site_takes_the_official_name_and_code(rollout: Rollout, repo: Path, unit: str) -> None:
    old = _free(repo, "y-ty")
    result = rollout("new-site", unit, "--from", "bao-thang")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((_sites(repo) / "y-ty.yml").read_text(encoding="utf-8"))
    assert (data["slug"], data["name"], data["code"], data["level"]) == (
        "y-ty",
        "Xã Y Tý",
        "02701",
        "commune",
    )
    assert "placeholders" not in data
    codec, room = data["devices"][2], data["devices"][3]
    assert codec["e164"] == "1502701"  # the province's code, then the unit's
    assert codec["display_name"] == "UBND xa Y Ty"
    assert room["display_name"] == "UBND xã Y Tý"
    assert room["room_id"] == "lci-02701-y-ty"
    assert data["block"] == old["block"]  # the lowest free range: the one just freed
    assert rollout("validate", "y-ty").exit_code == 0


def test_new_site_by_a_code_without_its_leading_zero(rollout: Rollout, repo: Path) -> None:
    _free(repo, "y-ty")
    result = rollout("new-site", "2701", "--from", "bao-thang", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["site"]["code"], data["site"]["name"]) == ("02701", "Xã Y Tý")
    assert data["file"] == "inventory/sites/y-ty.yml"
    text = (_sites(repo) / "y-ty.yml").read_text(encoding="utf-8")
    assert 'code: "02701"' in text  # quoted: the leading zero stays
    assert 'e164: "1502701"' in text


def test_new_site_prints_the_allocation(rollout: Rollout, repo: Path) -> None:
    old = _free(repo, "coc-san")
    result = rollout(
        "new-site", "Cốc San", "--from", "bao-thang", "--wan-rate", "6M", "--calls", "1"
    )
    assert result.exit_code == 0, result.output
    for text in (
        "inventory/sites/coc-san.yml",
        "02746",
        old["block"],
        old["loopback"],
        old["wan"]["link"],
        "coc-san-rtr01",
    ):
        assert text in result.stdout, text
    render = rollout("render", "coc-san", "--out", str(repo / "out"))
    assert render.exit_code == 0, render.output
    assert (repo / "out" / "coc-san" / "coc-san-rtr01.cfg").is_file()


def test_new_site_with_the_right_name_and_code_as_checks(rollout: Rollout, repo: Path) -> None:
    _free(repo, "coc-san")
    result = rollout(
        "new-site", "coc-san", "--from", "bao-thang", "--name", "Cốc San", "--code", "02746"
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["bat-xat", "--from", "bao-thang"], "site 'bat-xat' already exists"),
        (["Y Tyy", "--from", "bao-thang"], "did you mean: Xã Y Tý (02701)?"),
        (["xa-moi", "--from", "bao-thang"], "no unit of the province is named 'xa-moi'"),
        (["99999", "--from", "bao-thang"], "no unit of the province has the code 99999"),
        (["y-ty", "--from", "bao-thag"], "there is no site 'bao-thag' to clone from"),
        (["y-ty", "--from", "bao-thang", "--code", "10000"], "the register gives 02701"),
        (["y-ty", "--from", "bao-thang", "--code", "1a"], "--code 1a is not the code"),
        (["y-ty", "--from", "bao-thang", "--name", "Cốc San"], "is not the name of Xã Y Tý"),
        (["y-ty", "--from", "bao-thang", "--wan-rate", "fast"], "--wan-rate 'fast' is not"),
        (["y-ty", "--from", "bao-thang", "--wan-rate", "200G"], "less than or equal to"),
        (["y-ty", "--from", "bao-thang", "--wan-rate", "2M"], "raise wan.rate_kbps to at least"),
    ],
)
def test_new_site_refuses_and_writes_nothing(
    rollout: Rollout, repo: Path, args: list[str], fragment: str
) -> None:
    _free(repo, "y-ty")
    before = _site_files(repo)
    result = rollout("new-site", *args)
    assert result.exit_code == 1, result.output
    assert fragment in result.output
    _no_crash(result)
    assert _site_files(repo) == before


def test_new_site_names_the_candidates_of_an_ambiguous_name(rollout: Rollout, repo: Path) -> None:
    """Two units whose names differ only by their diacritics are both named."""
    from rollout import register

    units = (
        register.Unit("00001", "Xã Hòa An", "xa_hoa_an", "xã", "99"),
        register.Unit("00002", "Xã Hoà An", "xa_hoa_an_2", "xã", "99"),
    )
    with pytest.raises(register.RegisterError) as info:
        register.find_unit("Hoa An", units)
    assert "names 2 units: Xã Hòa An (00001, hoa-an), Xã Hoà An (00002, hoa-an-2)" in str(
        info.value
    )
    assert "give the unit's code" in info.value.fix


def test_new_site_twice_is_refused(rollout: Rollout, repo: Path) -> None:
    _free(repo, "y-ty")
    assert rollout("new-site", "y-ty", "--from", "bao-thang").exit_code == 0
    text = (_sites(repo) / "y-ty.yml").read_bytes()
    again = rollout("new-site", "Y Tý", "--from", "bao-thang")
    assert again.exit_code == 1
    assert "site 'y-ty' already exists" in again.output
    assert (_sites(repo) / "y-ty.yml").read_bytes() == text


# --- sync-register ---------------------------------------------------------------------------


def test_sync_register_check_on_the_repository(rollout: Rollout) -> None:
    result = rollout("sync-register", "--check", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert data["province"] == {"code": "15", "name": "Lào Cai"}
    assert data["units"] == 99
    assert data["missing"] == data["gone"] == data["created"] == []


def test_sync_register_lists_and_creates_the_missing_sites(rollout: Rollout, repo: Path) -> None:
    old = {slug: _free(repo, slug) for slug in ("y-ty", "coc-san", "bao-ai")}
    before = _site_files(repo)
    check = rollout("sync-register", "--check", "--format", "json")
    assert check.exit_code == 2, check.output
    missing = json.loads(check.stdout)["missing"]
    assert [(m["code"], m["name"], m["slug"]) for m in missing] == [
        ("02701", "Xã Y Tý", "y-ty"),
        ("02746", "Xã Cốc San", "coc-san"),
        ("04750", "Xã Bảo Ái", "bao-ai"),
    ]
    assert _site_files(repo) == before  # --check writes nothing
    refused = rollout("sync-register")
    assert refused.exit_code == 1
    assert "give --from SITE" in refused.output
    made = rollout("sync-register", "--from", "bao-thang", "--wan-rate", "6M", "--calls", "1")
    assert made.exit_code == 0, made.output
    assert "created 3 sites" in made.stdout
    for slug, data in old.items():
        new = yaml.safe_load((_sites(repo) / f"{slug}.yml").read_text(encoding="utf-8"))
        for key in ("name", "code", "level", "block", "loopback", "wan", "conference"):
            assert new[key] == data[key], (slug, key)
    assert rollout("sync-register", "--check").exit_code == 0
    assert rollout("validate").exit_code == 0


def test_sync_register_lists_a_site_whose_unit_is_gone(rollout: Rollout, repo: Path) -> None:
    path = _sites(repo) / "sa-pa.yml"
    path.write_text(path.read_text(encoding="utf-8").replace('code: "03006"', 'code: "088"'))
    result = rollout("sync-register", "--check", "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert [g["slug"] for g in data["gone"]] == ["sa-pa"]
    assert "088 is no unit of province 15" in data["gone"][0]["reason"]
    assert [m["code"] for m in data["missing"]] == ["03006"]
    # the unit's file is taken by the site whose unit is gone: nothing is written
    before = _site_files(repo)
    result = rollout("sync-register", "--from", "bao-thang")
    assert result.exit_code == 1
    assert "Phường Sa Pa (03006) -> sa-pa.yml" in result.output
    assert _site_files(repo) == before


def test_sync_register_refuses_when_the_hub_cannot_carry_the_new_sites(
    rollout: Rollout, repo: Path
) -> None:
    _free(repo, "y-ty")
    before = _site_files(repo)
    result = rollout("sync-register", "--from", "bao-thang", "--calls", "5", "--wan-rate", "30M")
    assert result.exit_code == 1
    assert "licensed video ports of the MCU 'mcu-tinh'" in result.output
    assert _site_files(repo) == before
