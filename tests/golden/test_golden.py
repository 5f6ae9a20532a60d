"""Golden files: the pilot's and the hub's rendered configurations, kept byte for byte.

When a template or the inventory changes on purpose, regenerate them with

    ROLLOUT_UPDATE_GOLDEN=1 pytest tests/golden/test_golden.py

and review the diff of tests/golden/ like any other change to the network.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent
REPO = GOLDEN.parents[1]
SITES = ("bao-thang", "ubnd-tinh")
UPDATE = os.environ.get("ROLLOUT_UPDATE_GOLDEN") == "1"
HOW = "if the change is intended, regenerate with: ROLLOUT_UPDATE_GOLDEN=1 pytest tests/golden"


def _golden() -> dict[str, bytes]:
    return {
        str(p.relative_to(GOLDEN)): p.read_bytes()
        for site in SITES
        if (GOLDEN / site).is_dir()
        for p in sorted((GOLDEN / site).iterdir())
        if p.is_file()
    }


def test_rendered_files_match_the_golden_files(rendered: dict[str, bytes]) -> None:
    if UPDATE:
        for site in SITES:
            for stale in (GOLDEN / site).glob("*") if (GOLDEN / site).is_dir() else ():
                if stale.is_file() and f"{site}/{stale.name}" not in rendered:
                    stale.unlink()
        for name, data in rendered.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(data)
    golden = _golden()
    assert golden, f"no golden files in {GOLDEN}; {HOW}"
    missing = sorted(set(rendered) - set(golden))
    extra = sorted(set(golden) - set(rendered))
    assert not missing, f"rendered but not in tests/golden: {missing}; {HOW}"
    assert not extra, f"in tests/golden but no longer rendered: {extra}; {HOW}"
    for name in sorted(rendered):
        if rendered[name] != golden[name]:
            diff = "".join(
                difflib.unified_diff(
                    golden[name].decode("utf-8").splitlines(keepends=True),
                    rendered[name].decode("utf-8").splitlines(keepends=True),
                    f"tests/golden/{name}",
                    f"rendered/{name}",
                )
            )
            pytest.fail(f"{name} differs from its golden file; {HOW}\n{diff}", pytrace=False)


def test_golden_set_covers_every_device_of_both_sites(rendered: dict[str, bytes]) -> None:
    assert sorted(rendered) == [
        "bao-thang/bao-thang-codec01.api",
        "bao-thang/bao-thang-rtr01.cfg",
        "bao-thang/bao-thang-sw01.cfg",
        "bao-thang/bao-thang-vmeet01.yml",
        "ubnd-tinh/ubnd-tinh-codec01.api",
        "ubnd-tinh/ubnd-tinh-rtr01.cfg",
        "ubnd-tinh/ubnd-tinh-sw01.cfg",
        "ubnd-tinh/ubnd-tinh-vmeet01.yml",
    ]


def test_rendering_is_deterministic(
    rendered: dict[str, bytes], render: Callable[..., dict[str, bytes]], tmp_path: Path
) -> None:
    again = render(REPO, tmp_path / "again", *SITES)
    assert again == rendered
    # and rendering one site alone gives the same bytes as rendering it with others
    alone = render(REPO, tmp_path / "alone", "bao-thang")
    assert alone == {k: v for k, v in rendered.items() if k.startswith("bao-thang/")}


def test_every_file_starts_with_the_managed_by_header(rendered: dict[str, bytes]) -> None:
    for name, data in rendered.items():
        site = name.split("/")[0]
        first = data.decode("utf-8").splitlines()[0]
        comment = "!" if name.endswith(".cfg") else "#"
        assert first == (
            f"{comment} Managed by rollout from inventory/sites/{site}.yml "
            "and inventory/province.yml."
        ), f"{name}: {first!r}"


def test_rendered_files_are_ascii_where_devices_need_it(rendered: dict[str, bytes]) -> None:
    # IOS and the Polycom API get plain ASCII; only the room client profile keeps diacritics
    for name, data in rendered.items():
        if not name.endswith(".yml"):
            assert data.isascii(), f"{name} has non-ASCII characters"
        assert data.endswith(b"\n"), f"{name} does not end with a newline"
        assert b"\r" not in data


def test_no_unrendered_template_syntax(rendered: dict[str, bytes]) -> None:
    for name, data in rendered.items():
        assert not re.search(rb"\{\{|\}\}|\{%|%\}", data), name
