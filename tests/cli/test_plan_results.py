"""Saved plan files (format, secrets as references, bad files) and the words of a site run."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from rollout.engine import planfile, results
from rollout.engine.planfile import PlanFileError, SavedDevice, SavedPlan
from rollout.runner import HostOutcome
from rollout.secrets import Secrets

SECRETS = Secrets(
    {
        "vault_admin_password": "S3cret-admin",
        "vault_snmp_auth_key": "S3cret-admin-longer",
        "vault_key": "-----BEGIN KEY-----\nAAAAline1\nBBBBline2\n-----END KEY-----\n",
    }
)


def test_vault_values_are_stored_as_references_and_filled_in_again() -> None:
    sent = [
        "username noc secret S3cret-admin",
        "snmp-server user u g v3 auth sha S3cret-admin-longer",
        "key BBBBline2",
    ]
    stored = planfile.saved_commands(sent, SECRETS, "r1")
    assert stored == (
        "username noc secret {{ vault_admin_password }}",
        "snmp-server user u g v3 auth sha {{ vault_snmp_auth_key }}",
        "key {{ vault_key | line 2 }}",
    )
    assert [planfile.refill(c, SECRETS) for c in stored] == sent


def test_unknown_reference_names_the_variable() -> None:
    with pytest.raises(PlanFileError, match="vault_gone"):
        planfile.refill("x {{ vault_gone }}", SECRETS)


def test_save_is_0600_json_without_secrets_and_loads_back(tmp_path: Path) -> None:
    device = SavedDevice(
        "bt-rtr01",
        "bt",
        "cisco_ios",
        planfile.running_hash("cisco_ios", "hostname x\n", SECRETS),
        planfile.intended_hash("hostname y\n", SECRETS),
        planfile.saved_commands(["hostname y", "enable secret S3cret-admin"], SECRETS, "r"),
        2,
        0,
    )
    path = planfile.save(SavedPlan(("bt",), (device,), "now", "me", "lab"), tmp_path / "p.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "S3cret" not in path.read_text()
    assert not list(tmp_path.glob(".*tmp"))
    back = planfile.load(path)
    assert back.devices[0] == device
    assert planfile.site_summaries(back) == ["bt: rtr01 +2"]


def test_running_hash_ignores_ios_noise_but_not_a_change() -> None:
    a = "Building configuration...\n!\nhostname r1\nntp clock-period 17208\n"
    b = "Building configuration...\n! Last configuration change at 1\nhostname r1\n"
    c = "hostname r2\n"
    h = planfile.running_hash
    assert h("cisco_ios", a, SECRETS) == h("cisco_ios", b, SECRETS)
    assert h("cisco_ios", a, SECRETS) != h("cisco_ios", c, SECRETS)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"format": "x"}, "format"),
        ({"format": "rollout-plan", "version": 9}, "version"),
        ({"format": "rollout-plan", "version": 1, "devices": {}}, "devices"),
        ({"format": "rollout-plan", "version": 1, "devices": [{"hostname": 1}]}, "commands"),
    ],
)
def test_bad_plan_files_name_file_and_field(tmp_path: Path, data: object, field: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(PlanFileError) as err:
        planfile.load(path)
    assert str(path) in err.value.message and field in err.value.message
    assert err.value.fix


def host(name: str, steps: dict[str, str], failed: list[str] | None = None) -> HostOutcome:
    return HostOutcome(name, steps=steps, failed=failed or [], commands=["a", "b"])


def words(*outcomes: HostOutcome) -> dict[str, str]:
    found = results.derive(
        {h.host: h for h in outcomes},
        {h.host: "bt" for h in outcomes},
        dry_run=False,
        backup_set="S1",
    )
    return {r.device: r.word.value for r in found}


def test_a_failure_before_any_push_touches_nothing() -> None:
    got = words(
        host("r1", {"backup": "ok"}),
        host("c1", {"backup": "failed"}, ["Back up: authentication failed"]),
    )
    assert got == {"r1": "not touched", "c1": "not touched"}


def test_pushed_devices_are_rolled_back_the_others_not_touched() -> None:
    got = words(
        host("r1", {"backup": "ok", "push": "changed", "rollback": "changed"}),
        host("s1", {"backup": "ok", "push": "ok", "rollback": "changed"}),
        host("c1", {"backup": "ok", "push": "failed", "rollback": "changed"}, ["Push: x"]),
        host("c2", {"backup": "ok", "push": "changed", "rollback": "failed"}, ["Roll back: y"]),
    )
    assert got == {"r1": "rolled back", "s1": "not touched", "c1": "rolled back", "c2": "failed"}


def test_refused_against_the_plan_is_not_touched() -> None:
    got = words(host("r1", {"precheck": "failed", "push": "refused"}, ["Check: changed"]))
    assert got == {"r1": "not touched"}


def test_a_good_run_says_changed_or_unchanged_and_the_recap_says_it_too() -> None:
    hosts = [
        host("r1", {"backup": "ok", "push": "changed", "confirm": "ok", "save": "ok"}),
        host("s1", {"backup": "ok", "push": "ok", "confirm": "ok", "save": "ok"}),
    ]
    found = results.derive(
        {h.host: h for h in hosts}, {"r1": "bt", "s1": "bt"}, dry_run=False, backup_set="S"
    )
    assert [r.word.value for r in found] == ["changed", "unchanged"]
    assert results.recap(["bt"], found, 12.34, False) == ["bt: ok: changed 1, unchanged 1 (12.3 s)"]


def test_detail_is_never_cut_mid_word() -> None:
    text = "word " * 100
    short = results.shorten(text, 42)
    assert len(short) <= 42 and short.endswith(" …")
    assert all(w == "word" for w in short[:-2].split())


def test_empty_backup_folders_are_removed(tmp_path: Path) -> None:
    (tmp_path / "a" / "S").mkdir(parents=True)
    (tmp_path / "b" / "S").mkdir(parents=True)
    (tmp_path / "b" / "S" / "x.txt").write_text("x")
    kept = results.prune_empty(tmp_path, ["a", "b"], "S")
    assert kept == [tmp_path / "b" / "S"] and not (tmp_path / "a" / "S").exists()


@pytest.mark.parametrize(
    ("body", "wanted"),
    [
        ('{"format": "rollout-plan", "version": 1, "sites": ["bao-thang"]}', "field 'devices'"),
        (
            '{"format": "rollout-plan", "version": 1, "sites": ["ubnd-tinh"], "devices": []}',
            "is a plan for ubnd-tinh, not for bao-thang",
        ),
        ("not json", "not JSON"),
    ],
)
def test_site_refuses_a_bad_plan_file_before_any_device(
    tmp_path: Path, rollout: Any, body: str, wanted: str
) -> None:
    path = tmp_path / "plan.json"
    path.write_text(body)
    got = rollout("site", "bao-thang", "--lab-dir", str(tmp_path), "--plan", str(path), "--yes")
    assert (got.exit_code == 1 and got.exception is None) or isinstance(got.exception, SystemExit)
    assert wanted in got.stderr and str(path) in got.stderr and "fix:" in got.stderr


def test_tables_are_not_wrapped_when_piped() -> None:
    import os
    import subprocess
    import sys

    code = (
        "from rollout.cli.app import table\n"
        "table('t', ['device', 'result', 'detail'], [('bao-thang-rtr01', 'not touched', "
        "'failed at Back up the running configuration: ' + 'word ' * 30)])\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    rows = [line for line in out.splitlines() if "bao-thang-rtr01" in line]
    assert len(rows) == 1 and "not touched" in rows[0] and rows[0].count("word") == 30
