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
import yaml

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
        (["new-site"], "Missing argument 'SLUG'"),
        (["new-site", "xa-moi", "--name", "X"], "Missing option '--from'"),
        (["new-site", "xa-moi", "--from", "bao-thang"], "Missing option '--name'"),
        (["new-site", "xa-moi", "--from", "bao-thang", "--name", "X", "--level", "hub"], "hub"),
        (["new-site", "-x", "--from", "bao-thang", "--name", "X"], "No such option"),
        (["new-site", "x", "--from", "bao-thang", "--name", "X", "--calls", "65"], "0<=x<=64"),
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
    assert result.stdout.strip() == "ok: 10 sites, 40 devices, no problems"


def test_validate_json_ok(rollout: Rollout) -> None:
    result = rollout("validate", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert data["problems"] == []
    assert data["devices"] == 40
    assert "bao-thang" in data["sites"]


def test_validate_one_site_json(rollout: Rollout) -> None:
    data = json.loads(rollout("validate", "bao-thang", "--format", "json").stdout)
    warnings = data.pop("warnings")
    assert data == {"ok": True, "sites": ["bao-thang"], "devices": 4, "problems": []}
    # what a live run would refuse is listed, not failed: the lab vault, the stand-in prefix
    assert {w["field"] for w in warnings} == {"vault_password_file", "cloud.prefixes[0]"}


def test_validate_json_with_problems(rollout: Rollout, repo: Path) -> None:
    path = repo / "inventory" / "sites" / "sa-pa.yml"
    path.write_text(path.read_text(encoding="utf-8").replace('code: "088"', 'code: "086"'))
    result = rollout("validate", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["error"] == "the inventory has 1 problem"
    [problem] = data["problems"]
    assert problem["file"] == "inventory/sites/sa-pa.yml"
    assert problem["path"] == "code"
    assert problem["line"] == 5
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


# --- new-site --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["bat-xat", "--from", "bao-thang"], "site 'bat-xat' already exists"),
        (["Bat_Xat", "--from", "bao-thang"], "'Bat_Xat' is not a valid site slug"),
        (["bat--xat", "--from", "bao-thang"], "'bat--xat' is not a valid site slug"),
        (["--from", "bao-thang", "--", "-x"], "'-x' is not a valid site slug"),
        (["x" * 41, "--from", "bao-thang"], "is not a valid site slug"),
        (["xa-moi", "--from", "bao-thag"], "there is no site 'bao-thag' to clone from"),
        (["xa-moi", "--from", "bao-thang", "--code", "1a"], "--code '1a' is not a GSO code"),
        (["xa-moi", "--from", "bao-thang", "--code", "086"], "code '086' is already used"),
        (["xa-moi", "--from", "bao-thang", "--wan-rate", "fast"], "--wan-rate 'fast' is not"),
        (["xa-moi", "--from", "bao-thang", "--wan-rate", "200G"], "less than or equal to"),
    ],
)
def test_new_site_refuses_and_writes_nothing(
    rollout: Rollout, repo: Path, args: list[str], fragment: str
) -> None:
    before = _site_files(repo)
    result = rollout("new-site", "--name", "Xã Mới", *args)
    assert result.exit_code == 1, result.output
    assert fragment in result.output
    _no_crash(result)
    assert _site_files(repo) == before
    assert "nothing was changed" in result.output or "error:" in result.output


