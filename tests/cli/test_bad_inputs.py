"""Malformed repository files: every one gives exit 1, names the file, says what is wrong.

Each case breaks one file of a copy of the repository, runs `rollout validate`, and checks
the exit code, the file's path, the message and that nothing crashed.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

PILOT = "inventory/sites/bao-thang.yml"
PROVINCE = "inventory/province.yml"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


@dataclass(frozen=True)
class Case:
    id: str
    file: str  # the offending file, relative to the repository
    fragment: str  # expected in the output
    mutate: Callable[[Path], object]  # what it returns is ignored
    line: int | None = None  # the line the problem must be reported at (when it matters)


def _text(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


def _write(rel: str, text: str | bytes) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / rel
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    return mutate


def _replace(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        text = _text(root, rel)
        assert old in text, f"{old!r} is not in {rel}"
        (root / rel).write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def _data(rel: str, change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        data = yaml.safe_load(_text(root, rel))
        change(data)
        dumped = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        (root / rel).write_text("---\n" + dumped, encoding="utf-8")

    return mutate


def _mkdir(rel: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        (root / rel).mkdir()
        (root / rel / "site.yml").write_text("slug: x\n", encoding="utf-8")

    return mutate


def _unlink(rel: str) -> Callable[[Path], None]:
    return lambda root: (root / rel).unlink()


def _huge(root: Path) -> None:
    text = _text(root, PILOT)
    padding = "".join(
        f"# padding line {i:07d} of a file that is far too large\n" for i in range(20_000)
    )
    (root / PILOT).write_text(text + padding, encoding="utf-8")


def _pilot_lines() -> list[str]:
    return (Path(__file__).resolve().parents[2] / PILOT).read_text(encoding="utf-8").splitlines()


def _pilot_line(startswith: str) -> int:
    """1-based line number of a line of the pilot file (the cases below keep line numbers)."""
    return next(
        i for i, line in enumerate(_pilot_lines(), 1) if line.strip().startswith(startswith)
    )


CASES = [
    Case(
        "yaml-tab-indentation",
        PILOT,
        "is not valid YAML",  # the wording after it depends on libyaml being present
        _replace(PILOT, "  rate_kbps: 10000", "\trate_kbps: 10000"),
        line=_pilot_line("rate_kbps: 10000"),
    ),
    Case(
        "yaml-unclosed-quote",
        PILOT,
        "is not valid YAML",
        _replace(PILOT, 'code: "02905"', 'code: "02905'),
    ),
    Case(
        "yaml-bad-indentation",
        PILOT,
        "is not valid YAML",
        _replace(PILOT, "  port_kbps: 100000", "     port_kbps: 100000"),
        line=_pilot_line("port_kbps: 100000"),
    ),
    Case("empty-file", PILOT, "is empty", _write(PILOT, "")),
    Case("only-a-comment", PILOT, "is empty", _write(PILOT, "---\n# nothing here yet\n")),
    Case(
        "list-at-top-level",
        PILOT,
        "must hold a mapping of fields at the top, not a list",
        _write(PILOT, "- slug: bao-thang\n- name: Bảo Thắng\n"),
    ),
    Case(
        "scalar-at-top-level",
        PILOT,
        "must hold a mapping of fields at the top, not a str",
        _write(PILOT, "bao-thang\n"),
    ),
    Case("binary-png", PILOT, "is a binary file, not YAML", _write(PILOT, PNG)),
    Case(
        "utf16-file",
        PILOT,
        "is UTF-16 text, not UTF-8",
        lambda root: (root / PILOT).write_bytes(_text(root, PILOT).encode("utf-16")),
    ),
    Case(
        "latin1-file",
        PILOT,
        "is not UTF-8 text",
        lambda root: (root / PILOT).write_bytes(
            _text(root, PILOT).replace("Bảo Thắng", "Bảo Thang Ã").encode("utf-8")[:-1]
            + "é\n".encode("latin-1")
        ),
    ),
    Case(
        "directory-named-like-a-site",
        "inventory/sites/x.yml",
        "is a directory where a YAML file was expected",
        _mkdir("inventory/sites/x.yml"),
    ),
    Case(
        "stray-text-file",
        "inventory/sites/notes.txt",
        "unexpected file in inventory/sites",
        _write("inventory/sites/notes.txt", "call VNPT about bao-thang\n"),
    ),
    Case(
        "duplicate-key",
        PILOT,
        "duplicate key 'level' (first at line",
        _replace(PILOT, "level: commune\n", "level: commune\nlevel: district\n"),
        line=_pilot_line("level: commune") + 1,
    ),
    Case(
        "non-text-key",
        PILOT,
        "has a non-text key 10",
        _replace(PILOT, "level: commune\n", "level: commune\n10: ten\n"),
    ),
    Case(
        "unknown-top-level-key",
        PILOT,
        "did you mean 'vlans'?",
        _replace(PILOT, "vlans:\n", "vlanz: []\nvlans:\n"),
        line=_pilot_line("vlans:"),
    ),
    Case(
        "unknown-device-key",
        PILOT,
        "unknown field 'wan_interfce'",
        _replace(PILOT, "wan_interface:", "wan_interfce:"),
        line=_pilot_line("wan_interface:"),
    ),
    Case(
        "unknown-role",
        PILOT,
        "device role 'firewall' is not known",
        _replace(PILOT, "role: lan_switch", "role: firewall"),
    ),
    Case(
        "device-without-role",
        PILOT,
        "device has no 'role'",
        _replace(PILOT, "    role: lan_switch\n", ""),
    ),
    Case(
        "missing-required-field",
        PILOT,
        "add 'name' to the file",
        _replace(PILOT, "name: Xã Bảo Thắng\n", ""),
    ),
    Case(
        "wrong-type",
        PILOT,
        "unable to parse string as an integer (got 'fast')",
        _replace(PILOT, "rate_kbps: 10000", "rate_kbps: fast"),
        line=_pilot_line("rate_kbps: 10000"),
    ),
    Case(
        "negative-rate",
        PILOT,
        "Input should be greater than 0",
        _replace(PILOT, "rate_kbps: 10000", "rate_kbps: -10000"),
    ),
    Case(
        "rate-above-port-speed",
        PILOT,
        "rate_kbps 1000000 exceeds port_kbps 100000",
        _replace(PILOT, "rate_kbps: 10000", "rate_kbps: 1000000"),
    ),
    Case(
        "invalid-ip-address",
        PILOT,
        "'10.16.1.666' does not appear to be an IPv4 or IPv6 address",
        _replace(PILOT, "mgmt_address: 10.16.1.66", "mgmt_address: 10.16.1.666"),
        line=_pilot_line("mgmt_address: 10.16.1.66"),
    ),
    Case(
        "network-with-host-bits",
        PILOT,
        "'10.16.1.1/24' has host bits set; write the network as 10.16.1.0/24",
        _replace(PILOT, "block: 10.16.1.0/24", "block: 10.16.1.1/24"),
        line=_pilot_line("block:"),
    ),
    Case(
        "vlan-4095",
        PILOT,
        "less than or equal to 4094",
        _replace(PILOT, "{id: 20,", "{id: 4095,"),
        line=_pilot_line("- {id: 20,"),
    ),
    Case(
        "slug-file-name-mismatch",
        PILOT,
        "slug 'bao-thang-2' does not match the file name 'bao-thang.yml'",
        _replace(PILOT, "slug: bao-thang", "slug: bao-thang-2"),
        line=_pilot_line("slug:"),
    ),
    Case(
        "invalid-e164",
        PILOT,
        "String should match pattern",
        _replace(PILOT, 'e164: "1502905"', 'e164: "+84-1502905"'),
        line=_pilot_line("e164:"),
    ),
    Case(
        "bad-slug",
        PILOT,
        "'Bao_Thang' is not a slug",
        _replace(PILOT, "slug: bao-thang", "slug: Bao_Thang"),
    ),
    Case(
        "hostname-upper-case",
        PILOT,
        "'Bao-Thang-sw01' is not a hostname",
        _replace(PILOT, "hostname: bao-thang-sw01", "hostname: Bao-Thang-sw01"),
    ),
    Case(
        "province-missing",
        PROVINCE,
        "is not a rollout repository (no inventory/province.yml)",
        _unlink(PROVINCE),
    ),
    Case(
        "province-broken-yaml",
        PROVINCE,
        "is not valid YAML",
        _replace(PROVINCE, "hub: ubnd-tinh\n", "hub: [ubnd-tinh\n"),
    ),
    Case(
        "province-empty",
        PROVINCE,
        "is empty",
        _write(PROVINCE, "# to be written\n"),
    ),
    Case(
        "qos-percent-sum-too-high",
        PROVINCE,
        "the classes reserve 93 % of the link, leaving 7 % for default traffic",
        _replace(PROVINCE, "percent: 52\n", "percent: 70\n"),
    ),
    Case(
        "unknown-dscp-name",
        PROVINCE,
        "'af44' is not a DSCP name",
        _replace(PROVINCE, "dscp: [af41, af42, af43]", "dscp: [af41, af42, af44]"),
    ),
    Case(
        "duplicate-dscp",
        PROVINCE,
        "DSCP af41 is in both 'video' and 'signalling'",
        _replace(PROVINCE, "dscp: [cs3, af31]", "dscp: [cs3, af41]"),
    ),
    Case(
        "reversed-port-range",
        PROVINCE,
        "port range 3250-3230 is reversed",
        _replace(PROVINCE, "first: 3230, last: 3250", "first: 3250, last: 3230"),
    ),
    Case(
        "unknown-service-kind",
        PROVINCE,
        "Input should be 'mcu', 'sip_registrar', 'h323_gatekeeper' or 'sla_responder'",
        _replace(PROVINCE, "kind: mcu", "kind: bridge"),
    ),
    Case(
        "huge-file",
        PILOT,
        "larger than any inventory file should be (1000000)",
        _huge,
    ),
]


@pytest.fixture(params=CASES, ids=[c.id for c in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    param: Case = request.param
    return param


def test_at_least_25_distinct_cases() -> None:
    assert len({c.id for c in CASES}) == len(CASES) >= 25


def test_bad_input(case: Case, repo: Path, rollout: Callable[..., Any]) -> None:
    case.mutate(repo)
    result = rollout("validate")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert case.file in result.output, result.output
    assert case.fragment in result.output, result.output
    if case.line is not None:
        assert f"{case.file}:{case.line}:" in result.output, result.output


def test_bad_input_json(case: Case, repo: Path, rollout: Callable[..., Any]) -> None:
    """The same problems for machines: valid JSON, ok false, the file and line in a problem."""
    case.mutate(repo)
    result = rollout("validate", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    if case.id == "province-missing":  # no repository at all: an error, not a problem list
        assert case.file in data["error"]
        return
    matching = [p for p in data["problems"] if p["file"] == case.file]
    assert matching, data
    assert any(case.fragment in p["message"] + " " + p["fix"] for p in matching), data
    if case.line is not None:
        assert any(p["line"] == case.line for p in matching), data


def test_bad_input_from_the_installed_command(repo: Path) -> None:
    """One malformed file through the real executable: no traceback reaches the terminal."""
    import os
    import subprocess
    import sys

    (repo / PILOT).write_bytes(PNG)
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("rollout")), "validate"],
        capture_output=True,
        text=True,
        cwd=repo,
        env={k: v for k, v in os.environ.items() if k != "ROLLOUT_REPO"},
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert f"error: {PILOT}: is a binary file, not YAML" in proc.stderr


def test_utf16_message_names_the_encoding(repo: Path, rollout: Callable[..., Any]) -> None:
    (repo / PILOT).write_bytes(_text(repo, PILOT).encode("utf-16"))
    result = rollout("validate")
    assert "UTF-8" in result.output


def test_a_hidden_file_in_sites_is_ignored(repo: Path, rollout: Callable[..., Any]) -> None:
    (repo / "inventory" / "sites" / ".bao-thang.yml.swp").write_bytes(PNG)
    assert rollout("validate").exit_code == 0


def test_sites_folder_missing(repo: Path, rollout: Callable[..., Any]) -> None:
    shutil.rmtree(repo / "inventory" / "sites")
    result = rollout("validate")
    assert result.exit_code == 1
    assert "inventory/sites: the sites folder is missing" in result.output
