"""The commands as a user meets them: help, exit codes, JSON, new-site."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest

from rollout.cli.main import cli

Rollout = Callable[..., Any]
ROLLOUT = Path(sys.executable).with_name("rollout")


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[list[str]]:
    """Every command and sub-command of the CLI, as the words that name it."""
    paths = [list(prefix)]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            paths += _command_paths(command, (*prefix, name))
        else:
            paths.append([*prefix, name])
    return paths


COMMANDS = _command_paths(cli)


def _site_files(repo: Path) -> set[str]:
    return {p.name for p in (repo / "inventory" / "sites").iterdir()}


def _no_crash(result: Any) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


# --- help and usage --------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) or "rollout" for c in COMMANDS])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_on_every_command(rollout: Rollout, command: list[str], flag: str) -> None:
    result = rollout(*command, flag)
    assert result.exit_code == 0, result.output
    assert "Usage: rollout" in result.stdout
    _no_crash(result)


def test_the_known_commands_have_help() -> None:
    assert {"validate", "render", "new-site"} <= set(cli.commands)


def test_version(rollout: Rollout) -> None:
    result = rollout("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("rollout, version ")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["bogus"], "No such command 'bogus'"),
        (["validate", "--bogus"], "No such option '--bogus'"),
        (["validate", "--format", "xml"], "'xml' is not one of 'table', 'json'"),
        (["render", "--format"], "requires an argument"),
        (["new-site"], "Missing argument 'UNIT'"),
        (["new-site", "y-ty"], "Missing option '--from'"),
        (["new-site", "y-ty", "--from", "bao-thang", "--level", "hub"], "No such option"),
        (["new-site", "-x", "--from", "bao-thang"], "No such option"),
        (["new-site", "y-ty", "--from", "bao-thang", "--calls", "65"], "0<=x<=64"),
        (["sync-register", "--calls", "65"], "0<=x<=64"),
        (["sync-register", "--bogus"], "No such option"),
    ],
)
def test_usage_errors_exit_1(rollout: Rollout, args: list[str], fragment: str) -> None:
    result = rollout(*args)
    assert result.exit_code == 1, result.output
    assert fragment in result.output
    _no_crash(result)


def test_usage_error_exits_1_from_the_installed_command(repo: Path) -> None:
    env = {**os.environ, "ROLLOUT_REPO": str(repo)}
    proc = subprocess.run(
        [str(ROLLOUT), "validate", "--format", "xml"],
        capture_output=True,
        text=True,
        env=env,
        cwd=repo,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "Usage: rollout validate" in proc.stderr


def test_render_without_sites_is_an_error(rollout: Rollout) -> None:
    result = rollout("render")
    assert result.exit_code == 1
    assert "name the sites to render" in result.output
    assert "give SITE... or --all" in result.output


def test_outside_a_repository(rollout: Rollout, tmp_path: Path) -> None:
    result = rollout("validate", root=tmp_path)
    assert result.exit_code == 1
    assert "is not a rollout repository (no inventory/province.yml)" in result.output


# --- validate --------------------------------------------------------------------------------


def test_validate_ok(rollout: Rollout) -> None:
    result = rollout("validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "ok: 100 sites, 400 devices, no problems"


def test_validate_json_ok(rollout: Rollout) -> None:
    result = rollout("validate", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert data["problems"] == []
    assert data["devices"] == 400
    assert "bao-thang" in data["sites"]


def test_validate_one_site_json(rollout: Rollout) -> None:
    data = json.loads(rollout("validate", "bao-thang", "--format", "json").stdout)
    warnings = data.pop("warnings")
    assert data == {"ok": True, "sites": ["bao-thang"], "devices": 4, "problems": []}
    # what a live run would refuse is listed, not failed: the lab vault, the stand-in prefix
    assert {w["field"] for w in warnings} == {"vault_password_file", "cloud.prefixes[0]"}


def test_validate_json_with_problems(rollout: Rollout, repo: Path) -> None:
    path = repo / "inventory" / "sites" / "sa-pa.yml"
    text = path.read_text(encoding="utf-8")
    # the code and name of the pilot's unit: one site per unit
    text = text.replace('code: "03006"', 'code: "02905"').replace("Phường Sa Pa", "Xã Bảo Thắng")
    path.write_text(text)
    result = rollout("validate", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["error"] == "the inventory has 1 problem"
    [problem] = data["problems"]
    assert problem["file"] == "inventory/sites/sa-pa.yml"
    assert problem["path"] == "code"
    assert problem["line"] == 6
    assert "already used" in problem["message"]


def test_validate_unknown_site(rollout: Rollout) -> None:
    result = rollout("validate", "bao-tang")
    assert result.exit_code == 1
    assert "no site 'bao-tang' in inventory/sites/" in result.output
    assert "did you mean 'bao-thang'?" in result.output


def test_validate_one_site_ignores_problems_of_others(rollout: Rollout, repo: Path) -> None:
    path = repo / "inventory" / "sites" / "sa-pa.yml"
    path.write_text(path.read_text(encoding="utf-8") + "vlanz: 1\n", encoding="utf-8")
    assert rollout("validate", "bao-thang").exit_code == 0
    assert rollout("validate", "sa-pa").exit_code == 1
    assert rollout("validate").exit_code == 1


def test_validate_unknown_site_while_another_is_broken(rollout: Rollout, repo: Path) -> None:
    path = repo / "inventory" / "sites" / "sa-pa.yml"
    path.write_text(path.read_text(encoding="utf-8") + "vlanz: 1\n", encoding="utf-8")
    result = rollout("validate", "no-such-site")
    assert result.exit_code == 1


# --- render ----------------------------------------------------------------------------------


def test_render_unknown_site(rollout: Rollout, tmp_path: Path) -> None:
    result = rollout("render", "sapa", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "no site 'sapa'" in result.output
    assert "did you mean 'sa-pa'?" in result.output
    assert not (tmp_path / "out").exists()


def test_render_json(rollout: Rollout, tmp_path: Path) -> None:
    result = rollout("render", "bao-thang", "--out", str(tmp_path / "out"), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert sorted(Path(f).name for f in data["files"]) == [
        "bao-thang-codec01.api",
        "bao-thang-rtr01.cfg",
        "bao-thang-sw01.cfg",
        "bao-thang-vmeet01.yml",
    ]


def test_render_refuses_a_broken_site(rollout: Rollout, repo: Path, tmp_path: Path) -> None:
    path = repo / "inventory" / "sites" / "sa-pa.yml"
    path.write_text(path.read_text(encoding="utf-8") + "vlanz: 1\n", encoding="utf-8")
    result = rollout("render", "sa-pa", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "inventory/sites/sa-pa.yml" in result.output
    assert not (tmp_path / "out").exists()


def test_render_with_secrets_keeps_values_private(
    rollout: Rollout, repo: Path, tmp_path: Path
) -> None:
    from rollout.secrets import load_secrets

    out = tmp_path / "out"
    assert rollout("render", "bao-thang", "--out", str(out), "--with-secrets").exit_code == 0
    secrets = load_secrets(repo)
    router = (out / "bao-thang" / "bao-thang-rtr01.cfg").read_text(encoding="utf-8")
    assert secrets["vault_snmp_priv_key"] in router
    for path in (out / "bao-thang").iterdir():
        assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by others"


def test_lab_up_network_needs_root_and_starts_nothing_without_it(
    rollout: Rollout, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setenv("ROLLOUT_LAB_DIR", str(repo / ".lab"))
    result = rollout("lab", "up", "bao-thang", "--network")
    assert result.exit_code == 1
    assert "needs root" in result.output and "Traceback" not in result.output
    assert not (repo / ".lab" / "state.json").exists()
    assert not (repo / ".netlab").exists()


def test_lab_up_network_refuses_an_unknown_weather_before_starting(
    rollout: Rollout, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setenv("ROLLOUT_LAB_DIR", str(repo / ".lab"))
    result = rollout("lab", "up", "bao-thang", "--network", "--weather", "monsoon")
    assert result.exit_code == 1
    assert "no weather profile 'monsoon'" in result.output
    assert not (repo / ".lab" / "state.json").exists()
