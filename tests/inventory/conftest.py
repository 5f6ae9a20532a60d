"""Fixtures for the inventory tests: a private copy of the repository to write site files in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from repocopy import copy_repo, the_2017_sites
from rollout.errors import InvalidInventory, Problem
from rollout.inventory.loader import load_inventory


@pytest.fixture
def copy_of() -> Callable[[Path], Path]:
    """Make another copy of the repository at the given folder."""
    return copy_repo


@pytest.fixture
def read_yaml() -> Callable[[Path], dict[str, Any]]:
    def read(path: Path) -> dict[str, Any]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict)
        return data

    return read


@pytest.fixture
def write_yaml() -> Callable[[Path, dict[str, Any]], None]:
    def write(path: Path, data: dict[str, Any]) -> None:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        path.write_text("---\n" + text, encoding="utf-8")

    return write


@pytest.fixture
def edit_site(
    repo: Path,
    read_yaml: Callable[[Path], dict[str, Any]],
    write_yaml: Callable[[Path, dict[str, Any]], None],
) -> Callable[[str, Callable[[dict[str, Any]], None]], Path]:
    """Load a site file of the copy, let the test change the data, write it back."""

    def edit(slug: str, change: Callable[[dict[str, Any]], None]) -> Path:
        path = repo / "inventory" / "sites" / f"{slug}.yml"
        data = read_yaml(path)
        change(data)
        write_yaml(path, data)
        return path

    return edit


@pytest.fixture
def edit_province(
    repo: Path,
    read_yaml: Callable[[Path], dict[str, Any]],
    write_yaml: Callable[[Path, dict[str, Any]], None],
) -> Callable[[Callable[[dict[str, Any]], None]], Path]:
    def edit(change: Callable[[dict[str, Any]], None]) -> Path:
        path = repo / "inventory" / "province.yml"
        data = read_yaml(path)
        change(data)
        write_yaml(path, data)
        return path

    return edit


@pytest.fixture
def problems_of() -> Callable[[Path], list[Problem]]:
    """Every problem load_inventory reports for a repository ([] when it is valid)."""

    def problems(root: Path) -> list[Problem]:
        try:
            load_inventory(root)
        except InvalidInventory as exc:
            return list(exc.problems)
        return []

    return problems


@pytest.fixture
def ten_sites(repo: Path) -> Path:
    """The copy cut down to the hub and the nine sites of 2017 (repocopy.the_2017_sites)."""
    return the_2017_sites(repo)
