"""Scope as the user meant it: a broken site file stops only what needs that site."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rollout.errors import InvalidInventory
from rollout.inventory.loader import load_inventory

Rollout = Callable[..., Any]


def _break(repo: Path, slug: str, extra: str = "vlanz: 1\n") -> Path:
    path = repo / "inventory" / "sites" / f"{slug}.yml"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def test_tolerant_load_sets_a_broken_site_aside(repo: Path) -> None:
    _break(repo, "sa-pa")
    with pytest.raises(InvalidInventory):
        load_inventory(repo)  # the strict load (validate, new-site) still refuses
    inv = load_inventory(repo, tolerant=True)
    assert "sa-pa" not in inv.sites and "bao-thang" in inv.sites
    [problem] = inv.broken["sa-pa"]
    assert (problem.file, problem.path) == ("inventory/sites/sa-pa.yml", "vlanz")
    assert "remove it" in problem.fix


def test_a_site_breaking_a_cross_file_rule_is_set_aside(repo: Path) -> None:
    path = repo / "inventory" / "sites" / "sa-pa.yml"
    pilot = load_inventory(repo).sites["bao-thang"].code
    own = load_inventory(repo).sites["sa-pa"].code
    text = path.read_text(encoding="utf-8").replace(f'code: "{own}"', f'code: "{pilot}"')
    assert pilot != own and f'"{pilot}"' in text
    path.write_text(text, encoding="utf-8")  # bao-thang's code
    inv = load_inventory(repo, tolerant=True)
    assert "bao-thang" in inv.sites and "sa-pa" in inv.broken
    assert any(p.path == "code" and "already used" in p.message for p in inv.broken["sa-pa"])


def test_good_sites_render_next_to_a_broken_one(
    rollout: Rollout, repo: Path, tmp_path: Path
) -> None:
    _break(repo, "sa-pa")
    ok = rollout("render", "bao-thang", "--out", str(tmp_path / "one"))
    assert ok.exit_code == 0, ok.output
    assert "left out" not in ok.output

    every = rollout("render", "--all", "--out", str(tmp_path / "all"))
    assert every.exit_code == 1
    assert (tmp_path / "all" / "bao-thang" / "bao-thang-rtr01.cfg").is_file()
    assert not (tmp_path / "all" / "sa-pa").exists()
    assert "left out: site sa-pa: inventory/sites/sa-pa.yml has 1 problem" in every.stderr
    assert "vlanz" in every.stderr and "fix:" in every.stderr

    data = json.loads(
        rollout("render", "--all", "--out", str(tmp_path / "j"), "--format", "json").stdout
    )
    [left] = data["left_out"]
    assert left["site"] == "sa-pa" and left["device"] is None
    assert left["problems"][0]["file"] == "inventory/sites/sa-pa.yml"
    assert left["problems"][0]["path"] == "vlanz"


def test_validate_still_reports_the_broken_site(rollout: Rollout, repo: Path) -> None:
    _break(repo, "sa-pa")
    whole = rollout("validate")
    assert whole.exit_code == 1
    assert "inventory/sites/sa-pa.yml" in whole.stderr and "vlanz" in whole.stderr
    assert rollout("validate", "bao-thang").exit_code == 0
    named = rollout("validate", "sa-pa", "bao-thang")
    assert named.exit_code == 1 and "unknown field 'vlanz'" in named.stderr


def test_plan_on_the_broken_site_names_file_field_fix(rollout: Rollout, repo: Path) -> None:
    _break(repo, "sa-pa")
    result = rollout("plan", "sa-pa", "--lab")
    assert result.exit_code == 1
    assert "error: inventory/sites/sa-pa.yml:" in result.stderr
    assert "vlanz: unknown field 'vlanz'" in result.stderr
    assert "fix: " in result.stderr
    data = json.loads(rollout("plan", "sa-pa", "--format", "json").stdout)
    assert data["ok"] is False and data["problems"][0]["path"] == "vlanz"


def test_a_broken_province_file_still_stops_everything(
    rollout: Rollout, repo: Path, tmp_path: Path
) -> None:
    province = repo / "inventory" / "province.yml"
    province.write_text(province.read_text(encoding="utf-8") + "hubb: x\n", encoding="utf-8")
    result = rollout("render", "bao-thang", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1 and "inventory/province.yml" in result.stderr


def test_a_broken_hub_stops_every_site(rollout: Rollout, repo: Path, tmp_path: Path) -> None:
    _break(repo, "ubnd-tinh")
    result = rollout("render", "bao-thang", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "the hub site 'ubnd-tinh' has problems" in result.stderr
    assert "inventory/sites/ubnd-tinh.yml" in result.stderr


def test_one_selector_one_error_style(rollout: Rollout) -> None:
    for args in (["render", "bao-tang", "--out", "x"], ["plan", "bao-tang"], ["site", "bao-tang"]):
        result = rollout(*args)
        assert result.exit_code == 1, args
        assert "error: inventory/sites/bao-tang.yml: no site 'bao-tang'" in result.stderr
        assert "fix: did you mean 'bao-thang'?" in result.stderr


def test_device_filters_that_match_nothing(rollout: Rollout) -> None:
    result = rollout("site", "bao-thang", "--device", "nope-*", "--yes")
    assert result.exit_code == 1
    assert "no device of bao-thang matches the selection" in result.stderr
    assert "--role" in rollout("plan", "--help").stdout
    assert "--device" in rollout("site", "--help").stdout