def test_new_site_commune_over_budget(rollout: Rollout, repo: Path) -> None:
    before = _site_files(repo)
    result = rollout(
        "new-site",
        "xa-coc-san",
        "--from",
        "bao-thang",
        "--name",
        "Cốc San",
        "--level",
        "commune",
        "--wan-rate",
        "2M",
    )
    assert result.exit_code == 1
    _no_crash(result)
    assert _site_files(repo) == before
    # the pilot plans 2 calls at 2048 kbit/s (+20 %): 4915 kbit/s; 52 % of 95 % of 2000 is 988
    needed, available = round(2 * 2048 * 1.2), (2000 * 95 // 100) * 52 // 100
    assert f"short by {needed - available} kbit/s" in result.output
    assert "inventory/sites/xa-coc-san.yml" in result.output
    assert "raise wan.rate_kbps to at least 9950" in result.output
    assert "nothing was changed" in result.output


def test_new_site_prints_the_allocation_and_validates(rollout: Rollout, repo: Path) -> None:
    result = rollout(
        "new-site", "coc-san", "--from", "bao-thang", "--name", "Cốc San", "--level", "commune"
    )
    assert result.exit_code == 0, result.output
    for text in (
        "inventory/sites/coc-san.yml",
        "10.16.10.0/24",
        "10.16.10.0/26",
        "10.16.10.64/27",
        "10.255.0.11/32",
        "10.254.0.40/30",
        "10000",  # first five-digit commune code
        "coc-san-rtr01",
        "10.16.10.66",
    ):
        assert text in result.stdout, text
    path = repo / "inventory" / "sites" / "coc-san.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["slug"] == "coc-san"
    assert data["level"] == "commune"
    assert data["code"] == "10000"
    assert data["devices"][2]["display_name"] == "UBND xa Coc San"
    assert data["devices"][2]["e164"] == "1010000"
    assert data["devices"][3]["display_name"] == "UBND xã Cốc San"
    assert rollout("validate", "coc-san").exit_code == 0
    assert rollout("validate").stdout.startswith("ok: 11 sites, 44 devices")
    # the clone renders too
    render = rollout("render", "coc-san", "--out", str(repo / "out"))
    assert render.exit_code == 0, render.output
    assert (repo / "out" / "coc-san" / "coc-san-rtr01.cfg").is_file()


def test_new_site_keeps_the_code_quoted_and_explicit_code(rollout: Rollout, repo: Path) -> None:
    result = rollout("new-site", "xa-moi", "--from", "bao-thang", "--name", "Mới", "--code", "090")
    assert result.exit_code == 0, result.output
    text = (repo / "inventory" / "sites" / "xa-moi.yml").read_text(encoding="utf-8")
    assert 'code: "090"' in text
    assert 'e164: "10090"' in text


def test_new_site_with_a_faster_link(rollout: Rollout, repo: Path) -> None:
    result = rollout(
        "new-site", "xa-moi", "--from", "bao-thang", "--name", "Mới", "--wan-rate", "200M"
    )
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((repo / "inventory" / "sites" / "xa-moi.yml").read_text("utf-8"))
    assert data["wan"]["rate_kbps"] == 200_000
    assert data["wan"]["port_kbps"] == 200_000  # raised to the rate


def test_new_site_twice_is_refused(rollout: Rollout, repo: Path) -> None:
    args = ("new-site", "xa-moi", "--from", "bao-thang", "--name", "Mới")
    assert rollout(*args).exit_code == 0
    text = (repo / "inventory" / "sites" / "xa-moi.yml").read_bytes()
    again = rollout(*args)
    assert again.exit_code == 1
    assert "site 'xa-moi' already exists" in again.output
    assert (repo / "inventory" / "sites" / "xa-moi.yml").read_bytes() == text


def test_new_site_commune_on_a_slow_link_with_one_call(rollout: Rollout, repo: Path) -> None:
    result = rollout(
        "new-site",
        "coc-san",
        "--from",
        "bao-thang",
        "--name",
        "Cốc San",
        "--level",
        "commune",
        "--wan-rate",
        "6M",
        "--calls",
        "1",
    )
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((repo / "inventory" / "sites" / "coc-san.yml").read_text("utf-8"))
    assert data["wan"]["rate_kbps"] == 6000
    assert data["conference"]["simultaneous_video_calls"] == 1
    assert rollout("validate").exit_code == 0


def test_new_site_json(rollout: Rollout) -> None:
    result = rollout(
        "new-site", "xa-moi", "--from", "bao-thang", "--name", "Mới", "--format", "json"
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert data["file"] == "inventory/sites/xa-moi.yml"
    assert data["site"]["block"] == "10.16.10.0/24"


def test_new_site_when_the_pool_is_full(rollout: Rollout, repo: Path) -> None:
    province = repo / "inventory" / "province.yml"
    province.write_text(
        province.read_text(encoding="utf-8")
        .replace("loopbacks: 10.255.0.0/16", "loopbacks: 10.255.0.0/28")
        .replace("video_ports: 30", "video_ports: 60"),  # the MCU holds five more sites
        encoding="utf-8",
    )
    hub = repo / "inventory" / "sites" / "ubnd-tinh.yml"
    hub.write_text(
        hub.read_text(encoding="utf-8").replace("rate_kbps: 100000\n", "rate_kbps: 200000\n"),
        encoding="utf-8",
    )
    for i in range(5):
        assert rollout("new-site", f"xa-{i}", "--from", "bao-thang", "--name", "X").exit_code == 0
    before = _site_files(repo)
    result = rollout("new-site", "xa-5", "--from", "bao-thang", "--name", "X")
    assert result.exit_code == 1
    assert "the loopback pool 10.255.0.0/28 has no free /32 left" in result.output
    assert _site_files(repo) == before


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
